"""The signed-in user's API tokens: the list, issuing one (its secret shown once), revoking one.
Staff need their second factor for these, as for the admin."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .forms import TokenForm
from .models import Token
from .staff import second_factor_for_staff


@login_required
@second_factor_for_staff
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; on POST, issue one and show its secret on the page it returns."""
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _, secret = Token.objects.issue(request.user, form.cleaned_data["name"])
        form = TokenForm()
    tokens = request.user.api_tokens.all()
    context = {
        "form": form,
        "tokens": tokens,
        "secret": secret,
        "token_days": settings.API_TOKEN_DAYS,
    }
    return render(request, "api/token_list.html", context)


@login_required
@second_factor_for_staff
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the user's own tokens (404 for anyone else's), then go back to the list."""
    get_object_or_404(Token, pk=pk, user=request.user).delete()
    return redirect("tokens:list")
