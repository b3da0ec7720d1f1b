"""The Django flavour's promises, proved on a generated project with Django's own commands and a served admin."""

import http.client
import http.cookiejar
import json
import re
import secrets
import subprocess
import textwrap
import time
import urllib.parse
import urllib.request

import pytest
from helpers import free_port, project_env, wait_for_health

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("django")]

ADMIN_URL = "staff-only/"


def production_env(**extra: str) -> dict[str, str]:
    """What an operator sets in production; these win over the development `.env`."""
    values = {
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "shop.example.com",
        "DJANGO_ADMIN_URL": ADMIN_URL,
    }
    return project_env(**{**values, **extra})


@pytest.fixture(scope="module")
def project(generate):
    return generate("django").sync()


def test_migrations_match_the_models(project):
    project.uv_run("python", "manage.py", "makemigrations", "--check", "--dry-run")


def test_deploy_check_is_clean_with_production_values(project):
    result = project.uv_run("python", "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert "System check identified no issues" in result.stdout


def test_production_settings_serve_collected_static_files(project):
    """After collectstatic, pages link hashed files that WhiteNoise serves; /health stays plain HTTP."""
    env = production_env(DJANGO_ALLOWED_HOSTS="testserver")
    static_root = project.path / "staticfiles"
    project.uv_run("python", "manage.py", "collectstatic", "--noinput", env=env)
    assert (static_root / "staticfiles.json").is_file()
    assert list(static_root.glob("style.*.css.gz"))
    # Django's test client drives the whole WSGI stack in-process, with the production settings.
    script = textwrap.dedent(f"""
        import os, re
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
        import django
        django.setup()
        from django.test import Client
        client = Client()
        page = client.get("/{ADMIN_URL}login/", secure=True)
        assert page.status_code == 200, page.status_code
        assert "Content-Security-Policy" in page.headers
        css = re.search(r'href="(/static/admin/css/base\\.[0-9a-f]{{12}}\\.css)"', page.text).group(1)
        static = client.get(css, secure=True)
        assert static.status_code == 200 and "immutable" in static["Cache-Control"], static.headers
        assert client.get("/health").status_code == 200
        assert client.get("/").status_code == 301
        print("production ok")
    """)
    assert "production ok" in project.uv_run("python", "-c", script, env=env).stdout


def test_under_gunicorn_a_view_that_raises_leaves_its_traceback_on_stdout(project, tmp_path):
    """gunicorn with the production settings (DEBUG off) on a database that cannot be opened, as a server that is
    down: the notes list, for a visitor with a session cookie (the session is read from the database), answers a bare
    500, and the log on stdout has the request's error with its traceback."""
    port = free_port()
    env = production_env(
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}",  # a folder that does not exist
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        WEB_CONCURRENCY="1",
        GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port}",
    )
    project.uv_run("python", "manage.py", "collectstatic", "--noinput", env=env)
    server = subprocess.Popen(
        ["uv", "run", "--quiet", "gunicorn"],
        cwd=project.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_health(server, port)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"X-Forwarded-Proto": "https", "Cookie": "sessionid=any-session-key"}
        connection.request("GET", "/notes/", headers=headers)
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
    finally:
        server.terminate()
        stdout, stderr = server.communicate(timeout=30)
    assert response.status == 500, body
    assert "Traceback" not in body and "OperationalError" not in body, body
    # settings.LOGGING's production format: a JSON object per line, the traceback in its record.
    records = [json.loads(line) for line in stdout.splitlines()]
    errors = [record for record in records if record["level"] == "ERROR"]
    assert len(errors) == 1, stdout
    (error,) = errors
    # The request's own line follows, with the same id: reading the user for it does not fail again.
    (line,) = [record for record in records if record.get("path") == "/notes/" and record["level"] == "INFO"]
    assert (line["status"], line["user_id"], line["request_id"]) == (500, None, error["request_id"]), stdout
    assert (error["logger"], error["message"]) == ("django.request", "Internal Server Error: /notes/"), stdout
    assert error["traceback"].startswith("Traceback (most recent call last)"), stdout
    assert "sqlite3.OperationalError: unable to open database file" in error["traceback"], stdout
    assert "Internal Server Error" not in stderr, "the app logs to stdout; stderr is gunicorn's own"


class Browser:
    """A cookie-keeping HTTP client that fills in Django's CSRF token, as a browser submits a form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str, str]:
        """GET `path`, following redirects; return (status, final path, body). HTTP errors are returned too."""
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, urllib.parse.urlsplit(response.url).path, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, path, error.read().decode()

    def submit(self, path: str, fields: dict[str, str]) -> tuple[int, str, str]:
        """GET the form at `path`, then POST `fields` with its CSRF token; return what `get` returns."""
        _, _, page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        with self.opener.open(self.base + path, data=data, timeout=10) as response:
            return response.status, urllib.parse.urlsplit(response.url).path, response.read().decode()


def test_superuser_from_createsuperuser_adds_a_note_in_the_admin(project, tmp_path):
    env = project_env(DJANGO_ADMIN_URL=ADMIN_URL, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    project.uv_run("python", "manage.py", "migrate", "--noinput", env=env)
    superuser = {"DJANGO_SUPERUSER_EMAIL": "root@example.com", "DJANGO_SUPERUSER_PASSWORD": "a long passphrase"}
    project.uv_run("python", "manage.py", "createsuperuser", "--noinput", env={**env, **superuser})

    port = free_port()
    server = subprocess.Popen(
        ["uv", "run", "--quiet", "python", "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=project.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 120
        while True:
            try:
                if browser.get("/health")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise AssertionError(f"runserver did not start:\n{server.communicate()[0]}")
            time.sleep(0.3)

        assert browser.get("/admin/")[0] == 404
        assert browser.get(f"/{ADMIN_URL}")[1] == f"/{ADMIN_URL}login/"

        status, path, page = browser.submit(
            f"/{ADMIN_URL}login/?next=/{ADMIN_URL}",
            {"username": "root@example.com", "password": "a long passphrase", "next": f"/{ADMIN_URL}"},
        )
        assert (status, path) == (200, f"/{ADMIN_URL}"), page
        # The note's owner: the superuser, from the form's list of users.
        form = browser.get(f"/{ADMIN_URL}notes/note/add/")[2]
        owner = re.search(r'<option value="(\d+)">root@example.com</option>', form).group(1)
        status, path, page = browser.submit(
            f"/{ADMIN_URL}notes/note/add/",
            {"owner": owner, "title": "From the admin", "body": "Added by the superuser.", "_save": "Save"},
        )
        assert (status, path) == (200, f"/{ADMIN_URL}notes/note/"), page
        assert "From the admin" in page
        assert "From the admin" in browser.get("/notes/")[2]
    finally:
        server.terminate()
        server.wait(timeout=10)
