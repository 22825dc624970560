from django.urls import path

from wspolnota.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("deklaracja-dostepnosci/", views.accessibility_statement, name="accessibility"),
    path("pomoc/", views.help_page, name="help"),
    path("prywatnosc/", views.privacy, name="privacy"),
    path("wyglad/", views.display_settings, name="display_settings"),
    path("dziennik-zdarzen/", views.audit_log, name="audit_log"),
    path("dziennik-zdarzen/<int:pk>/", views.audit_entry, name="audit_entry"),
]
