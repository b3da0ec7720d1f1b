"""Bad answers fail clearly: `copier copy --defaults --data ...` exits non-zero, names the question and its rule, and
creates no project folder. Each case runs the real command line."""

import json

import pytest
from helpers import TEMPLATE_JINJA, TEMPLATE_ROOT, copier_cli

FLASK = {"framework": "flask"}
DJANGO = {"framework": "django"}

# (answers, the question the message must name, a fragment of the rule it must state)
CASES = {
    "empty project_name": ({"project_name": ""}, "project_name", "must not be empty or blank"),
    "blank project_name": ({"project_name": "   "}, "project_name", "must not be empty or blank"),
    "project_name too long": ({"project_name": "Shop " * 13}, "project_name", "at most 64 are allowed"),
    "slug with a dash": ({"project_slug": "my-shop"}, "project_slug", "dashes and spaces are not allowed"),
    "slug starting with a digit": ({"project_slug": "2shop"}, "project_slug", "must start with a lowercase letter"),
    "slug too long": ({"project_slug": "a" * 33}, "project_slug", "at most 32 are allowed"),
    "slug is a keyword": ({"project_slug": "class"}, "project_slug", "is a Python keyword"),
    "slug is flask": ({"project_slug": "flask"}, "project_slug", "would shadow a package"),
    "slug is django": ({"project_slug": "django"}, "project_slug", "would shadow a package"),
    "slug is test": ({"project_slug": "test"}, "project_slug", "would shadow the standard-library module"),
    "blank description": ({"project_description": " "}, "project_description", "must not be empty or blank"),
    "blank author": ({"author_name": ""}, "author_name", "must not be empty or blank"),
    "double quote in project_name": ({"project_name": 'The "Shop"'}, "project_name", "must not contain double quotes"),
    "line break in description": ({"project_description": "One\nTwo"}, "project_description", "line breaks"),
    "backslash in author": ({"author_name": "Shop\\Team"}, "author_name", "backslashes"),
    "invalid email": ({"author_email": "shop.example.com"}, "author_email", "is not an email address"),
    "email with a quote": ({"author_email": 'a"b@example.com'}, "author_email", "is not an email address"),
    "framework rails": ({"framework": "rails"}, "framework", "'rails' is not in ['flask', 'django']"),
    "unknown flask extension": (
        {**FLASK, "flask_extensions": "[sqlalchemy, celery]"},
        "flask_extensions",
        "'celery' is not in ['sqlalchemy', 'admin', 'security']",
    ),
    "mysql on django": ({**DJANGO, "database": "mysql"}, "database", "'mysql' is not in ['sqlite', 'postgresql']"),
    "mysql on flask": (
        {**FLASK, "flask_extensions": "[sqlalchemy]", "database": "mysql"},
        "database",
        "'mysql' is not in ['sqlite', 'postgresql']",
    ),
}


@pytest.mark.parametrize(("answers", "question", "rule"), CASES.values(), ids=CASES.keys())
def test_invalid_answer_fails_clearly_and_creates_nothing(tmp_path, answers, question, rule):
    answers = {"project_name": "Shop", **answers}
    data = [argument for name, value in answers.items() for argument in ("--data", f"{name}={value}")]
    destination = tmp_path / "project"

    result = copier_cli(
        "copy", "--trust", "--defaults", "--vcs-ref", "HEAD", *data, str(TEMPLATE_ROOT), str(destination)
    )

    assert result.returncode != 0
    # Copier ends with a traceback whose last line carries the message.
    message = result.stderr.strip().splitlines()[-1]
    assert f"'{question}'" in message, message
    assert rule in message, message
    assert not destination.exists()


# default_slug and project_slug_error from validation/rules.jinja, in the Jinja environment Copier gives templates.
SLUG_PROBE = TEMPLATE_JINJA.from_string(
    '{% from "validation/rules.jinja" import default_slug, project_slug_error %}'
    '{% set slug = default_slug(name) %}{{ {"slug": slug, "error": project_slug_error(slug)} | tojson }}'
)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Shop", "shop"),
        ("  Order -- History 2 ", "order_history_2"),
        ("Café Ünïcode API", "cafe_unicode_api"),
        ("Łódź Straße Œuvre", "lodz_strasse_oeuvre"),
        ("42 Widgets", "app_42_widgets"),
        ("The Inventory Service For All Our Warehouses", "the_inventory_service_for_all"),
        ("Supercalifragilisticexpialidocious Unabridged", "supercalifragilisticexpialidocio"),
        ("1234567890 Supercalifragilistic Widgets", "app_1234567890"),
        ("Flask", "flask_app"),
        ("Test", "test_app"),
        ("Class", "class_app"),
        ("日本語", "app"),
    ],
)
def test_the_default_slug_of_any_name_is_a_valid_slug(name, slug):
    assert json.loads(SLUG_PROBE.render(name=name)) == {"slug": slug, "error": ""}


def test_a_name_that_starts_with_a_digit_generates_with_defaults(tmp_path):
    destination = tmp_path / "project"

    result = copier_cli(
        "copy", "--pretend", "--trust", "--defaults", "--vcs-ref", "HEAD",
        "--data", "project_name=42 Widgets", str(TEMPLATE_ROOT), str(destination),
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "app_42_widgets/" in result.stdout + result.stderr
