"""`copier update` over the template's real history, the way a team meets it after its first months of work.

A project is generated at START_COMMIT, an old commit of this repository (a clone with its history, as CI's is), in
each flavour. The team makes the edits a team makes early on, scripted below (a dependency, a model with its
migration registered in the admin, a settings edit, a new URL with its test, README and CSS edits, a deleted file, a
CI step of its own, its own values in `.env`), and commits them. `copier update` then brings the project to this
work tree (Copier reads this repository at HEAD with its uncommitted changes, as helpers.copy_template does). Every edit must survive the update: merged, or inside a conflict that the
after-update check names while it exits non-zero. The conflicts are then resolved as resolve() says, the commands
the check printed are run, and the project's tests, lint and migration checks must pass.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from helpers import TEMPLATE_ROOT, Project, copier_cli, git, require

# The v0.1.0 release commit: projects generated there must update to the work tree. Move it forward (and say so in
# CHANGELOG.md) when a release stops supporting updates from it. A commit, not the tag: clones may lack the tags.
START_COMMIT = "9e262de"

ANSWERS = {
    "flask": {"project_name": "Shop", "framework": "flask", "flask_extensions": ["sqlalchemy", "admin", "security"]},
    "django": {"project_name": "Shop", "framework": "django"},
}
FLAVOURS = [pytest.param(name, id=name, marks=pytest.mark.xdist_group(f"history-{name}")) for name in ANSWERS]

CONFLICT_START = re.compile(r"^<{7} before updating$", re.MULTILINE)
# A conflict hunk as Copier writes it inline: the project's lines (the team's), then the new template's.
CONFLICT_HUNK = re.compile(
    r"^<{7} before updating\n(?P<ours>.*?)^={7}\n(?P<theirs>.*?)^>{7} after updating\n", re.MULTILINE | re.DOTALL
)
NEW_MIGRATION = re.compile(r"^(migrations/versions/|shop/\w+/migrations/\d{4}_)\w*\.py$")
MIGRATE = {"flask": "uv run flask --app shop db upgrade", "django": "uv run python manage.py migrate"}


# --- The team's edits -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """One edit of the team's: `change` turns the file's text into the edited text (None deletes the file), and
    `mark` is a piece of the team's text that the file must still hold after the update."""

    path: str
    change: Callable[[str], str] | None
    mark: str = ""


def insert(text: str, anchor: str, addition: str, *, before: bool = False) -> str:
    """`text` with `addition` right after (or before) the first `anchor`. Raises AssertionError without it."""
    assert anchor in text, f"the team's edit needs {anchor!r}, which the file no longer has"
    at = text.index(anchor) + (0 if before else len(anchor))
    return text[:at] + addition + text[at:]


def add_dependency(text: str) -> str:
    """pyproject.toml with httpx at the end of `[project] dependencies`, as `uv add httpx` puts it."""
    start = text.index("dependencies = [\n")
    end = text.index("\n]\n", start)
    return text[:end] + '\n    "httpx>=0.28,<0.29",' + text[end:]


def add_ci_step(text: str) -> str:
    return text.rstrip("\n") + (
        "\n      - name: Audit the dependencies\n        run: uv run --with pip-audit pip-audit --skip-editable\n"
    )


COMMON_EDITS = [
    Edit("pyproject.toml", add_dependency, '"httpx>=0.28,<0.29",'),
    Edit(
        "README.md",
        lambda text: insert(text, "Shop: a Python web service.", " Shop sells socks, one pair at a time."),
        "Shop: a Python web service. Shop sells socks, one pair at a time.",
    ),
    Edit(
        "README.md",
        lambda text: text + "\n## Team\n\nThe shop team runs this service; ask in #shop.\n",
        "\n## Team\n\nThe shop team runs this service; ask in #shop.\n",
    ),
    Edit(
        "shop/static/style.css", lambda text: text + "\n.product-price {\n  font-weight: bold;\n}\n", ".product-price"
    ),
    Edit(".github/workflows/ci.yml", add_ci_step, "      - name: Audit the dependencies\n"),
    # The team deploys on a platform of its own, without Compose.
    Edit("compose.yaml", None),
]


