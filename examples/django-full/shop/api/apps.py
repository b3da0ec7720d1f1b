from django.apps import AppConfig


class ApiConfig(AppConfig):
    """What the API's operations share: bearer tokens, authentication and the JSON errors. The
    API itself is config/api.py; each app's operations are its api.py."""

    name = "shop.api"
    label = "api"
    verbose_name = "API"
