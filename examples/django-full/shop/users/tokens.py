"""The tokens in the links that confirm a new account's email address."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class SignUpTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset tokens, under a salt of their own (a confirmation link is no reset
    link) and bound to the account being inactive: a link works until the account is confirmed, a
    later sign-up for the address replaces its password, or PASSWORD_RESET_TIMEOUT (3 days) passes.
    """

    key_salt = "users.tokens.SignUpTokenGenerator"

    def _make_hash_value(self, user, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


sign_up_token_generator = SignUpTokenGenerator()
