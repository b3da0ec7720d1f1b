"""URL configuration: the site's pages and probes, then each app's URLs under its prefix, and the
admin last.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from shop import views
from shop.readiness import ready

from .api import api

urlpatterns = [
    path("", views.index, name="index"),
    path("health", views.health, name="health"),
    path("ready", ready, name="ready"),
    path("accounts/", include("shop.users.urls")),
    # Two-factor setup, backup codes and its profile page, under account/two_factor/; staff need
    # their second factor for the admin.
    path("", include("shop.users.two_factor_urls")),
    path("accounts/tokens/", include("shop.api.urls")),
    path("notes/", include("shop.notes.urls")),
    path("api/", api.urls),
    path(settings.ADMIN_URL, admin.site.urls),
]
