"""Bad answers fail clearly: `copier copy --defaults --data ...` exits non-zero, names the question and its rule, and
creates no project folder. Each case runs the real command line."""

import pytest
from conftest import TEMPLATE_ROOT, copier_cli

FLASK = {"framework": "flask"}
DJANGO = {"framework": "django"}

# (answers, the question the message must name, a fragment of the rule it must state)
CASES = {
    "empty project_name": ({"project_name": ""}, "project_name", "must not be empty or blank"),
    "blank project_name": ({"project_name": "   "}, "project_name", "must not be empty or blank"),
    "slug with a dash": ({"project_slug": "my-shop"}, "project_slug", "dashes and spaces are not allowed"),
    "slug starting with a digit": ({"project_slug": "2shop"}, "project_slug", "must start with a lowercase letter"),
    "slug is a keyword": ({"project_slug": "class"}, "project_slug", "is a Python keyword"),
    "slug is flask": ({"project_slug": "flask"}, "project_slug", "would shadow a package"),
    "slug is django": ({"project_slug": "django"}, "project_slug", "would shadow a package"),
    "slug is test": ({"project_slug": "test"}, "project_slug", "would shadow the standard-library module"),
    "blank description": ({"project_description": " "}, "project_description", "must not be empty or blank"),
    "blank author": ({"author_name": ""}, "author_name", "must not be empty or blank"),
    "invalid email": ({"author_email": "shop.example.com"}, "author_email", "is not an email address"),
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
