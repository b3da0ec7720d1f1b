"""Bare Django: the home page and a signed-in user's notes, with Django's generic views and auth, and the API's list
of them for a bearer token as a plain JsonResponse from the same query."""

import hashlib

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone
from django.views.generic import ListView, TemplateView
from notes.models import Note, Token


class NoteListView(LoginRequiredMixin, ListView):
    paginate_by = 20

    def get_queryset(self):
        return Note.objects.filter(owner=self.request.user)


def api_notes(request: HttpRequest) -> JsonResponse:
    """A page of the bearer token's user's notes as the generated API answers it: `?page=`, `?page_size=`, the
    count. 401 without a valid token."""
    _, _, secret = request.headers.get("Authorization", "").partition(" ")
    digest = hashlib.sha256(secret.encode()).hexdigest()
    token = Token.objects.filter(digest=digest, expires_at__gt=timezone.now()).first()
    if token is None:
        return JsonResponse({"detail": "Unauthorized"}, status=401)
    page = int(request.GET.get("page", 1))
    page_size = int(request.GET.get("page_size", 20))
    start = (page - 1) * page_size
    notes = Note.objects.filter(owner_id=token.user_id)
    items = [
        {"id": n.id, "title": n.title, "body": n.body, "created_at": n.created_at.isoformat()}
        for n in notes[start : start + page_size]
    ]
    return JsonResponse({"items": items, "count": notes.count(), "page": page, "page_size": page_size})


urlpatterns = [
    path("", TemplateView.as_view(template_name="index.html"), name="index"),
    path("notes/", NoteListView.as_view(), name="notes"),
    path("api/notes", api_notes, name="api_notes"),
    path("accounts/", include("django.contrib.auth.urls")),
]
