from django.urls import path

from wspolnota.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("wskazniki/<slug:indicator_code>/", views.indicator_detail, name="indicator_detail"),
    path("elementy/<int:strat_node>/", views.node_detail, name="node_detail"),
    path("realizacje/<int:strat_link>/usun/", views.link_remove, name="link_remove"),
    path("raport/<int:report_year>/", views.report, name="report"),
    path("raport/<int:report_year>.pdf", views.report_pdf, name="report_pdf"),
    path(
        "raport/<int:report_year>/wersja-<int:report_version>.pdf",
        views.report_version_pdf,
        name="report_version_pdf",
    ),
    path("zarzadzanie/raport/<int:report_year>/", views.report_manage, name="report_manage"),
    path("dane/", views.open_data, name="open_data"),
    path("dane/wskazniki.csv", views.indicators_csv, name="indicators_csv"),
    path("dane/wskazniki.json", views.indicators_json, name="indicators_json"),
    path("dane/dzielnice.geojson", views.districts_geojson, name="districts_geojson"),
    path("dane/katalog.jsonld", views.catalogue, name="catalogue"),
    path("dane/zbiory/<slug:dataset_id>/", views.dataset_detail, name="dataset_detail"),
    path("zarzadzanie/", views.manage, name="manage"),
    path("zarzadzanie/oblicz/", views.compute, name="compute"),
    path("zarzadzanie/pomiar/", views.measurement_new, name="measurement_new"),
    path("zarzadzanie/import/", views.measurement_import, name="measurement_import"),
    path("zarzadzanie/partie/<str:meas_batch>/", views.batch_decide, name="batch_decide"),
    path("zarzadzanie/ludnosc/", views.population, name="population"),
    path("zarzadzanie/badania/", views.surveys, name="surveys"),
    path("zarzadzanie/badania/<int:survey_pk>/", views.survey_detail, name="survey_detail"),
]
