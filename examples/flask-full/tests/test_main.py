import json
import re
import secrets
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import PRODUCTION_ENV

from shop import create_app


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="FLASK_SECRET_KEY"):
        create_app()


def test_reads_settings_from_flask_environment_variables(monkeypatch):
    key = secrets.token_urlsafe(50)
    monkeypatch.setenv("FLASK_SECRET_KEY", key)
    monkeypatch.setenv("FLASK_MAX_CONTENT_LENGTH", "2048")
    monkeypatch.setenv("FLASK_TRUSTED_HOSTS", '["example.com", ".example.org"]')
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    app = create_app()
    assert app.config["SECRET_KEY"] == key
    assert app.config["MAX_CONTENT_LENGTH"] == 2048
    assert app.config["TRUSTED_HOSTS"] == ["example.com", ".example.org"]


@pytest.mark.parametrize("debug", [False, True])
def test_logs_one_line_per_record_on_stdout_from_the_level_configured(monkeypatch, debug):
    """JSON in production, text in development."""
    # In a process of its own: under pytest, logging is configured already and left alone.
    monkeypatch.setenv("FLASK_DEBUG", str(debug).lower())
    monkeypatch.setenv("FLASK_SECRET_KEY", secrets.token_urlsafe(50))
    monkeypatch.setenv("FLASK_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("FLASK_TRUSTED_HOSTS", '["example.com"]')
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    code = (
        "from shop import create_app\n"
        "app = create_app()\n"
        "app.logger.info('not written')\n"
        "app.logger.warning('written')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == ""
    if debug:
        # In debug mode, Flask lowers app.logger's own level to DEBUG.
        timestamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}"
        line = timestamp + r" WARNING \[shop\] written"
        assert re.search(f"^{line}$", result.stdout, re.MULTILINE)
    else:
        assert "not written" not in result.stdout
        records = [json.loads(line) for line in result.stdout.splitlines()]
        # Other loggers may warn at startup too (an extension about its settings): pick this one.
        (record,) = [r for r in records if r["logger"] == "shop"]
        assert datetime.fromisoformat(record.pop("time")).utcoffset() == timedelta(0)
        assert record == {
            "level": "WARNING",
            "logger": "shop",
            "message": "written",
            "request_id": None,
        }
