"""Tokens expire and record when they were last used.

Tokens issued before this migration expire 90 days (DJANGO_API_TOKEN_DAYS, if set) after it runs:
AddField gives every existing row the field's default, computed once, when the migration runs.
"""

from django.db import migrations, models

import shop.api.models


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="token",
            name="expires_at",
            field=models.DateTimeField(
                default=shop.api.models.default_expiry, editable=False
            ),
        ),
        migrations.AddField(
            model_name="token",
            name="last_used_at",
            field=models.DateTimeField(
                editable=False,
                help_text="To the minute; empty if it was never used.",
                null=True,
            ),
        ),
    ]
