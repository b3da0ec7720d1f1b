"""Two-factor sign-in (django-two-factor-auth): an authenticator app (TOTP), with backup codes.
config/settings.py imports this module at its end.

Staff must set it up before the admin opens
(shop/users/two_factor_urls.py); everyone else may, from their profile.
Sessions last hours, not Django's two weeks.
"""

import environ

env = environ.Env()

SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=4 * 60 * 60)
OTP_TOTP_ISSUER = "Shop"
# A code is accepted once: django-otp keeps the last time step used and refuses it and older ones.
# Each wrong code in a row doubles the wait before another is checked, from this many seconds
# (1, 2, 4, 8, 16 ...; a right code ends the run): within 16 s of a 5th wrong code the 6th try is
# refused, the right code too, and after 20 the wait is six days. Backup codes likewise.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# django-axes keeps the failed form's fields, masked where secret: the wizard's password field too.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "auth-password"]
