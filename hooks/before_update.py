"""Before-update guard: refuse, before Copier writes a file, an update that would change what the project is, or
that carries an answer the template's questions do not accept; say why in one line.

Copier runs this as the first `_migrations` entry of copier.yml, at the `before` stage of every update: after it has
rendered the old template version in a temporary folder, before it writes anything in the project. A failing
migration stops the update there, so the project's work tree stays as it was (clean: Copier updates only a clean
one). It is not copied into the project. Copier would otherwise fail later with a traceback (an answer from
`--data` that a question rejects), or not at all (an answers file edited by hand).

It refuses, with the first rule broken:
- `generated_framework` missing from the answers file, or given by `--data`: it records the framework the project
  was generated with, and is how an update knows it;
- `framework` different from it, from `--data` or the answers file: Copier would delete the files only the old
  framework's tree has, the team's edits included;
- `project_slug` given by `--data` with another value, or an answers file whose `project_slug` names no package in the
  project (edited by hand): Copier would write a second package beside the first;
- any answer, from the answers file or `--data`, that its question rejects: not one of the choices, not true or
  false, not a list for a multiple choice, or its validator's message (validators are rendered from copier.yml with
  the template's validation/rules.jinja, as Copier renders them).

Usage: before_update.py --template PATH --data JSON [--answers-file NAME]
    PATH is the template checkout being updated to (`{{ _copier_conf.src_path }}`); JSON the `--data` and
    `--data-file` answers (`{{ _copier_conf.data | tojson }}`).
Exit status: 0 when the update may go on; 1 with one line on stderr, naming the question and the rule, when not.
"""

import argparse
import json
import sys
from pathlib import Path

import jinja2
import yaml

FRAMEWORKS = ("flask", "django")
# The rules this guard applies that are no question's validator, from validation/rules.jinja.
RULES = {
    "framework": '{% from "validation/rules.jinja" import framework_change_error %}'
    "{{ framework_change_error(framework, generated_framework) }}",
}
# How Copier reads true and false in an answer given as text (copier's cast_to_bool, without its numbers).
BOOLEAN_WORDS = {"y", "yes", "t", "true", "on", "n", "no", "f", "false", "off"}


class Refusal(Exception):
    """An update that must not go on; the message is the one line that says why."""


def choice_values(question: dict) -> list:
    """The values of a question's `choices` (a list, or a mapping from the text shown to the value)."""
    choices = question.get("choices") or []
    return list(choices.values()) if isinstance(choices, dict) else list(choices)


def parse(name: str, question: dict, value: object, source: str) -> object:
    """The answer `value` to question `name` as Copier would use it; raises Refusal when the question rejects it."""
    values = choice_values(question)
    if question.get("multiselect"):
        if isinstance(value, str):  # `--data 'flask_extensions=[sqlalchemy, admin]'` arrives as text
            try:
                value = yaml.safe_load(value)
            except yaml.YAMLError:
                pass
        if not isinstance(value, list) or any(item not in values for item in value):
            raise Refusal(f"{source}: {name}: {value!r} is not a list of some of: {', '.join(map(str, values))}")
        return value
    kind = question.get("type", "str")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in BOOLEAN_WORDS:
            return value.strip().lower() in {"y", "yes", "t", "true", "on"}
        raise Refusal(f"{source}: {name}: {value!r} is not true or false")
    if kind == "str":
        if isinstance(value, (list, dict, bool)):
            raise Refusal(f"{source}: {name}: {value!r} is not text")
        value = "" if value is None else str(value)
    if values and value not in values:
        raise Refusal(f"{source}: {name}: {value!r} is not one of: {', '.join(map(str, values))}")
    return value


def render(template: Path, source: str, **answers: object) -> str:
    """`source` rendered as Copier renders a validator (the template's folder to import from, Ansible's filters)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template), extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]
    )
    return environment.from_string(source).render(answers).strip()


def validator_error(template: Path, question: dict, answers: dict, data: dict) -> str:
    """The message the question's `validator` renders for `answers` ("" when it accepts them); `data` is the answers
    given as data (`--data`), which a validator sees as Copier's `_copier_conf.data`."""
    if not question.get("validator"):
        return ""
    return render(template, question["validator"], **answers, _copier_conf={"data": data})


def check(project: Path, template: Path, answers_file: str, data: dict) -> None:
    """Raise Refusal when updating `project` to `template` with `data` over its answers file must not go on."""
    questions = {
        name: question
        for name, question in yaml.safe_load((template / "copier.yml").read_text()).items()
        if not name.startswith("_") and isinstance(question, dict)
    }
    recorded = yaml.safe_load((project / answers_file).read_text()) or {}
    generated = recorded.get("generated_framework")
    if generated not in FRAMEWORKS:
        found = "django" if (project / "manage.py").is_file() else "flask"
        state = f"is {generated!r}" if "generated_framework" in recorded else "is missing"
        raise Refusal(
            f"{answers_file}: generated_framework: {state}, and it must record the framework this project was"
            f" generated with: set it back to `generated_framework: {found}`, commit, and update again"
        )
    if "generated_framework" in data and data["generated_framework"] != generated:
        raise Refusal(
            f"--data: generated_framework: records the framework this project was generated with ({generated}); an"
            " update cannot change it. Leave it out"
        )
    source = "--data" if "framework" in data else answers_file
    if message := render(
        template,
        RULES["framework"],
        framework=data.get("framework", recorded.get("framework")),
        generated_framework=generated,
    ):
        raise Refusal(f"{source}: {message}")
    slug = recorded.get("project_slug")
    if "project_slug" in data and data["project_slug"] != slug:
        raise Refusal(
            f"--data: project_slug: an update cannot rename the package {slug!r} (Copier would write a second one"
            f" beside it). Leave project_slug out; rename the package by hand if you must"
        )
    if isinstance(slug, str) and not (project / slug / "__init__.py").is_file():
        raise Refusal(
            f"{answers_file}: project_slug: is {slug!r}, but the project has no package {slug}/ (an update would write"
            " a second package): set it back to the name of the project's package folder, commit, and update again"
        )

    answers, sources = {}, {}
    for source, given in ((answers_file, recorded), ("--data", data)):
        for name, value in given.items():
            if name in questions:
                answers[name] = parse(name, questions[name], value, source)
                sources[name] = source
    for name, question in questions.items():  # in the order Copier asks them: the first rule broken is reported
        if name in answers and (message := validator_error(template, question, answers, data)):
            raise Refusal(f"{sources[name]}: {message}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", type=Path, required=True, help="the template checkout updated to")
    parser.add_argument("--data", default="{}", help="the answers given with --data and --data-file, as JSON")
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    args = parser.parse_args(argv)
    try:
        check(Path.cwd(), args.template, args.answers_file, json.loads(args.data))
    except Refusal as refusal:
        print(f"Update refused, nothing changed: {refusal}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
