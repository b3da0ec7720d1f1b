"""Account URLs: sign-up, profile, and Django's auth views (login, logout, passwords), with
django-two-factor-auth's login."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("sign-up/", views.sign_up, name="sign_up"),
    path("sign-up/done/", views.sign_up_done, name="sign_up_done"),
    path("sign-up/<uidb64>/<token>/", views.sign_up_confirm, name="sign_up_confirm"),
    path("profile/", views.profile, name="profile"),
    # Password, then the code of the authenticator app for those who set one up: Django's own
    # login view, in the include below, would skip the second step.
    path("login/", views.LoginView.as_view(), name="login"),
    path("password_reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("", include("django.contrib.auth.urls")),
]
