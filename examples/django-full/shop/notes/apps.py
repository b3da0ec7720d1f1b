from django.apps import AppConfig


class NotesConfig(AppConfig):
    """A sample app that shows where models, admin, views, templates, URLs, API operations and
    tests go.

    To remove it: delete this folder, tests/test_notes.py and tests/test_api.py, then take it out
    of config/urls.py, config/api.py, templates/nav.html and INSTALLED_APPS
    ("shop.notes").
    """

    name = "shop.notes"
    label = "notes"
    verbose_name = "Notes"

    def ready(self) -> None:
        # Connect the receivers of signals.py.
        from . import signals  # noqa: F401
