"""URL configuration: the pages, accounts, the sample notes app, readiness, and the admin.

/health never reaches the URLconf: see shop/health.py.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from shop import views

urlpatterns = [
    path("", views.index, name="index"),
    path("ready", views.ready, name="ready"),
    path("accounts/", include("shop.users.urls")),
    path("notes/", include("shop.notes.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
