"""The admin interface at /admin (Flask-Admin), for users with the `admin` role only.

Every view, the index included, checks the role: anonymous visitors are sent to the login
page and signed-in users without the role get 403. Give the role with `flask create-admin`.
"""

from base64 import b64encode
from hashlib import sha256

from flask import Flask, Response, abort, current_app, redirect, request
from flask_admin import Admin, AdminIndexView
from flask_admin.contrib.sqla import ModelView
from flask_admin.theme import Bootstrap4Theme
from flask_security import current_user, hash_password, url_for_security
from wtforms import PasswordField
from wtforms.validators import ValidationError

from .accounts import Role, User
from .extensions import db
from .hardening import CONTENT_SECURITY_POLICY
from .models import Note


class AdminOnly:
    """Mixin for the index and every model view: only admins (`User.is_admin`) get in."""

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and current_user.is_admin

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for_security("login", next=request.full_path))
        abort(403)


# The largest id of every table (a 32-bit INTEGER on PostgreSQL), and the largest OFFSET of a
# query (a 64-bit integer): past them the database refuses the query, which would be a 500.
MAX_ID = 2**31 - 1
MAX_OFFSET = 2**63 - 1


class InRange:
    """Mixin for the model views: a page below the first or past MAX_OFFSET, and an id that is not
    a whole number up to MAX_ID, are 404. Within range, Flask-Admin answers as it does: an empty
    list past the last page (where a delete of its last row returns to), and for an id that names
    no row, the list with a message."""

    def get_list(self, page, *args, page_size=None, **kwargs):
        # Flask-Admin counts pages from 0 and passes its page size, 0 when the list is not paged.
        if page and not 0 < page * (page_size or 0) <= MAX_OFFSET:
            abort(404)
        return super().get_list(page, *args, page_size=page_size, **kwargs)

    def get_one(self, id):
        if not (id.isascii() and id.isdigit() and int(id) <= MAX_ID):
            abort(404)
        return super().get_one(id)


# Flask-Admin's list views ask before a delete, and run bulk actions, from these inline onclick
# handlers, which the site's Content-Security-Policy blocks. On the admin's pages, the policy lets
# exactly these run, by their hashes ('unsafe-hashes' is what allows hashes to match handlers);
# tests/test_admin.py fails if a Flask-Admin upgrade renders others.
ADMIN_INLINE_HANDLERS = (
    "return faHelpers.safeConfirm('Are you sure you want to delete this record?');",
    "return modelActions.execute('delete');",
)
ADMIN_CONTENT_SECURITY_POLICY = "{}; script-src 'self' 'unsafe-hashes' {}".format(
    CONTENT_SECURITY_POLICY,
    " ".join(
        f"'sha256-{b64encode(sha256(handler.encode()).digest()).decode()}'"
        for handler in ADMIN_INLINE_HANDLERS
    ),
)


class IndexView(AdminOnly, AdminIndexView):
    pass


class NoteView(AdminOnly, InRange, ModelView):
    """Every user's notes, with their owners. A note staff add without an owner is theirs; one
    without an owner (written before notes had owners) is seen by no user until given one."""

    column_list = ("title", "owner", "created_at")
    column_searchable_list = ("title",)
    form_columns = ("owner", "title", "body")

    def on_model_change(self, form, model, is_created: bool) -> None:
        if is_created and model.owner is None:
            model.owner = current_user._get_current_object()


class RoleView(AdminOnly, InRange, ModelView):
    column_list = ("name", "description")
    form_columns = ("name", "description")


class UserView(AdminOnly, InRange, ModelView):
    """Users without their secrets: no password hash, `fs_uniquifier` or tokens is listed or
    editable. A password typed into the form is hashed before it is stored, and ends the user's
    sessions."""

    column_list = ("email", "active", "roles", "create_datetime", "last_login_at")
    column_searchable_list = ("email",)
    form_columns = ("email", "active", "roles", "new_password")
    form_extra_fields = {"new_password": PasswordField("Password (leave empty to keep it)")}

    def on_model_change(self, form, model, is_created: bool) -> None:
        security = current_app.extensions["security"]
        try:
            model.email = security.mail_util.validate(form.email.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if form.new_password.data:
            # Checked against the email only: the model holds the new password too by now
            # (Flask-Admin copies every field onto it), and zxcvbn would find it "guessable".
            problems, password = security.password_util.validate(
                form.new_password.data, True, email=model.email
            )
            if problems:
                raise ValidationError(" ".join(problems))
            model.password = hash_password(password)
            # A new `fs_uniquifier` ends the user's sessions, as a password reset does.
            security.datastore.set_uniquifier(model)
        elif is_created:
            raise ValidationError("A new user needs a password.")
        if is_created:
            # Created by an admin: no confirmation mail to wait for.
            model.confirmed_at = security.datetime_factory()


def init_app(app: Flask) -> None:
    """Mount the admin on `app` at /admin, with a view per model."""
    admin = Admin(
        app,
        name="Shop admin",
        theme=Bootstrap4Theme(),
        index_view=IndexView(),
    )
    admin.add_view(NoteView(Note, db))
    admin.add_view(UserView(User, db, category="Accounts"))
    admin.add_view(RoleView(Role, db, category="Accounts"))

    # Replaces the site's policy on the admin's pages, whichever hook runs first: hardening's
    # sets only the headers a response does not have yet.
    @app.after_request
    def allow_admin_inline_handlers(response: Response) -> Response:
        if request.path == admin.url or request.path.startswith(f"{admin.url}/"):
            response.headers["Content-Security-Policy"] = ADMIN_CONTENT_SECURITY_POLICY
        return response
