"""The API's one error shape, for every error it answers, whoever raises it:

    {"code": 422, "status": "Unprocessable Entity", "message": "...",
     "errors": {"json": {"title": ["..."]}}}

`errors` comes with 422 only: messages by where the data was (json, query, path), then by field
("_schema" for the body as a whole). The handlers cover what happens inside an operation; the
middleware covers what Django answers before one runs (an unknown URL) and ninja's plain-text 405.
"""

import json
from collections import defaultdict
from http import HTTPStatus

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

API_PREFIX = "/api/"
# ninja's name for where a parameter came from -> the name in the error shape.
LOCATIONS = {"body": "json", "query": "query", "path": "path"}
# Status -> (reason phrase, message). The phrases are fixed here, as http.HTTPStatus's change
# between Python versions (413 and 422 in 3.13).
STATUSES = {
    400: ("Bad Request", "The request could not be read."),
    401: ("Unauthorized", "Sign in, or send a token: Authorization: Bearer <token>."),
    403: ("Forbidden", "This request is not allowed."),
    404: ("Not Found", "Nothing here."),
    405: ("Method Not Allowed", "This method is not allowed here: see the Allow header."),
    409: ("Conflict", "The request conflicts with the current state of the resource."),
    413: ("Request Entity Too Large", "The request body is too large."),
    415: ("Unsupported Media Type", "Send the body as JSON: Content-Type: application/json."),
    422: ("Unprocessable Entity", "The request's data is not valid: see errors."),
    429: ("Too Many Requests", "Too many requests: try again after the time in Retry-After."),
    500: ("Internal Server Error", "Something went wrong on our side; it has been logged."),
}


class Error(Schema):
    code: int
    status: str
    message: str
    errors: dict[str, dict[str, list[str]]] | None = None


class ApiError(HttpError):
    """An error an operation raises to answer HTTP `status` in the error shape, with `message`
    (default: STATUSES') and, with 422, `errors`."""

    def __init__(self, status: int, message: str | None = None, errors: dict | None = None):
        super().__init__(status, message or STATUSES[status][1])
        self.message = message
        self.errors = errors


def error_body(status: int, message: str | None = None, errors: dict | None = None) -> dict:
    """The error shape for HTTP `status`; `message` defaults to STATUSES'."""
    status_name = HTTPStatus(status)
    phrase, default = STATUSES.get(status, (status_name.phrase, status_name.description))
    body = {"code": status, "status": phrase, "message": message or default}
    if errors:
        body["errors"] = errors
    return body


def error_response(status: int, message: str | None = None, errors: dict | None = None):
    """A JsonResponse with the error shape for HTTP `status`."""
    return JsonResponse(error_body(status, message, errors), status=status)


def field_errors(exc: ValidationError) -> dict[str, dict[str, list[str]]]:
    """Pydantic's errors, as ninja reports them, grouped by location then field."""
    grouped: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for error in exc.errors:
        source, *path = error["loc"]
        if source == "body":
            path = path[1:]  # the operation's parameter name, e.g. "payload"
        field = ".".join(str(part) for part in path) or "_schema"
        grouped[LOCATIONS.get(source, source)][field].append(error["msg"])
    return {location: dict(fields) for location, fields in grouped.items()}


def install_handlers(api: NinjaAPI) -> None:
    """Answer every error an operation raises with the error shape."""

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(422, errors=field_errors(exc))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error_response(exc.status_code, exc.message, exc.errors)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja answers 400 to whatever the parser raises: the parser's own error comes inside.
        if isinstance(exc.__cause__, HttpError):
            exc = exc.__cause__
        # A 403 says why (the CSRF check); every other status has its one message.
        return error_response(exc.status_code, str(exc) if exc.status_code == 403 else None)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(404)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return error_response(413)


class JsonErrorsMiddleware:
    """Under /api/, give an error response that is not JSON the error shape, keeping its status
    and headers (Allow): Django's 404 for an unknown URL, ninja's 405, and the 500 of an
    exception, which Django has logged with its traceback before this sees the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PREFIX)
            and response.status_code >= 400
            and not response.streaming
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            response.content = json.dumps(error_body(response.status_code))
            response["Content-Type"] = "application/json"
        return response
