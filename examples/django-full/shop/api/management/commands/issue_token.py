"""`manage.py issue_token EMAIL NAME`: issue an API token for a user and print its secret, once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ...models import Token


class Command(BaseCommand):
    help = "Issue an API token for the user with EMAIL and print its secret (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("name", help="What the token is for, e.g. a script's name.")

    def handle(self, *args, email: str, name: str, **options) -> None:
        user_model = get_user_model()
        try:
            user = user_model.objects.get_by_natural_key(email)
        except user_model.DoesNotExist:
            raise CommandError(f"No user has the email address {email}.") from None
        _, secret = Token.objects.issue(user, name)
        self.stdout.write(secret)
