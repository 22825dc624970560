from django.urls import path

from wspolnota.schools import views

app_name = "schools"

urlpatterns = [
    path("", views.index, name="index"),
    path("przewodnik/", views.guide, name="guide"),
    path("zglos-szkole/", views.school_register, name="school_register"),
    path("potwierdzanie/", views.schools_pending, name="pending"),
    path("potwierdzanie/<int:school_id>/", views.school_decide, name="school_decide"),
    path("<int:school_id>/", views.school_detail, name="school_detail"),
    path("<int:school_id>/zespol/", views.school_team, name="school_team"),
    path("<int:school_id>/nowa-edycja/", views.edition_create, name="edition_create"),
    path("edycja/<int:edition_id>/", views.edition_detail, name="edition_detail"),
    path("edycja/<int:edition_id>/ustawienia/", views.edition_setup, name="edition_setup"),
    path("edycja/<int:edition_id>/pomysly/nowy/", views.idea_create, name="idea_create"),
    path(
        "edycja/<int:edition_id>/pomysly/<int:idea_id>/sprawdz/",
        views.idea_check,
        name="idea_check",
    ),
    path("edycja/<int:edition_id>/kody/", views.code_office, name="codes"),
    path(
        "edycja/<int:edition_id>/kody/arkusz/<int:sheet_id>/uniewaznij/",
        views.sheet_void,
        name="sheet_void",
    ),
    path("edycja/<int:edition_id>/glosuj/", views.vote, name="vote"),
    path("edycja/<int:edition_id>/wyniki/", views.results, name="results"),
    path("edycja/<int:edition_id>/wyniki.pb", views.results_pb, name="results_pb"),
    path("edycja/<int:edition_id>/plakat.pdf", views.poster, name="poster"),
]