def import_catalog(text: str) -> str:
    """The factory's `from . import ...` with the team's module added, one name a line as ruff formats it once the
    line is longer than 100 characters. Raises AssertionError when the factory has no such import."""
    found = re.search(r"^from \. import (\(\n(?:    \w+,\n)+\)|[\w, ]+)$", text, re.MULTILINE)
    assert found, "the factory no longer imports its modules with `from . import`"
    names = sorted({*re.findall(r"\w+", found[1]), "catalog"})
    wrapped = "from . import (\n" + "".join(f"    {name},\n" for name in names) + ")"
    return text[: found.start()] + wrapped + text[found.end() :]


FLASK_CATALOG = '''\
"""The catalogue: products, and their list as JSON at /products/."""

from flask import Blueprint, current_app
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db

bp = Blueprint("catalog", __name__)


class Product(db.Model):
    """A product for sale; `price_cents` in cents."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    price_cents: Mapped[int]


@bp.get("/products/")
def products() -> list[dict[str, object]]:
    """The first PRODUCTS_PER_PAGE products, cheapest first."""
    limit = current_app.config["PRODUCTS_PER_PAGE"]
    query = select(Product).order_by(Product.price_cents).limit(limit)
    return [{"name": p.name, "price_cents": p.price_cents} for p in db.session.scalars(query)]
'''
FLASK_CATALOG_TEST = """\
from shop.catalog import Product
from shop.extensions import db


def test_products_are_listed_cheapest_first(app, client):
    with app.app_context():
        db.session.add(Product(name="Socks", price_cents=500))
        db.session.add(Product(name="Hat", price_cents=300))
        db.session.commit()
    assert client.get("/products/").get_json() == [
        {"name": "Hat", "price_cents": 300},
        {"name": "Socks", "price_cents": 500},
    ]
"""

FLASK_EDITS = [
    Edit("shop/catalog.py", lambda _: FLASK_CATALOG, "class Product(db.Model):"),
    Edit("tests/test_catalog.py", lambda _: FLASK_CATALOG_TEST, "def test_products_are_listed_cheapest_first"),
    # The factory: the team's blueprint, and a setting of its own with its default.
    Edit("shop/__init__.py", import_catalog, "    catalog,\n"),
    Edit(
        "shop/__init__.py",
        lambda text: insert(
            text, "    app.register_blueprint(readiness.bp)\n", "    app.register_blueprint(catalog.bp)\n"
        ),
        "    app.register_blueprint(catalog.bp)\n",
    ),
    Edit(
        "shop/__init__.py",
        lambda text: insert(
            text,
            "    app = Flask(__name__, instance_relative_config=True)\n",
            "    app.config.from_mapping(PRODUCTS_PER_PAGE=20)  # FLASK_PRODUCTS_PER_PAGE overrides it\n",
        ),
        "    app.config.from_mapping(PRODUCTS_PER_PAGE=20)",
    ),
    # The admin: a view of the team's model, before RoleView (named alone: its bases change between releases).
    Edit(
        "shop/admin.py",
        lambda text: insert(text, "Role, User\n", "from .catalog import Product\n"),  # after .accounts
        "from .catalog import Product\n",
    ),
    Edit(
        "shop/admin.py",
        lambda text: insert(
            text,
            "class RoleView(",
            'class ProductView(AdminOnly, ModelView):\n    column_list = ("name", "price_cents")\n'
            '    column_searchable_list = ("name",)\n\n\n',
            before=True,
        ),
        "class ProductView(AdminOnly, ModelView):",
    ),
    Edit(
        "shop/admin.py",
        lambda text: insert(
            text, "    admin.add_view(NoteView(Note, db))\n", "    admin.add_view(ProductView(Product, db))\n"
        ),
        "    admin.add_view(ProductView(Product, db))\n",
    ),
]

