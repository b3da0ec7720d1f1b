"""Forms for people's own accounts, and the admin's forms bound to the email-based user model."""

import logging

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.hashers import make_password
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User
from .tokens import sign_up_token_generator

logger = logging.getLogger(__name__)


class SignUpForm(auth_forms.BaseUserCreationForm):
    """Email address and password, typed twice and checked by AUTH_PASSWORD_VALIDATORS.

    A taken address is not an error: the form, and the page after it, are the same whether or not
    the address has an account, so that sign-up cannot tell anyone who has one. `save()` mails the
    address instead: a link that confirms a new account, or a note to the owner of an existing one.
    """

    class Meta:
        model = User
        fields = ["email"]

    def validate_unique(self) -> None:
        """Skip the email address's uniqueness check, whose error would name a taken address."""

    def save(self, request: HttpRequest) -> None:
        """Create the account, inactive until its address is confirmed, and mail the link that
        confirms it; for an address with an account, mail its owner how to sign in instead.

        An account whose address was never confirmed is taken over by the new sign-up (its
        password replaced, a new link sent): whoever proves the address chooses the password.
        """
        user = User.objects.filter(email=self.instance.email).first()
        if user is not None and (user.is_active or user.last_login is not None):
            # Hash the password all the same, so that the answer takes as long as for a new
            # address (as ModelBackend does for an unknown one at sign-in).
            make_password(self.cleaned_data["password1"])
            reset_url = request.build_absolute_uri(reverse("password_reset"))
            self._mail(user, "users/sign_up_taken_email.html", {"reset_url": reset_url})
            return
        user = user or self.instance
        user.is_active = False
        try:
            with transaction.atomic():
                self.set_password_and_save(user)
        except IntegrityError:
            # A sign-up for the same new address, at the same moment, wrote its account between the
            # lookup above and here: its link is on its way, and this one answers as for any other.
            return
        path = reverse(
            "sign_up_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": sign_up_token_generator.make_token(user),
            },
        )
        self._mail(user, "users/sign_up_email.html", {"url": request.build_absolute_uri(path)})

    @staticmethod
    def _mail(user: User, template_name: str, context: dict[str, str]) -> None:
        """Send the mail; one the mail server does not take is logged, as Django's password reset
        does, and the page answers as for any other address."""
        subject = render_to_string("users/sign_up_subject.txt").strip()
        try:
            send_mail(subject, render_to_string(template_name, context), None, [user.email])
        except Exception:
            logger.exception("Failed to send the sign-up email to user %s", user.pk)


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
