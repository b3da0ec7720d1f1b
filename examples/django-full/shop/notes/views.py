"""Notes pages, for signed-in people: the list of their own notes, each of them, and the form that
adds one. Another person's note is not found (404), not forbidden, so that its id says nothing."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse_lazy
from django.views.generic import CreateView, DetailView, ListView

from .caching import FRAGMENT_TIMEOUT, list_version
from .forms import NoteForm
from .models import Note

NOTES_PER_PAGE = 20


class OwnNotesMixin(LoginRequiredMixin):
    """Sign-in required (else a redirect to the login page); the signed-in user's notes only."""

    def get_queryset(self):
        return Note.objects.filter(owner=self.request.user)


class NoteListView(OwnNotesMixin, ListView):
    """The user's notes, newest first, NOTES_PER_PAGE a page (`?page=2`; a page past the end, or
    not a number, shows the last one or the first)."""

    paginate_by = NOTES_PER_PAGE

    def paginate_queryset(self, queryset, page_size):
        # Paginator.get_page, forgiving where ListView's default answers 404.
        page = self.get_paginator(queryset, page_size).get_page(self.request.GET.get("page"))
        return page.paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        # The page's notes come from the cache, under the list's current version (caching.py).
        context = super().get_context_data(**kwargs)
        context.update(list_version=list_version(), cache_timeout=FRAGMENT_TIMEOUT)
        return context


class NoteDetailView(OwnNotesMixin, DetailView):
    """One of the user's notes; 404 for any other id."""


class NoteCreateView(LoginRequiredMixin, CreateView):
    """Add a note, owned by the signed-in user, then go back to the list."""

    form_class = NoteForm
    template_name = "notes/note_form.html"
    success_url = reverse_lazy("notes:list")

    def form_valid(self, form):
        form.instance.owner = self.request.user
        return super().form_valid(form)