DJANGO_CATALOG = {
    "shop/catalog/__init__.py": "",
    "shop/catalog/migrations/__init__.py": "",
    "shop/catalog/apps.py": (
        'from django.apps import AppConfig\n\n\nclass CatalogConfig(AppConfig):\n    """Products for sale."""\n\n'
        '    name = "shop.catalog"\n    label = "catalog"\n'
    ),
    "shop/catalog/models.py": (
        'from django.db import models\n\n\nclass Product(models.Model):\n    """A product for sale."""\n\n'
        "    name = models.CharField(max_length=100, unique=True)\n    price_cents = models.PositiveIntegerField()\n\n"
        "    def __str__(self) -> str:\n        return self.name\n"
    ),
    "shop/catalog/admin.py": (
        "from django.contrib import admin\n\nfrom .models import Product\n\n\n@admin.register(Product)\n"
        'class ProductAdmin(admin.ModelAdmin):\n    list_display = ("name", "price_cents")\n'
        '    list_filter = ("price_cents",)\n    search_fields = ("name",)\n'
    ),
    "shop/catalog/views.py": (
        "from django.conf import settings\nfrom django.http import HttpRequest, JsonResponse\n\n"
        "from .models import Product\n\n\ndef product_list(request: HttpRequest) -> JsonResponse:\n"
        '    """The first PRODUCTS_PER_PAGE products, cheapest first, as JSON."""\n'
        '    products = Product.objects.order_by("price_cents")[: settings.PRODUCTS_PER_PAGE]\n'
        '    data = [{"name": p.name, "price_cents": p.price_cents} for p in products]\n'
        "    return JsonResponse(data, safe=False)\n"
    ),
    "shop/catalog/urls.py": (
        'from django.urls import path\n\nfrom . import views\n\napp_name = "catalog"\n'
        'urlpatterns = [path("", views.product_list, name="list")]\n'
    ),
    "tests/test_catalog.py": (
        "import pytest\n\nfrom shop.catalog.models import Product\n\n\n@pytest.mark.django_db\n"
        "def test_products_are_listed_cheapest_first(client):\n"
        '    Product.objects.create(name="Socks", price_cents=500)\n'
        '    Product.objects.create(name="Hat", price_cents=300)\n'
        '    assert client.get("/products/").json() == [\n'
        '        {"name": "Hat", "price_cents": 300},\n        {"name": "Socks", "price_cents": 500},\n    ]\n'
    ),
}

DJANGO_EDITS = [
    *(Edit(path, lambda _, text=text: text, text) for path, text in DJANGO_CATALOG.items()),
    Edit(
        "config/settings.py",
        lambda text: insert(text, '    "shop.notes",\n', '    "shop.catalog",\n'),
        '    "shop.catalog",\n',
    ),
    Edit(
        "config/settings.py",
        lambda text: (
            text + "\n# The team's own: products per page at /products/.\n"
            'PRODUCTS_PER_PAGE = env.int("DJANGO_PRODUCTS_PER_PAGE", default=20)\n'
        ),
        'PRODUCTS_PER_PAGE = env.int("DJANGO_PRODUCTS_PER_PAGE", default=20)\n',
    ),
    Edit(
        "config/urls.py",
        lambda text: insert(
            text,
            '    path("notes/", include("shop.notes.urls")),\n',
            '    path("products/", include("shop.catalog.urls")),\n',
        ),
        '    path("products/", include("shop.catalog.urls")),\n',
    ),
]

