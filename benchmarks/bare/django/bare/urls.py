"""Bare Django: the home page and the notes list, with Django's generic views, and the API's list of notes as a plain
JsonResponse from the same query."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.generic import ListView, TemplateView
from notes.models import Note


def api_notes(request: HttpRequest) -> JsonResponse:
    """A page of the notes as the generated API answers it: `?page=`, `?page_size=`, the count."""
    page = int(request.GET.get("page", 1))
    page_size = int(request.GET.get("page_size", 20))
    start = (page - 1) * page_size
    notes = Note.objects.order_by("-created_at", "-id")[start : start + page_size]
    items = [{"id": n.id, "title": n.title, "body": n.body, "created_at": n.created_at.isoformat()} for n in notes]
    return JsonResponse({"items": items, "count": Note.objects.count(), "page": page, "page_size": page_size})


urlpatterns = [
    path("", TemplateView.as_view(template_name="index.html"), name="index"),
    path("notes/", ListView.as_view(model=Note), name="notes"),
    path("api/notes", api_notes, name="api_notes"),
]
