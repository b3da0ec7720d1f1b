"""URL configuration: the pages, the probes, accounts, the sample notes app, and the admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from shop import views

urlpatterns = [
    path("", views.index, name="index"),
    path("health", views.health, name="health"),
    path("ready", views.ready, name="ready"),
    path("accounts/", include("shop.users.urls")),
    path("notes/", include("shop.notes.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
