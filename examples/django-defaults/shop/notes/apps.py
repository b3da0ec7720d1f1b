from django.apps import AppConfig


class NotesConfig(AppConfig):
    """A sample app that shows where models, admin, views, templates, URLs and tests go.

    To remove it: delete this folder and tests/test_notes.py, then take its line out of
    INSTALLED_APPS ("shop.notes"), out of config/urls.py and out of
    templates/nav.html.
    """

    name = "shop.notes"
    label = "notes"
    verbose_name = "Notes"
