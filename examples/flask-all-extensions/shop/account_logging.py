"""What the request's log line (request_id.py) says about accounts: the signed-in user's id, and
the path with the token of a reset or confirmation link, which signs in whoever has it, shown as
"[secret]"."""

from flask import Flask, Response, g, request

SECRET_VIEW_ARGS = {"token"}


def init_app(app: Flask) -> None:
    """Register the hook; it runs before request_id's, which writes the line."""
    app.after_request(add_to_log_line)


def add_to_log_line(response: Response) -> Response:
    g.logged_path = logged_path()
    g.log_fields = {**g.get("log_fields", {}), "user_id": signed_in_user_id()}
    return response


def logged_path() -> str:
    """The request's path, with the value of each view argument named in SECRET_VIEW_ARGS as
    "[secret]"."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_VIEW_ARGS:
            path = path.replace(str(value), "[secret]")
    return path


def signed_in_user_id() -> int | None:
    """The id of the user signed in for this request, if the request loaded one.

    Flask-Login keeps the user it loaded in `g._login_user`. Reading `current_user` instead would
    load it now, when the request may not have: from a token in the body, say, which fails again
    for a body over MAX_CONTENT_LENGTH.
    """
    user = g.get("_login_user")
    return user.id if user is not None and user.is_authenticated else None
