"""API tokens in the admin interface (admin.py), for the users with the `admin` role."""

from flask import Flask, flash
from flask_admin.contrib.sqla import ModelView

from .admin import AdminOnly, InRange
from .api.tokens import Token
from .extensions import db


class TokenView(AdminOnly, InRange, ModelView):
    """API tokens: staff issue one for a user (its secret is shown once, in a message) and revoke
    one by deleting it. A token is not edited: revoke it and issue another."""

    can_edit = False
    column_list = ("name", "user", "created_at", "expires_at", "last_used_at")
    column_searchable_list = ("name",)
    form_columns = ("user", "name")

    def on_model_change(self, form, model, is_created: bool) -> None:
        if is_created:
            secret = model.new_secret()
            flash(f"The token's secret, shown only this once: {secret}", "warning")


def init_app(app: Flask) -> None:
    """Add the tokens' view to the admin that admin.init_app mounted on `app`."""
    (admin,) = app.extensions["admin"]
    admin.add_view(TokenView(Token, db, name="API tokens", category="Accounts"))
