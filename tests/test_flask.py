"""Flask with extensions: the migrations match the models (on SQLite and PostgreSQL, through psycopg 3),
`flask create-admin` opens /admin, and admin or security alone bring the database layer with them."""

import re
import subprocess
import urllib.parse
import urllib.request

import pytest
from helpers import ANSWER_SETS, answer_sets, copy_template, free_port, project_env, readme_block, wait_for_health

pytestmark = pytest.mark.slow
FLASK = ["flask", "--app", "shop"]  # the package of project_name "Shop"
CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]* value="([^"]+)"')


@pytest.mark.parametrize("name", answer_sets("flask-sqlalchemy", "flask-admin", "flask-security", "flask-all"))
def test_db_upgrade_then_check_is_clean_on_a_fresh_database(generate, name, tmp_path):
    project = generate(name)
    env = project_env(DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    project.uv_run(*FLASK, "db", "upgrade", env=env)
    result = project.uv_run(*FLASK, "db", "check", env=env)
    assert "No new upgrade operations detected." in result.stdout


@pytest.mark.parametrize("name", answer_sets("flask-all"))
def test_create_admin_makes_a_user_who_can_sign_in_and_open_the_admin(generate, name, tmp_path):
    project = generate(name)
    env = project_env(DATABASE_URL=f"sqlite:///{tmp_path / 'admin.sqlite3'}")
    project.uv_run(*FLASK, "db", "upgrade", env=env)
    password = "a long enough passphrase"
    created = project.uv_run(*FLASK, "create-admin", "boss@example.com", "--password", password, env=env)
    assert "Created boss@example.com" in created.stdout

    port = free_port()
    command = [*readme_block(project, "Run")[-1].split(), "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=project.path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait_for_health(server, port)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/admin/") as anonymous:
            assert urllib.parse.urlsplit(anonymous.url).path == "/login"
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        token = CSRF_TOKEN.search(browser.open(f"{base}/login").read().decode()).group(1)
        form = {"email": "boss@example.com", "password": password, "csrf_token": token}
        browser.open(f"{base}/login", urllib.parse.urlencode(form).encode())
        with browser.open(f"{base}/admin/") as response:
            assert response.status == 200
            assert response.url == f"{base}/admin/"
            assert "Shop admin" in response.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)


# In test_production.py's group for this project, so that one worker generates and syncs it.
@pytest.mark.parametrize("name", [pytest.param("flask-all", marks=pytest.mark.xdist_group("flask-all-postgresql"))])
def test_postgresql_goes_through_psycopg_3(generate, name, postgres_server):
    project = generate(name, database="postgresql")
    assert '"psycopg[binary]' in (project.path / "pyproject.toml").read_text()
    env = project_env(DATABASE_URL=postgres_server.create_database("flask_all"))
    driver = project.uv_run(
        "python",
        "-c",
        "from dotenv import load_dotenv; from shop import create_app; from shop.extensions import db\n"
        "load_dotenv()\nwith create_app().app_context(): print(db.engine.dialect.driver)",
        env=env,
    )
    assert driver.stdout.split() == ["psycopg"]
    project.uv_run(*FLASK, "db", "upgrade", env=env)
    assert "No new upgrade operations detected." in project.uv_run(*FLASK, "db", "check", env=env).stdout
    project.uv_run(*FLASK, "create-admin", "boss@example.com", "--password", "a long enough passphrase", env=env)
    database = env["DATABASE_URL"].rsplit("/", 1)[1]
    assert postgres_server.psql('SELECT email FROM "user"', database) == "boss@example.com"


@pytest.mark.parametrize("name", answer_sets("flask-admin", "flask-security"))
def test_admin_or_security_alone_is_the_same_project_as_with_sqlalchemy(generate, name, tmp_path):
    alone = generate(name).path
    answers = ANSWER_SETS[name]
    explicit = tmp_path / "explicit"
    copy_template(explicit, {**answers, "flask_extensions": ["sqlalchemy", *answers["flask_extensions"]]})
    # Every file of the explicit project, the same in `alone` (where other tests may have added uv.lock, .venv/...).
    for path in explicit.rglob("*"):
        # Not compared: fresh secrets, the answers as given, and the git repository the post-copy task made.
        if path.is_file() and path.name not in {".env", ".copier-answers.yml"} and ".git" not in path.parts:
            assert (alone / path.relative_to(explicit)).read_text() == path.read_text(), path
