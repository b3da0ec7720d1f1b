"""Project names that stress the package name, in each flavour, with the default answers and with every option on.

The package's name decides where its imports sort among the other first-party ones (`config`), and it is written
into imports, settings, docstrings and deployment files. The names: one that sorts before `config`, one with
accents and a digit, one that holds the name of a subpackage (`api`), a multi-word one, two that collide with a
reserved name, and the longest the validators allow. With the default answers, the projects of all but the longest
are rows of tests/test_design.py (named by their package), which runs their own tests and lint; here each name is
linted with every option on, and the longest with the defaults too.
"""

import sys

import pytest
from helpers import EVERY_OPTION

pytestmark = pytest.mark.slow

# project_name: the package it gets by default.
NAMES = {
    "Blog": "blog",
    "Café Ünïcode 2": "cafe_unicode_2",
    "api_gateway": "api_gateway",
    "Clinic Portal": "clinic_portal",
    "Flask": "flask_app",
    "Test": "test_app",
    "Inventory Management Service API for All Northern Warehouses Ltd": "inventory_management_service_api",
}
LONGEST = "Inventory Management Service API for All Northern Warehouses Ltd"
# Each flavour's answers: (answer set, overrides). "defaults" is `copier copy --defaults --data framework=...`:
# "django" is Django's defaults, and "flask-sqlalchemy" Flask's (the default builtins_needed is a database); "all" is
# every option on (and every Flask extension), so that each file that names the package is linted.
ANSWERS = {
    "django-defaults": ("django", {}),
    "django-all": ("django", EVERY_OPTION),
    "flask-defaults": ("flask-sqlalchemy", {}),
    "flask-all": ("flask-all", EVERY_OPTION),
}


def cases(names, answers):
    """pytest parameters for each name with each of `answers`, one xdist group per generated project, so that a
    project generates once for all the tests that use it."""
    return [
        pytest.param(
            name, answer, id=f"{NAMES[name]}-{answer}", marks=pytest.mark.xdist_group(f"{NAMES[name]}-{answer}")
        )
        for name in names
        for answer in answers
    ]


def generate_named(generate, name: str, answers: str):
    answer_set, overrides = ANSWERS[answers]
    project = generate(answer_set, project_name=name, **overrides)
    assert project.path.joinpath(NAMES[name]).is_dir()
    return project


@pytest.mark.parametrize(
    ("name", "answers"),
    cases(NAMES, ["django-all", "flask-all"]) + cases([LONGEST], ["django-defaults", "flask-defaults"]),
)
def test_lint_and_format_are_clean_for_any_name(generate, name, answers):
    # The template's own ruff, with the project's config: no uv sync needed.
    project = generate_named(generate, name, answers)
    for command in (["check"], ["format", "--check"]):
        project.run(sys.executable, "-m", "ruff", *command, "--no-cache", ".")
