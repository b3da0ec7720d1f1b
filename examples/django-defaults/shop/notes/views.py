"""Notes pages: the list and each note, for everyone, and the form that adds one, for signed-in
people."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from .forms import NoteForm
from .models import Note

NOTES_PER_PAGE = 20


@require_safe
def note_list(request: HttpRequest) -> HttpResponse:
    """The newest notes first, NOTES_PER_PAGE a page (`?page=2`; a page past the end shows the
    last one)."""
    page = Paginator(Note.objects.all(), NOTES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notes/note_list.html", {"page": page})


@require_safe
def note_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One note; 404 if there is none with this id."""
    return render(request, "notes/note_detail.html", {"note": get_object_or_404(Note, pk=pk)})


@login_required
@require_http_methods(["GET", "POST"])
def note_create(request: HttpRequest) -> HttpResponse:
    """Add a note, then go back to the list."""
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("notes:list")
    return render(request, "notes/note_form.html", {"form": form})
