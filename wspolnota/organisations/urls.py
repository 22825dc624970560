from django.urls import path  # noqa: F401

app_name = "organisations"

urlpatterns: list[object] = []
