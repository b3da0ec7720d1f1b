"""The app of each test, made with its app_config (conftest.TEST_CONFIG, unless a plugin changes
it), and its test client."""

import pytest
from conftest import TEST_CONFIG

from shop import create_app


@pytest.fixture
def app_config() -> dict:
    """The configuration of the test's app."""
    return TEST_CONFIG


@pytest.fixture
def app(app_config):
    return create_app(app_config)


@pytest.fixture
def client(app):
    return app.test_client()
