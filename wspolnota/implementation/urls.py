from django.urls import path

from wspolnota.implementation import views

app_name = "implementation"

urlpatterns = [
    path("", views.index, name="index"),
    path("mapa/", views.map_view, name="map"),
    path("realizacja.csv", views.export_csv, name="export_csv"),
    path("obserwowane/", views.followed, name="followed"),
    path("otworz/", views.open_index, name="open_index"),
    path("otworz/<int:impl_year>/", views.open_edition, name="open_edition"),
    path("<int:impl_id>/", views.detail, name="detail"),
    path("<int:impl_id>/obserwuj/", views.follow, name="follow"),
    path("<int:impl_id>/przestan-obserwowac/", views.unfollow, name="unfollow"),
    path("<int:impl_id>/zmien/", views.change, name="change"),
    path("<int:impl_id>/etapy/dodaj/", views.milestone_add, name="milestone_add"),
    path("<int:impl_id>/etapy/<int:impl_milestone>/", views.milestone_edit, name="milestone_edit"),
    path("<int:impl_id>/zdjecia/dodaj/", views.photo_add, name="photo_add"),
    path("<int:impl_id>/zdjecia/<int:impl_photo>/", views.photo_file, name="photo_file"),
    path("<int:impl_id>/zdjecia/<int:impl_photo>/usun/", views.photo_remove, name="photo_remove"),
]
