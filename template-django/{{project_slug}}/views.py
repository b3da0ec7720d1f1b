"""Site-wide views: the home page and the health check."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """The home page."""
    return render(request, "index.html")


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness: answers 200 while the process can serve requests. It touches nothing else."""
    return JsonResponse({"status": "ok"})
