"""Account URLs: sign-up, profile, and Django's auth views (login, logout, passwords)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("profile/", views.profile, name="profile"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
]
