from django.urls import path

from wspolnota.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.registry, name="registry"),
    path("zarejestruj/", views.register, name="register"),
    path("moje/", views.mine, name="mine"),
    path("weryfikacja/", views.verification_queue, name="verification_queue"),
    path("<int:organisation_id>/", views.detail, name="detail"),
    path("<int:organisation_id>/edycja/", views.edit, name="edit"),
    path("<int:organisation_id>/osoby/", views.people, name="people"),
    path(
        "<int:organisation_id>/osoby/<int:person_id>/usun/",
        views.person_remove,
        name="person_remove",
    ),
    path("<int:organisation_id>/czlonkowie/", views.members, name="members"),
    path(
        "<int:organisation_id>/czlonkowie/<int:membership_id>/usun/",
        views.member_remove,
        name="member_remove",
    ),
    path("<int:organisation_id>/dokumenty/", views.documents, name="documents"),
    path(
        "<int:organisation_id>/dokumenty/<int:document_id>/",
        views.document_download,
        name="document_download",
    ),
    path(
        "<int:organisation_id>/dokumenty/<int:document_id>/usun/",
        views.document_remove,
        name="document_remove",
    ),
    path(
        "<int:organisation_id>/zglos-do-weryfikacji/",
        views.request_verification,
        name="request_verification",
    ),
    path("<int:organisation_id>/weryfikacja/", views.verify, name="verify"),
]
