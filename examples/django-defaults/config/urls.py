"""URL configuration: the site's pages and probes, then each app's URLs under its prefix, and the
admin last.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from shop import views
from shop.users.views import limit_sign_in

from .api import api

urlpatterns = [
    path("", views.index, name="index"),
    path("health", views.health, name="health"),
    path("ready", views.ready, name="ready"),
    path("accounts/", include("shop.users.urls")),
    path("accounts/tokens/", include("shop.api.urls")),
    path("notes/", include("shop.notes.urls")),
    path("api/", api.urls),
    # The admin's login, under the site login's rate limit (counted together): before the admin's
    # own URLs, which would serve it without.
    path(f"{settings.ADMIN_URL}login/", limit_sign_in(admin.site.login)),
    path(settings.ADMIN_URL, admin.site.urls),
]
