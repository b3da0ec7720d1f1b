"""Sign-up and profile pages, and the rate limit of password reset. Login, logout and
passwords are Django's own auth views."""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from .forms import ProfileForm, SignUpForm


def sign_up_rate(group: str, request: HttpRequest) -> str:
    return settings.SIGN_UP_RATE


def password_reset_rate(group: str, request: HttpRequest) -> str:
    return settings.PASSWORD_RESET_RATE


@ratelimit(key="ip", rate=sign_up_rate, method="POST")
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """Create an account, sign the new user in and show their profile. 429 past SIGN_UP_RATE."""
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        # Named, as there are two backends; django-axes's has no users of its own.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("profile")
    return render(request, "users/sign_up.html", {"form": form})


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
