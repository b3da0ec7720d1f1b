"""Notes pages: the list, for everyone, and the form that adds one, for signed-in people."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from .forms import NoteForm
from .models import Note


@require_safe
def note_list(request: HttpRequest) -> HttpResponse:
    """The newest notes first."""
    return render(request, "notes/note_list.html", {"notes": Note.objects.all()})


@login_required
@require_http_methods(["GET", "POST"])
def note_create(request: HttpRequest) -> HttpResponse:
    """Add a note, then go back to the list."""
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        return redirect("notes:list")
    return render(request, "notes/note_form.html", {"form": form})