# A model of the team's in the generated notes app, whose migration 0002_tag follows 0001_initial as the template's
# later 0002_alter_note_body does: two leaf nodes after the update, which `makemigrations --merge` joins.
DJANGO_NOTES_EDITS = [
    Edit(
        "shop/notes/models.py",
        lambda text: (
            text + '\n\nclass Tag(models.Model):\n    """A label for notes."""\n\n'
            "    name = models.CharField(max_length=50, unique=True)\n"
            "    created = models.DateTimeField(auto_now_add=True)\n\n"
            "    def __str__(self) -> str:\n        return self.name\n"
        ),
        "class Tag(models.Model):",
    ),
    Edit(
        "shop/notes/admin.py",
        lambda text: (
            text.replace("from .models import Note\n", "from .models import Note, Tag\n", 1)
            + "\n\n@admin.register(Tag)\nclass TagAdmin(admin.ModelAdmin):\n"
            '    list_display = ("name", "created")\n    list_filter = ("created",)\n    search_fields = ("name",)\n'
        ),
        "class TagAdmin(admin.ModelAdmin):",
    ),
]
DJANGO_NOTES_MIGRATION = "shop/notes/migrations/0002_tag.py"

EDITS = {"flask": COMMON_EDITS + FLASK_EDITS, "django": COMMON_EDITS + DJANGO_EDITS + DJANGO_NOTES_EDITS}
# The team's values in .env: a changed one and one of its own.
ENV_EDITS = {
    "flask": ("FLASK_SECURITY_REGISTERABLE=true", "FLASK_SECURITY_REGISTERABLE=false", "FLASK_PRODUCTS_PER_PAGE=50"),
    "django": (
        "DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1",
        "DJANGO_ALLOWED_HOSTS=localhost,127.0.0.1,shop.test",
        "DJANGO_PRODUCTS_PER_PAGE=50",
    ),
}


def apply(root: Path, edits: list[Edit]) -> None:
    for edit in edits:
        path = root / edit.path
        if edit.change is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(edit.change(path.read_text() if path.exists() else ""))


def make_migration(project: Project, flavour: str) -> str:
    """Make the migration of the team's model with the framework's tool; return its path in the project."""
    if flavour == "django":
        project.uv_run("python", "manage.py", "makemigrations", "catalog")
        project.uv_run("python", "manage.py", "makemigrations", "notes", "--name", "tag")
        assert (project.path / DJANGO_NOTES_MIGRATION).is_file()
        return "shop/catalog/migrations/0001_initial.py"
    project.uv_run("flask", "--app", "shop", "db", "upgrade")
    project.uv_run("flask", "--app", "shop", "db", "migrate", "--message", "add product", "--rev-id", "0003_products")
    return "migrations/versions/0003_products_add_product.py"


# --- The update ---------------------------------------------------------------------------------------------------


@dataclass
class Updated:
    """A project generated at START_COMMIT, edited and committed by the team, then updated to the work tree."""

    flavour: str
    project: Project
    result: subprocess.CompletedProcess
    env: str  # the team's .env before the update
    migration: str  # the team's migration, relative to the project
    marked: list[str]  # the files with conflict markers, and the .rej files, after the update

    @property
    def reported(self) -> list[str]:
        """The files the after-update check listed as conflicted."""
        _, found, rest = self.result.stdout.partition(" file(s) with conflicts:\n")
        names = []
        for line in rest.splitlines() if found else []:
            if not line.startswith("    "):
                break
            names.append(line.strip())
        return names


def files_left_conflicted(root: Path) -> list[str]:
    names = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    marked = {name for name in names if (root / name).is_file() and CONFLICT_START.search((root / name).read_text())}
    return sorted(marked | {str(path.relative_to(root)) for path in root.rglob("*.rej") if ".venv" not in path.parts})


@pytest.fixture(scope="module")
def updated(request, tmp_path_factory) -> Updated:
    flavour = request.param
    probe = subprocess.run(["git", "cat-file", "-e", f"{START_COMMIT}^{{commit}}"], cwd=TEMPLATE_ROOT, check=False)
    if probe.returncode != 0:
        require(f"this clone of the template lacks commit {START_COMMIT}: fetch its history (git fetch --unshallow)")
    root = tmp_path_factory.mktemp(f"history-{flavour}") / "project"
    data_file = root.parent / "answers.yml"
    data_file.write_text(yaml.safe_dump(ANSWERS[flavour]))
    result = copier_cli(
        "copy", "--trust", "--defaults", "--vcs-ref", START_COMMIT, "--data-file", str(data_file),
        str(TEMPLATE_ROOT), str(root),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    project = Project(root, ANSWERS[flavour])
    assert yaml.safe_load((root / ".copier-answers.yml").read_text())["_commit"] in {START_COMMIT, "v0.1.0"}

    apply(root, EDITS[flavour])
    # The team's Python passes its lint before the update, so that a lint failure after it is the update's.
    edited = sorted({edit.path for edit in EDITS[flavour] if edit.change and edit.path.endswith(".py")})
    project.uv_run("ruff", "check", *edited)
    project.uv_run("ruff", "format", "--check", *edited)
    migration = make_migration(project, flavour)  # `uv sync` ran first: uv.lock is the team's, committed below
    old, new, own = ENV_EDITS[flavour]
    env = (root / ".env").read_text()
    assert old in env, env
    env = env.replace(old, new, 1) + own + "\n"
    (root / ".env").write_text(env)
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "The team's first months")

    result = copier_cli("update", "--trust", "--defaults", "--vcs-ref", "HEAD", cwd=root)
    return Updated(flavour, project, result, env, migration, files_left_conflicted(root))


@pytest.mark.slow
@pytest.mark.parametrize("updated", FLAVOURS, indirect=True)
def test_update_reports_exactly_the_conflicts_it_left(updated):
    output = updated.result.stdout + updated.result.stderr
    assert "After-update check" in updated.result.stdout, output
    assert yaml.safe_load((updated.project.path / ".copier-answers.yml").read_text())["_commit"] != START_COMMIT
    assert updated.reported == updated.marked, output
    # Migrations the update brought, new files in the work tree: the check must say to apply them.
    status = git(updated.project.path, "status", "--porcelain", "--untracked-files=all").splitlines()
    brought = [line[3:] for line in status if line[:2] in {"??", "A "} and NEW_MIGRATION.search(line[3:])]
    assert (MIGRATE[updated.flavour] in printed_commands(updated.result.stdout)) == bool(brought), (brought, output)
    if updated.marked:
        assert updated.result.returncode != 0, output
        assert "git diff --check HEAD" in updated.result.stdout
    else:
        assert updated.result.returncode == 0, output
        assert "No conflicts: every edit of yours merged cleanly." in updated.result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("updated", FLAVOURS, indirect=True)
def test_update_keeps_every_edit_of_the_team(updated):
    root = updated.project.path
    lost = []
    for edit in EDITS[updated.flavour]:
        path = root / edit.path
        if edit.change is None:
            if path.exists() and edit.path not in updated.reported:
                lost.append(f"{edit.path}: deleted by the team, back after the update")
        elif not path.is_file() or edit.mark not in path.read_text():
            lost.append(f"{edit.path}: lost {edit.mark!r}")
    migration = root / updated.migration
    if not migration.is_file() or "product" not in migration.read_text().lower():
        lost.append(f"{updated.migration}: the team's migration is gone")
    if updated.flavour == "django" and "Tag" not in (root / DJANGO_NOTES_MIGRATION).read_text():
        lost.append(f"{DJANGO_NOTES_MIGRATION}: the team's migration in the notes app is gone")
    assert not lost, "\n".join(lost)
    # In a conflicted file, the "before updating" side of each hunk is the team's: taking it gives back every edit.
    for name in updated.reported:
        text = (root / name).read_text()
        assert CONFLICT_HUNK.search(text), f"{name} is reported but holds no complete conflict hunk"
        ours = CONFLICT_HUNK.sub(lambda hunk: hunk["ours"], text)
        for edit in EDITS[updated.flavour]:
            assert edit.path != name or edit.change is None or edit.mark in ours, f"{name}: {edit.mark!r} not ours"
    # .env: the team's values as they were; the check may only append what .env.example added.
    assert (root / ".env").read_text().startswith(updated.env)


def resolve(root: Path, name: str, edits: list[Edit]) -> None:
    """Resolve the conflicts of file `name` the one way this test does, whatever the file: the template's side of
    every hunk, then the team's edits of that file made again where they are missing, as a team does when the
    template reworked the lines it had changed. Raises AssertionError for a `.rej` file or an unparsable hunk."""
    path = root / name
    assert not name.endswith(".rej"), f"{name}: a rejected hunk; this test defines no resolution for it"
    text = CONFLICT_HUNK.sub(lambda hunk: hunk["theirs"], path.read_text())
    assert not CONFLICT_START.search(text), f"{name}: a conflict hunk this test cannot parse"
    for edit in edits:
        if edit.path == name and edit.change is not None and edit.mark not in text:
            text = edit.change(text)
    path.write_text(text)


def printed_commands(output: str) -> list[str]:
    """The commands under the after-update check's "Then run, in this order:", without their comments."""
    _, found, rest = output.partition("  Then run, in this order:\n")
    lines = []
    for line in rest.splitlines() if found else []:
        if not line.startswith("    "):
            break
        if not line.lstrip().startswith("#"):
            lines.append(line.strip())
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("updated", FLAVOURS, indirect=True)
def test_after_resolving_the_project_passes_its_tests_lint_and_migration_checks(updated):
    project, root = updated.project, updated.project.path
    for name in updated.reported:
        resolve(root, name, EDITS[updated.flavour])
    assert files_left_conflicted(root) == []
    # An import the team added beside one the template added may now be out of order, with no conflict: the
    # project's pre-commit hook sorts imports at the commit (ruff check --fix), as this does.
    project.uv_run("ruff", "check", "--fix", "--select", "I", ".")
    git(root, "add", "--all")
    project.run("git", "diff", "--check", "--cached")  # no conflict marker, no whitespace error left

    commands = printed_commands(updated.result.stdout)
    assert "uv lock && uv sync" in commands  # the update changed pyproject.toml: Python 3.12+, new dependencies
    # The team's migration and the template's follow the same parent (Django: notes 0002_tag and 0002_alter_note_body;
    # Flask: 0003_products and 0003_failed_sign_in after 0002_accounts): joined before anything is applied.
    merge = {
        "django": "uv run python manage.py makemigrations --merge --noinput",
        "flask": 'uv run flask --app shop db merge heads -m "merge the template\'s migrations"',
    }[updated.flavour]
    assert commands.index(merge) < commands.index(MIGRATE[updated.flavour]), commands
    for command in commands:
        project.run("bash", "-c", command, timeout=600)
    project.uv_run("python", "-c", "import httpx")  # the team's dependency, locked and installed
    if updated.flavour == "django":
        project.uv_run("python", "manage.py", "makemigrations", "--check", "--dry-run")
        project.uv_run("python", "manage.py", "migrate")
    else:
        assert project.uv_run("flask", "--app", "shop", "db", "heads").stdout.count("(head)") == 1
        project.uv_run("flask", "--app", "shop", "db", "upgrade")
        project.uv_run("flask", "--app", "shop", "db", "check")
    # A fixed seed for property-based tests (Django's API schema test), so that this test does not fail at random on
    # an example unrelated to the update.
    seed = ["--hypothesis-seed=0"] if 'name = "hypothesis"' in (root / "uv.lock").read_text() else []
    result = project.uv_run("pytest", "-q", "-rA", "-p", "no:cacheprovider", *seed, timeout=600)
    assert "PASSED tests/test_catalog.py::test_products_are_listed_cheapest_first" in result.stdout
    project.uv_run("ruff", "check", ".")
    project.uv_run("ruff", "format", "--check", ".")
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "Update from the template")
