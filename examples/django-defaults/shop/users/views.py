"""Sign-up, confirmed by mail, the profile page, and the rate limits of sign-in and password reset.
Login, logout and passwords are the auth views, with the rate limits below."""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.decorators import ratelimit

from .forms import ProfileForm, SignUpForm
from .models import User
from .tokens import sign_up_token_generator


def sign_in_rate(group: str, request: HttpRequest) -> str:
    return settings.SIGN_IN_RATE


def sign_up_rate(group: str, request: HttpRequest) -> str:
    return settings.SIGN_UP_RATE


def password_reset_rate(group: str, request: HttpRequest) -> str:
    return settings.PASSWORD_RESET_RATE


@ratelimit(key="ip", rate=sign_up_rate, method="POST")
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """Take an email address and a password, mail the address (see SignUpForm.save), and say so:
    the same answer whether or not the address has an account. 429 past SIGN_UP_RATE."""
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save(request)
        return redirect("sign_up_done")
    return render(request, "users/sign_up.html", {"form": form})


@require_safe
def sign_up_done(request: HttpRequest) -> HttpResponse:
    return render(request, "users/sign_up_done.html")


@require_safe
def sign_up_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Open the account that the mailed link names, sign its owner in and show their profile; a
    link that is invalid, used or expired gets a page that says so."""
    try:
        user = User.objects.get(pk=urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, ValidationError, User.DoesNotExist):
        user = None
    if user is None or not sign_up_token_generator.check_token(user, token):
        return render(request, "users/sign_up_confirm_failed.html", status=404)
    user.is_active = True
    user.save(update_fields=["is_active"])
    # Named, as there are two backends; django-axes's has no users of its own.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("profile")


# Password spraying, one password tried against many accounts from one address, stays under the
# lockout of each account (django-axes); this caps the sign-ins one address may try in all, the
# admin's included.
limit_sign_in = ratelimit(group="sign-in", key="ip", rate=sign_in_rate, method="POST")


@method_decorator(limit_sign_in, name="post")
class LoginView(auth_views.LoginView):
    """Django's login, 429 past SIGN_IN_RATE per client address."""


@method_decorator(ratelimit(key="ip", rate=password_reset_rate, method="POST"), name="post")
@method_decorator(ratelimit(key="post:email", rate=password_reset_rate, method="POST"), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, 429 past PASSWORD_RESET_RATE per client address and per email
    address: one address cannot be flooded with mail, nor the form used to probe many."""


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user's details and let them change their name."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("profile")
    return render(request, "users/profile.html", {"form": form})
