"""Request bodies: JSON, and only JSON."""

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.parser import Parser


class JsonParser(Parser):
    """ninja's JSON parser, for bodies sent as `Content-Type: application/json` alone (with or
    without parameters such as charset): 415 for any other type, or none, rather than a guess."""

    def parse_body(self, request: HttpRequest):
        if request.content_type != "application/json":
            raise HttpError(415, "Unsupported Media Type")
        return super().parse_body(request)
