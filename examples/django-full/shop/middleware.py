"""Request body limit: 413 before a byte of an oversized body is read."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class RequestBodyLimitMiddleware:
    """Answer 413 Content Too Large, with templates/413.html, to a request that declares a body
    (Content-Length, in bytes) larger than DATA_UPLOAD_MAX_MEMORY_SIZE.

    Django enforces that limit itself only once a view reads the form, and answers 400 then; this
    tells the client what is wrong, and costs nothing to read. A body sent without Content-Length
    still meets Django's own check.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return render(request, "413.html", {"limit": limit}, status=413)
        return self.get_response(request)
