"""Generated apps driven by a real browser: Debian's Chromium through Playwright, against gunicorn on loopback.

Each case generates the project, installs it, creates a fresh database with its migrations, creates an admin with
the project's own documented command, and serves it under gunicorn in production-like settings (DEBUG off, static
files served by the app as in production). Only the Secure flag on cookies is relaxed, through the documented
variable, because loopback speaks plain HTTP.

On failure, a screenshot and the page's HTML are saved under test-artifacts/<test name>/.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import subprocess
import time
from pathlib import Path

import pytest
from helpers import (
    FLASK_LOOPBACK_HOSTS,
    LOAD_API_RATE,
    TEMPLATE_ROOT,
    Project,
    answer_sets,
    free_port,
    project_env,
    serving,
    sign_up_confirmation_link,
    wait_for_health,
)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

ARTIFACTS = TEMPLATE_ROOT / "test-artifacts"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "correct horse battery staple 42"
USER_EMAIL = "member@example.com"
USER_PASSWORD = "another long passphrase 77"
HEADER_GREEN = "rgb(11, 110, 79)"  # partials/style.css: .site-header { background: var(--accent) } = #0b6e4f


class Flavour:
    """How one generated flavour is prepared, served and used. Paths are relative to the site's root."""

    answer_set: str
    wsgi_target: str
    login_path: str
    signup_path: str
    admin_path: str
    admin_notes_path: str
    admin_add_link: re.Pattern  # the accessible name of the link to the admin's create form
    login_error: str  # part of the message a wrong password shows

    def production_env(self, project: Project, database: Path) -> dict[str, str]:
        raise NotImplementedError

    def prepare(self, project: Project, env: dict[str, str]) -> None:
        """Migrate a fresh database and create the admin with the project's own documented command."""
        raise NotImplementedError

    def fill_login(self, page, email: str, password: str) -> None:
        raise NotImplementedError

    def fill_signup(self, page, email: str, password: str) -> None:
        raise NotImplementedError

    def after_signup(self, page, base: str, email: str, password: str) -> None:
        """What a new member does between the sign-up form and being signed in; nothing by default."""

    def delete_in_admin(self, page, title: str) -> None:
        """From the admin's list of notes, delete the note `title` the way a person does, confirming it."""
        raise NotImplementedError

    def choose_note_owner(self, page, email: str) -> None:
        """On the admin's create form of a note, choose its owner where notes have one; nothing by default."""


class Django(Flavour):
    answer_set = "django"
    wsgi_target = "config.wsgi"
    login_path = "/accounts/login/"
    signup_path = "/accounts/sign-up/"
    admin_path = "/admin/"
    admin_notes_path = "/admin/notes/note/"
    admin_add_link = re.compile(r"^add note", re.IGNORECASE)
    login_error = "Please enter a correct email address and password"

    def production_env(self, project, database):
        return project_env(
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY="browser-test-" + "k" * 60,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=f"sqlite:///{database}",
            # Plain HTTP on loopback: no redirect to HTTPS (.env.example documents the variable). The Secure
            # cookies need no relaxing: Chromium treats 127.0.0.1 as a secure context.
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_API_RATE=LOAD_API_RATE["django"],
        )

    def prepare(self, project, env):
        project.uv_run("python", "manage.py", "migrate", "--noinput", env=env)
        project.uv_run("python", "manage.py", "collectstatic", "--noinput", env=env)
        superuser = {"DJANGO_SUPERUSER_EMAIL": ADMIN_EMAIL, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD}
        project.uv_run("python", "manage.py", "createsuperuser", "--noinput", env={**env, **superuser})
        self.project, self.env = project, env  # for after_signup

    def fill_login(self, page, email, password):
        page.fill("input[name=username]", email)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")

    def fill_signup(self, page, email, password):
        page.fill("input[name=email]", email)
        page.fill("input[name=password1]", password)
        page.fill("input[name=password2]", password)
        page.click("main button[type=submit]")

    def after_signup(self, page, base, email, password):
        # A new account opens, and signs in, through the link that its confirmation mail carries.
        page.goto(sign_up_confirmation_link(self.project, self.env, base, email))

    def choose_note_owner(self, page, email):
        page.select_option("select[name=owner]", label=email)

    def delete_in_admin(self, page, title):
        # The change form's Delete link, then Django's confirmation page.
        page.get_by_role("link", name=title, exact=True).click()
        page.locator("a.deletelink").click()
        page.locator("#content form input[type=submit]").click()


class Flask(Flavour):
    answer_set = "flask-all"
    wsgi_target = "shop:create_app()"
    login_path = "/login"
    signup_path = "/register"
    admin_path = "/admin/"
    admin_notes_path = "/admin/note/"
    admin_add_link = re.compile(r"^create$", re.IGNORECASE)
    # The same for an unknown email address: the message tells nothing about the account.
    login_error = "Authentication failed - identity or password/passcode invalid"

    def production_env(self, project, database):
        return project_env(
            FLASK_DEBUG="false",
            FLASK_SECRET_KEY="browser-test-" + "k" * 60,
            FLASK_SECURITY_PASSWORD_SALT="browser-test-salt-" + "s" * 40,
            FLASK_TOTP_SECRET_KEY="browser-test-totp-" + "t" * 40,  # read with two-factor sign-in only
            **FLASK_LOOPBACK_HOSTS,
            FLASK_API_RATE=LOAD_API_RATE["flask"],
            DATABASE_URL=f"sqlite:///{database}",
        )

    def prepare(self, project, env):
        project.uv_run("flask", "--app", "shop", "db", "upgrade", env=env)
        project.uv_run("flask", "--app", "shop", "create-admin", ADMIN_EMAIL, "--password", ADMIN_PASSWORD, env=env)
        self.project, self.env = project, env  # for after_signup

    def fill_login(self, page, email, password):
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("main input[type=submit]")

    def fill_signup(self, page, email, password):
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        if page.locator("input[name=password_confirm]").count():
            page.fill("input[name=password_confirm]", password)
        page.click("main input[type=submit]")

    def after_signup(self, page, base, email, password):
        # A new account signs in once its address is confirmed: follow the link its confirmation mail carries.
        page.goto(sign_up_confirmation_link(self.project, self.env, base, email))
        page.goto(base + self.login_path)
        self.fill_login(page, email, password)

    def delete_in_admin(self, page, title):
        # The row's delete button asks through the browser's confirm dialog, from an inline handler that the
        # admin's Content-Security-Policy must allow: blocked, the dialog never shows and the delete goes ahead.
        messages = []

        def accept(dialog):
            messages.append(dialog.message)
            dialog.accept()

        page.once("dialog", accept)
        with page.expect_navigation():
            page.locator("tr", has_text=title).locator("button[title='Delete Record']").click()
        assert messages == ["Are you sure you want to delete this record?"]


FLAVOURS = {"django": Django(), "flask-all": Flask()}


@pytest.fixture
def page(browser, request):
    """A new browser context and page; on failure its screenshot and HTML go to test-artifacts/."""
    context = browser.new_context()
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)  # set by conftest.pytest_runtest_makereport
    if report is not None and report.failed:
        folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "page.png"), full_page=True)
        (folder / "page.html").write_text(page.content())
    context.close()


@pytest.fixture(scope="module", params=answer_sets(*FLAVOURS))
def site(request, generate, tmp_path_factory):
    """(flavour, base URL): the project served by gunicorn with a fresh database, for the whole module."""
    flavour = FLAVOURS[request.param]
    project = generate(flavour.answer_set).sync()
    folder = tmp_path_factory.mktemp("browser-site")
    env = flavour.production_env(project, folder / "site.sqlite3")
    flavour.prepare(project, env)
    port = free_port()
    # gunicorn logs every request. Into a file: a pipe nobody reads fills up (64 KiB, a few hundred requests into
    # the module) and then blocks the workers that write to it, and the browser waits for pages that never come.
    log = folder / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            ["uv", "run", "--quiet", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2", flavour.wsgi_target],
            cwd=project.path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    wait_for_health(server, port, timeout=120, log=log)
    yield flavour, f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=15)


def sign_in(page, site, email, password):
    flavour, base = site
    page.goto(base + flavour.login_path)
    flavour.fill_login(page, email, password)


def test_home_page_renders_with_its_stylesheet(page, site):
    _, base = site
    page.goto(base + "/")
    header = page.locator(".site-header")
    # A computed style proves the stylesheet was found, served and applied, which a 200 alone does not.
    assert header.evaluate("element => getComputedStyle(element).backgroundColor") == HEADER_GREEN


def test_wrong_password_shows_an_error(page, site):
    flavour, _ = site
    sign_in(page, site, ADMIN_EMAIL, "not the password")
    assert flavour.login_error.lower() in page.locator("main").inner_text().lower()


def create_note_in_admin(page, site) -> str:
    """Through the admin's create form, as the signed-in admin; return the new note's title."""
    flavour, base = site
    page.goto(base + flavour.admin_notes_path)
    page.get_by_role("link", name=flavour.admin_add_link).first.click()
    title = f"Written in a browser {time.monotonic_ns()}"
    page.fill("input[name=title]", title)
    page.fill("textarea[name=body]", "Through the admin form.")
    flavour.choose_note_owner(page, ADMIN_EMAIL)
    page.get_by_role("button", name="Save", exact=True).click()
    return title


def test_admin_signs_in_and_creates_a_note(page, site):
    flavour, base = site
    sign_in(page, site, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(base + flavour.admin_path)
    assert page.url.startswith(base + flavour.admin_path)
    title = create_note_in_admin(page, site)
    page.goto(base + flavour.admin_notes_path)
    assert title in page.locator("body").inner_text()


def test_admin_deletes_a_note_after_confirming(page, site):
    flavour, base = site
    blocked = []  # what the Content-Security-Policy stopped, as Chromium reports it on the console
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))
    sign_in(page, site, ADMIN_EMAIL, ADMIN_PASSWORD)
    title = create_note_in_admin(page, site)
    page.goto(base + flavour.admin_notes_path)
    flavour.delete_in_admin(page, title)
    page.goto(base + flavour.admin_notes_path)
    assert title not in page.locator("body").inner_text()
    assert blocked == []


def test_member_is_refused_the_admin(page, site):
    flavour, base = site
    page.goto(base + flavour.signup_path)
    flavour.fill_signup(page, USER_EMAIL, USER_PASSWORD)
    flavour.after_signup(page, base, USER_EMAIL, USER_PASSWORD)
    assert USER_EMAIL in page.locator(".site-nav").inner_text()
    response = page.goto(base + flavour.admin_notes_path)
    refused = response.status == 403 or "not authorized" in page.locator("body").inner_text()
    assert refused, f"{page.url} answered {response.status}"
    assert "Written in a browser" not in page.locator("body").inner_text()


def test_sign_out(page, site):
    _, base = site
    sign_in(page, site, ADMIN_EMAIL, ADMIN_PASSWORD)
    nav = page.locator(".site-nav")
    assert ADMIN_EMAIL in nav.inner_text()
    nav.locator("button", has_text="Log out").click()
    page.goto(base + "/")
    assert "Log in" in page.locator(".site-nav").inner_text()
    assert ADMIN_EMAIL not in page.locator(".site-nav").inner_text()


