"""The REST API: Django Ninja, at /api/. Its schema is /api/openapi.json and its interactive docs
/api/docs, both open to staff only unless DEBUG is on. Each app adds its operations as a router
(see shop/notes/api.py).

Request bodies are JSON only (api/parser.py); the rate limits are a middleware's (api/limits.py).
"""

from functools import wraps

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from ninja import NinjaAPI

from shop.api.errors import install_handlers
from shop.api.parser import JsonParser
from shop.api.staff import second_factor_for_staff
from shop.notes.api import router as notes_router


def docs_access(view):
    """The docs' and the schema's views: staff only unless DEBUG is on. The Swagger UI, served from
    this site's static files, draws its icons from data: URLs, which the site's policy forbids.

    Staff need their second factor here, as in the admin."""
    view = csp_override({**settings.SECURE_CSP, "img-src": [CSP.SELF, "data:"]})(view)
    staff_view = staff_member_required(second_factor_for_staff(view))

    @wraps(view)
    def checked(request, *args, **kwargs):
        return (view if settings.DEBUG else staff_view)(request, *args, **kwargs)

    return checked


api = NinjaAPI(
    title="Shop API",
    version="1.0.0",
    docs_decorator=docs_access,
    parser=JsonParser(),
)
install_handlers(api)
api.add_router("/notes", notes_router)
