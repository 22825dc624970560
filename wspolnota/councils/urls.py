from django.urls import path

from wspolnota.councils import views

app_name = "councils"

urlpatterns = [
    path("", views.index, name="index"),
    path("dzielnica/<int:district_number>/", views.district_council, name="district_council"),
    path("posiedzenia/<int:meeting_id>/", views.meeting_detail, name="meeting_detail"),
    path("posiedzenia/<int:meeting_id>/edycja/", views.meeting_edit, name="meeting_edit"),
    path("posiedzenia/<int:meeting_id>/glosowanie/", views.vote_add, name="vote_add"),
    path("posiedzenia/<int:meeting_id>/dokumenty/nowy/", views.document_add, name="document_add"),
    path(
        "posiedzenia/<int:meeting_id>/dokumenty/<int:document_id>/",
        views.document_download,
        name="document_download",
    ),
    path("uchwaly/<int:resolution_id>/", views.resolution_detail, name="resolution_detail"),
    path("uchwaly/<int:resolution_id>/edycja/", views.resolution_edit, name="resolution_edit"),
    path(
        "uchwaly/<int:resolution_id>/publikacja/",
        views.resolution_publish,
        name="resolution_publish",
    ),
    path("uchwaly/<int:resolution_id>/zmiana-stanu/", views.resolution_end, name="resolution_end"),
    path("pytania/<int:question_id>/", views.question_detail, name="question_detail"),
    path("opinie/<int:opinion_id>/", views.opinion_detail, name="opinion_detail"),
    path("opinie/<int:opinion_id>/edycja/", views.opinion_edit, name="opinion_edit"),
    path("opinie/<int:opinion_id>/przyjecie/", views.opinion_adopt, name="opinion_adopt"),
    path("mandaty/<int:membership_id>/wygasniecie/", views.membership_end, name="membership_end"),
    path("glosowanie-szkolne/<int:vote_id>/", views.school_vote, name="school_vote"),
    path(
        "glosowanie-szkolne/<int:vote_id>/kody/",
        views.school_vote_office,
        name="school_vote_office",
    ),
    path(
        "glosowanie-szkolne/<int:vote_id>/kody/arkusz/<int:sheet_id>/uniewaznij/",
        views.school_vote_sheet_void,
        name="school_vote_sheet_void",
    ),
    path(
        "glosowanie-szkolne/<int:vote_id>/zamkniecie/",
        views.school_vote_close,
        name="school_vote_close",
    ),
    path(
        "<slug:body_slug>/kadencje/<int:term_id>/glosowanie-szkolne/nowe/",
        views.school_vote_open,
        name="school_vote_open",
    ),
    path("<slug:body_slug>/", views.body_detail, name="body_detail"),
    path("<slug:body_slug>/posiedzenia/", views.meeting_list, name="meeting_list"),
    path("<slug:body_slug>/posiedzenia/nowe/", views.meeting_edit, name="meeting_create"),
    path("<slug:body_slug>/uchwaly/", views.resolution_list, name="resolution_list"),
    path("<slug:body_slug>/uchwaly/nowa/", views.resolution_edit, name="resolution_create"),
    path("<slug:body_slug>/pytania/", views.question_list, name="question_list"),
    path(
        "<slug:body_slug>/pytania/w-imieniu/<int:person_pk>/",
        views.question_for_person,
        name="question_for_person",
    ),
    path("<slug:body_slug>/opinie/nowa/", views.opinion_edit, name="opinion_create"),
    path("<slug:body_slug>/kadencje/nowa/", views.term_create, name="term_create"),
    path("<slug:body_slug>/kadencje/<int:term_id>/", views.term_detail, name="term_detail"),
    path(
        "<slug:body_slug>/kadencje/<int:term_id>/czlonkowie/nowy/",
        views.membership_add,
        name="membership_add",
    ),
    path(
        "<slug:body_slug>/kadencje/<int:term_id>/wybory-szkolne/nowe/",
        views.school_election_add,
        name="school_election_add",
    ),
    path(
        "<slug:body_slug>/kadencje/<int:term_id>/komisje/nowa/",
        views.committee_add,
        name="committee_add",
    ),
]
