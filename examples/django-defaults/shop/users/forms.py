"""Forms for people's own accounts, and the admin's forms bound to the email-based user model."""

from django import forms
from django.contrib.auth import forms as auth_forms

from .models import User


class SignUpForm(auth_forms.BaseUserCreationForm):
    """Email address and password, typed twice and checked by AUTH_PASSWORD_VALIDATORS."""

    class Meta:
        model = User
        fields = ["email"]


class ProfileForm(forms.ModelForm):
    """The details people may change themselves."""

    class Meta:
        model = User
        fields = ["first_name", "last_name"]


class AdminUserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class AdminUserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
