"""Bare Django: the home page and the notes list, with Django's generic views."""

from django.urls import path
from django.views.generic import ListView, TemplateView
from notes.models import Note

urlpatterns = [
    path("", TemplateView.as_view(template_name="index.html"), name="index"),
    path("notes/", ListView.as_view(model=Note), name="notes"),
]
