"""Two-factor setup, backup codes and its profile page (django-two-factor-auth), under
account/two_factor/.

Staff reach the admin only once signed in with their second factor: from here on, the admin site
is django-two-factor-auth's, whose sign-in sends those who have none to set it up first.
"""

from django.contrib import admin
from django.urls import include, path
from two_factor.admin import AdminSiteOTPRequired
from two_factor.urls import urlpatterns as two_factor_urls

admin.site.__class__ = AdminSiteOTPRequired

urlpatterns = [
    path("", include(two_factor_urls)),
]
