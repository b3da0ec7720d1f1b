import os
import subprocess
import sys

import pytest


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_index_renders_the_layout(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "<h1>" in response.text
    assert "/static/style.css" in response.text


@pytest.mark.django_db
def test_custom_user_model(django_user_model):
    user = django_user_model.objects.create_user(username="ada", password="a long password")
    assert django_user_model._meta.label == "users.User"
    assert user.check_password("a long password")


def test_settings_refuse_to_load_without_a_secret_key():
    environment = {**os.environ, "DJANGO_SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr
