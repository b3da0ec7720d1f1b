"""The app of each test, made with conftest.TEST_CONFIG, and its test client."""

import pytest
from conftest import TEST_CONFIG

from shop import create_app


@pytest.fixture
def app():
    return create_app(TEST_CONFIG)


@pytest.fixture
def client(app):
    return app.test_client()
