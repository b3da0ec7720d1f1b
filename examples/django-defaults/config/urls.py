"""URL configuration.

Pages, probes, accounts, the notes app, the API and the admin.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from shop import views

from .api import api

urlpatterns = [
    path("", views.index, name="index"),
    path("health", views.health, name="health"),
    path("ready", views.ready, name="ready"),
    path("accounts/", include("shop.users.urls")),
    path("accounts/tokens/", include("shop.api.urls")),
    path("notes/", include("shop.notes.urls")),
    path("api/", api.urls),
    path(settings.ADMIN_URL, admin.site.urls),
]
