"""Staff need their second factor here as in the admin (config/urls.py): a staff user signed in with
a password alone gets neither the API's docs and schema nor its tokens."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from two_factor.utils import default_device


def second_factor_for_staff(view):
    """`view`, except for staff not signed in with a second factor: those are sent to set one up
    (or, if they have one, to sign in with it), and come back to `view` after."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        user = request.user
        if user.is_staff and not user.is_verified():
            to = "login" if default_device(user) else "two_factor:setup"
            return redirect_to_login(request.get_full_path(), to)
        return view(request, *args, **kwargs)

    return checked