def test_admin_needs_no_code_without_two_factor(page, site):
    """Without two-factor sign-in (these answer sets' default), the password alone opens the admin."""
    flavour, base = site
    sign_in(page, site, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert page.locator("input[name$=otp_token], input[name=code]").count() == 0
    assert "/tf-" not in page.url
    page.goto(base + flavour.admin_path)
    assert page.url.startswith(base + flavour.admin_path)
    assert "login" not in page.url


# --- Two-factor sign-in: Django with data_sensitivity=sensitive -----------------------------------------------------


def totp(secret: str, at: float) -> str:
    """The RFC 6238 code (SHA-1, 30 s, 6 digits) of the base32 `secret` at Unix time `at`, as an authenticator app
    computes it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, int(at // 30).to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(int.from_bytes(digest[offset : offset + 4], 'big') & 0x7FFFFFFF) % 1_000_000:06d}"


def serve_sensitive(flavour, project, folder: Path):
    """Serve `project` (an answer set with two-factor sign-in) like `site`, under gunicorn with 2 workers; yield its
    base URL, then stop it."""
    env = flavour.production_env(project, folder / "site.sqlite3")
    flavour.prepare(project, env)
    with serving(project, {**env, "WEB_CONCURRENCY": "2"}, folder / "gunicorn.log") as server:
        yield f"http://127.0.0.1:{server.port}"


@pytest.fixture(scope="module")
def two_factor_site(generate, tmp_path_factory):
    """The base URL of the Django project with two-factor sign-in, served like `site`."""
    project = generate("django-sensitive").sync()
    yield from serve_sensitive(Django(), project, tmp_path_factory.mktemp("browser-two-factor"))


@pytest.mark.xdist_group("django-sensitive")
def test_django_admin_enrols_then_signs_in_with_a_totp_code(page, two_factor_site):
    """The admin, sent to set up an authenticator app before the admin opens; then, in a new sign-in, the password
    alone is not enough, a wrong code is refused, and the code computed from the enrolled secret opens the admin."""
    base = two_factor_site
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))

    def password_step():
        page.fill("input[name=auth-username]", ADMIN_EMAIL)
        page.fill("input[name=auth-password]", ADMIN_PASSWORD)
        page.get_by_role("button", name="Next").click()

    page.goto(base + "/admin/")
    assert page.url.startswith(base + "/accounts/login/")
    password_step()
    assert "/account/two_factor/setup/" in page.url  # no admin before the second factor is set up
    page.get_by_role("button", name="Next").click()  # the welcome step
    secret = page.locator("a[href^='otpauth://']").inner_text().strip()
    # The QR code is an image the site serves: wait until it has loaded, then it must have pixels.
    qr_code = page.locator("img[alt='QR Code']")
    qr_code.evaluate(
        "image => image.complete || new Promise(done => ['load', 'error'].forEach(e => image.addEventListener(e, done)))"
    )
    assert qr_code.evaluate("image => image.naturalWidth") > 0
    page.fill("input[name=generator-token]", totp(secret, time.time()))
    page.get_by_role("button", name="Next").click()
    page.goto(base + "/admin/")
    assert page.url == base + "/admin/"

    page.context.clear_cookies()  # a new browser
    page.goto(base + "/admin/")
    password_step()
    token = page.locator("input[name=token-otp_token]")
    assert token.count() == 1, "the password alone does not sign in"
    right = totp(secret, time.time() + 30)  # the next period's code: the one used at setup cannot be used again
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    token.fill(wrong)
    page.get_by_role("button", name="Next").click()
    assert page.locator("input[name=token-otp_token]").count() == 1
    assert "Invalid token" in page.locator("main").inner_text()
    page.goto(base + "/admin/")
    assert page.url.startswith(base + "/accounts/login/"), "still not signed in"

    page.wait_for_timeout(1500)  # after a wrong code, django-otp refuses any code for a second
    page.goto(base + "/admin/")
    password_step()
    page.fill("input[name=token-otp_token]", right)
    page.get_by_role("button", name="Next").click()
    page.goto(base + "/admin/")
    assert page.url == base + "/admin/"
    assert "Site administration" in page.locator("body").inner_text()
    assert blocked == []


# --- Two-factor sign-in: Flask with data_sensitivity=sensitive ------------------------------------------------------


@pytest.fixture(scope="module")
def flask_two_factor_site(generate, tmp_path_factory):
    """The base URL of the Flask project with two-factor sign-in, served like `site`."""
    project = generate("flask-sensitive").sync()
    yield from serve_sensitive(Flask(), project, tmp_path_factory.mktemp("browser-flask-two-factor"))


@pytest.mark.xdist_group("flask-sensitive")
def test_flask_admin_enrols_then_signs_in_with_a_totp_code(page, flask_two_factor_site):
    """The admin, sent to set up an authenticator app before the admin opens; then, in a new sign-in, the password
    alone is not enough, a wrong code is refused, and the code computed from the enrolled secret opens the admin."""
    base = flask_two_factor_site
    blocked = []
    page.on("console", lambda message: "Content Security Policy" in message.text and blocked.append(message.text))

    def password_step():
        page.fill("input[name=email]", ADMIN_EMAIL)
        page.fill("input[name=password]", ADMIN_PASSWORD)
        page.click("main input[type=submit]")

    page.goto(base + "/admin/")
    assert page.url.startswith(base + "/login")
    password_step()
    assert page.url.startswith(base + "/tf-setup")  # no admin before the second factor is set up
    page.check("input[value=authenticator]")
    page.click("#submit")
    assert page.locator("#qrcode").evaluate("image => image.naturalWidth") > 0
    secret = page.locator("div", has_text=re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4})+$")).last.inner_text().strip()
    page.fill("input[name=code]", totp(secret.replace("-", ""), time.time()))
    page.click("#submit-code")
    page.goto(base + "/admin/")
    assert page.url == base + "/admin/"

    page.context.clear_cookies()  # a new browser
    page.goto(base + "/admin/")
    password_step()
    assert page.url.startswith(base + "/tf-validate"), "the password alone does not sign in"
    right = totp(secret.replace("-", ""), time.time())
    page.fill("input[name=code]", f"{(int(right) + 1) % 1_000_000:06d}")
    page.click("#submit-code")
    assert "Invalid code" in page.locator("main").inner_text()
    page.goto(base + "/admin/")
    assert page.url.startswith(base + "/login"), "still not signed in"

    page.goto(base + "/admin/")
    password_step()
    # The enrolment used this time step's code, and a code works once: the next step's code, which the app accepts
    # inside its validity window (SECURITY_TWO_FACTOR_AUTHENTICATOR_VALIDITY, 120 s), as a fast clock's app gives it.
    page.fill("input[name=code]", totp(secret.replace("-", ""), time.time() + 30))
    page.click("#submit-code")
    page.goto(base + "/admin/")
    assert page.url == base + "/admin/"
    assert "Shop admin" in page.locator("body").inner_text()
    assert blocked == []
