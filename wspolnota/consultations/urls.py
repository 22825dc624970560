from django.urls import path

from wspolnota.consultations import views

app_name = "consultations"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("nowe/", views.consultation_create, name="create"),
    path("<int:consultation_pk>/", views.consultation_detail, name="detail"),
    path("<int:consultation_pk>/zmien/", views.consultation_edit, name="edit"),
    path("<int:consultation_pk>/oglos/", views.consultation_publish, name="publish"),
    path("<int:consultation_pk>/dokumenty/nowy/", views.document_add, name="document_add"),
    path("<int:consultation_pk>/spotkania/nowe/", views.meeting_add, name="meeting_add"),
    path("<int:consultation_pk>/spotkania/<int:meeting_pk>/", views.meeting_detail, name="meeting"),
    path(
        "<int:consultation_pk>/spotkania/<int:meeting_pk>/odwolaj/",
        views.meeting_cancel,
        name="meeting_cancel",
    ),
    path("<int:consultation_pk>/uwagi/", views.remark_list, name="remarks"),
    path("<int:consultation_pk>/uwagi/zarzadzaj/", views.remark_manage, name="remark_manage"),
    path("<int:consultation_pk>/uwagi/<int:remark_pk>/", views.remark_action, name="remark_action"),
    path("<int:consultation_pk>/ankiety/nowa/", views.survey_create, name="survey_create"),
    path("<int:consultation_pk>/ankiety/<int:survey_pk>/", views.survey_detail, name="survey"),
    path(
        "<int:consultation_pk>/ankiety/<int:survey_pk>/kody/",
        views.class_codes_office,
        name="class_codes",
    ),
    path(
        "<int:consultation_pk>/ankiety/<int:survey_pk>/kody/arkusz/<int:sheet_id>/uniewaznij/",
        views.class_sheet_void,
        name="class_sheet_void",
    ),
    path(
        "<int:consultation_pk>/ankiety/<int:survey_pk>/kody/zamknij/",
        views.class_codes_close,
        name="class_codes_close",
    ),
    path(
        "<int:consultation_pk>/ankiety/<int:survey_pk>/kodem/",
        views.survey_by_code,
        name="survey_by_code",
    ),
    path("<int:consultation_pk>/mapa-opinii/", views.opinion_map, name="opinion_map"),
    path(
        "<int:consultation_pk>/mapa-opinii/import/",
        views.opinion_map_import,
        name="opinion_map_import",
    ),
    path(
        "<int:consultation_pk>/mapa-opinii/<int:statement_pk>/moderacja/",
        views.statement_moderate,
        name="statement_moderate",
    ),
    path(
        "<int:consultation_pk>/mapa-opinii/dane.zip",
        views.opinion_map_export_zip,
        name="opinion_map_export_zip",
    ),
    path(
        "<int:consultation_pk>/mapa-opinii/<str:export_name>.csv",
        views.opinion_map_export,
        name="opinion_map_export",
    ),
    path(
        "<int:consultation_pk>/w-imieniu/<int:person_pk>/",
        views.person_act,
        name="person_act",
    ),
    path(
        "<int:consultation_pk>/w-imieniu/<int:person_pk>/ankiety/<int:survey_pk>/",
        views.person_survey,
        name="person_survey",
    ),
    path("<int:consultation_pk>/raport/", views.report, name="report"),
    path("<int:consultation_pk>/raport.pdf", views.report_pdf, name="report_pdf"),
]
