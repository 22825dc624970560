from django.urls import path

from wspolnota.territory import views

app_name = "territory"

urlpatterns = [
    path("", views.district_list, name="district_list"),
    path("<int:number>/", views.district_detail, name="district_detail"),
]
