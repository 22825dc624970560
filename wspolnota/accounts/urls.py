from django.contrib.auth import views as auth_views
from django.urls import path

from wspolnota.accounts import views

app_name = "accounts"

urlpatterns = [
    path("rejestracja/", views.signup, name="signup"),
    path("logowanie/", views.LoginView.as_view(), name="login"),
    path("wylogowanie/", auth_views.LogoutView.as_view(), name="logout"),
    path("profil/", views.profile, name="profile"),
    path("profil/telefon/", views.phone, name="phone"),
    path("profil/haslo/", views.password_change, name="password_change"),
    path("profil/moje-dane.json", views.data_export, name="data_export"),
    path("profil/usun-konto/", views.delete_account, name="delete_account"),
    path("konto-z-okienka/<str:token>/", views.conversion_complete, name="conversion_complete"),
    path("role/", views.role_admin, name="role_admin"),
    path("role/<int:pk>/odbierz/", views.role_revoke, name="role_revoke"),
    path("haslo/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "haslo/reset/wyslano/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "haslo/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "haslo/reset/gotowe/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
