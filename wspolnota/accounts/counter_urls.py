from django.urls import path

from wspolnota.accounts import counter_views as views

app_name = "counter"

urlpatterns = [
    path("", views.counter_home, name="home"),
    path("nowa-osoba/", views.counter_person_new, name="person_new"),
    path("osoba/<int:pk>/", views.counter_person, name="person"),
    path("osoba/<int:pk>/zmiana/", views.counter_person_edit, name="person_edit"),
    path("osoba/<int:pk>/zgoda/", views.counter_consent_record, name="consent_record"),
    path("osoba/<int:pk>/konto/", views.counter_person_account, name="person_account"),
    path("osoba/<int:pk>/dane.json", views.counter_person_export, name="person_export"),
    path("osoba/<int:pk>/usuniecie/", views.counter_person_erase, name="person_erase"),
    path(
        "osoba/<int:pk>/zgoda/<int:consent_id>/wycofanie/",
        views.counter_consent_withdraw,
        name="consent_withdraw",
    ),
]
