"""decision/facts.yml is the one place of the generated projects' variables and commands: every file that lists them
(.env.example, the README's table of settings, compose.yaml, the Kubernetes manifests, the post-copy .env, the
after-update additions) says what the facts say, for a full render of each framework; and a variable added to the
facts file, with no other edit, appears in .env.example, the README and compose.yaml."""

import importlib
import re
import shutil
import sys

import copier
import pytest
import yaml
from helpers import TEMPLATE_ROOT, copy_template, git

FACTS = yaml.safe_load((TEMPLATE_ROOT / "decision" / "facts.yml").read_text())
FLAGS = [
    "use_sqlalchemy",
    "use_admin",
    "use_security",
    "use_postgresql",
    "use_api",
    "use_pages",
    "use_two_factor",
    "use_tasks",
    "use_redis_cache",
    "use_redis",
    "use_sentry",
    "use_metrics",
    "use_tracing",
]
# Every option on: the answers, and the computed use_* flags that copier.yml derives from them.
FULL = {
    "flask": (
        {"framework": "flask", "flask_extensions": ["sqlalchemy", "admin", "security"]},
        set(FLAGS),
    ),
    "django": ({"framework": "django"}, set(FLAGS) - {"use_sqlalchemy", "use_admin", "use_security"}),
}
OPTIONS = {
    "app_kind": "both",
    "two_factor": True,
    "background_tasks": True,
    "cache": "redis",
    "database": "postgresql",
    "error_tracking": "sentry",
    "metrics": "prometheus",
    "tracing": "opentelemetry",
}
SLUG = "shop"
AUTHOR_EMAIL = "maintainers@example.com"


def holds(entry: dict, on: set[str], framework: str) -> bool:
    """Whether a facts entry applies: its framework (if any) is `framework`, and each name of its `when` is a true
    flag, or "not " and a false one."""
    if entry.get("framework", framework) != framework:
        return False
    return all(name.removeprefix("not ") not in on if name.startswith("not ") else name in on for name in entry["when"])


def fill(text: object) -> str:
    return str(text).replace("{project_slug}", SLUG).replace("{author_email}", AUTHOR_EMAIL)


def possible(framework: str, on: set[str]) -> bool:
    """Whether copier.yml can compute the flags `on` for `framework`: Flask's options need its database layer,
    two-factor needs accounts, Redis is there for tasks or the cache, and Django has no Flask extension."""
    if framework == "django" and on & {"use_sqlalchemy", "use_admin", "use_security"}:
        return False
    needs_database = {"use_admin", "use_security", "use_postgresql", "use_tasks", "use_redis_cache"}
    if framework == "flask" and on & needs_database and "use_sqlalchemy" not in on:
        return False
    if framework == "flask" and "use_two_factor" in on and "use_security" not in on:
        return False
    return ("use_redis" in on) == bool(on & {"use_tasks", "use_redis_cache"})


def variables(framework: str, on: set[str]) -> list[dict]:
    """The variables of the facts that a project of `framework` with the flags `on` reads, in order."""
    return [entry for entry in FACTS["variables"] if holds(entry, on, framework)]


def env_lines(text: str) -> list[tuple[str, str, bool]]:
    """(name, value, set) of each variable line of an env file; `set` is False for a commented-out `# NAME=value`."""
    found = []
    for line in text.splitlines():
        match = re.fullmatch(r"(# )?([A-Za-z_][A-Za-z0-9_]*)=(.*)", line)
        if match:
            found.append((match[2], match[3], not match[1]))
    return found


def settings_table(readme: str) -> list[list[str]]:
    """The rows of the table under "### Settings", each as its cells."""
    section = readme.split("\n### Settings\n", 1)[1].split("\n#", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]  # past the head and rule


def test_the_variables_of_the_facts_are_well_formed():
    keys = {"name", "when", "description", "default", "secret", "example"}
    for entry in FACTS["variables"]:
        assert keys <= entry.keys(), f"{entry.get('name')}: lacks {sorted(keys - entry.keys())}"
        assert entry.get("framework", "flask") in {"flask", "django"}, entry["name"]
        assert all(name.removeprefix("not ") in FLAGS for name in entry["when"]), entry["name"]
    # A variable with more than one entry: for any answers, at most one of them applies.
    for framework in ("flask", "django"):
        for mask in range(2 ** len(FLAGS)):
            on = {flag for index, flag in enumerate(FLAGS) if mask >> index & 1}
            if not possible(framework, on):
                continue
            names = [entry["name"] for entry in variables(framework, on)]
            assert len(names) == len(set(names)), f"{framework} {sorted(on)}: {names}"


def test_the_compose_section_of_the_facts_is_well_formed():
    # Its `when` lists name the use_* flags and the conditions that partials/holds.jinja derives from them; each
    # service is a file of partials/compose/.
    names = {*FLAGS, "has_database", "compose_replicas", "compose_shared_sqlite", "compose_mail"}
    for part, entries in FACTS["compose"].items():
        for entry in entries:
            assert all(name.removeprefix("not ") in names for name in entry["when"]), (part, entry)
    for entry in FACTS["compose"]["services"]:
        assert (TEMPLATE_ROOT / "partials" / "compose" / f"{entry['part']}.yaml.jinja").is_file(), entry["part"]


@pytest.fixture(scope="module", params=["flask", "django"])
def full(request, tmp_path_factory):
    """A full render of the framework, with tasks skipped: (project path, framework, true flags)."""
    framework = request.param
    answers, on = FULL[framework]
    project = tmp_path_factory.mktemp(f"{framework}-full") / SLUG
    copy_template(project, {"project_name": "Shop", **answers, **OPTIONS}, skip_tasks=True)
    return project, framework, on


def test_env_example_lists_the_variables_of_the_facts(full):
    project, framework, on = full
    expected = [(entry["name"], fill(entry["example"]), entry.get("set", False)) for entry in variables(framework, on)]
    assert env_lines((project / ".env.example").read_text()) == expected


def test_the_readme_table_gives_each_variable_s_description_default_and_secrecy(full):
    project, framework, on = full
    rows = settings_table((project / "README.md").read_text())
    assert [row[0] for row in rows] == [f"`{entry['name']}`" for entry in variables(framework, on)]
    for row, entry in zip(rows, variables(framework, on), strict=True):
        assert row[1] == fill(entry["description"]), entry["name"]
        assert (row[2] == "none") if entry["default"] is None else (row[2] == f"`{fill(entry['default'])}`")
        assert row[3] == ("yes" if entry["secret"] else "no"), entry["name"]


def test_compose_gives_web_the_compose_values_of_the_facts(full):
    project, framework, on = full
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    expected = {
        entry["name"]: yaml.safe_load(f"value: {fill(entry['compose']['value'])}")["value"]
        for entry in variables(framework, on)
        if "compose" in entry and holds({"when": entry["compose"].get("when", [])}, on, framework)
    }
    assert compose["services"]["web"]["environment"] == expected
    mail = any(entry.get("compose", {}).get("mail") for entry in variables(framework, on))
    assert ("mailpit" in compose["services"]) == mail


def test_kubernetes_pods_get_the_plain_values_and_the_secret_s_keys(full):
    project, framework, on = full
    folder = project / "deploy" / "kubernetes"
    for component in ("web", "migrate", "worker", "beat"):
        manifest = yaml.safe_load((folder / f"{component}.yaml").read_text())
        container = manifest["spec"]["template"]["spec"]["containers"][0]
        expected = [
            {"name": entry["name"], "value": str(entry["kubernetes"]["value"])}
            for entry in variables(framework, on)
            if "kubernetes" in entry and component in entry["kubernetes"].get("components", [component])
        ]
        assert container["env"] == expected, component
        assert container["envFrom"] == [{"secretRef": {"name": SLUG}}]
    comment = " ".join(
        line.strip().removeprefix("# ") for line in (folder / "web.yaml").read_text().splitlines() if "# " in line
    )
    secrets = [entry["name"] for entry in variables(framework, on) if entry["secret"]]
    assert f"the secrets among them: {', '.join(secrets)}." in comment


def hook(name: str):
    """The module hooks/NAME.py, imported as Copier's Python runs it."""
    sys.path.insert(0, str(TEMPLATE_ROOT / "hooks"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(TEMPLATE_ROOT / "hooks"))


def check_development_values(lines: list[tuple[str, str, bool]], facts: list[dict]) -> None:
    """Each variable set in a development .env has its `development` value from the facts (a fresh secret for
    "{random}"), else the example's."""
    by_name = {entry["name"]: entry for entry in facts}
    secrets = []
    for name, value, is_set in lines:
        entry = by_name[name]
        if not is_set:
            assert value == fill(entry["example"]), name
        elif entry.get("development") == "{random}":
            assert len(value) >= 60, name
            secrets.append(value)
        else:
            assert value == fill(entry.get("development", entry["example"])), name
    assert (
        len(secrets)
        == len(set(secrets))
        == sum(1 for entry in facts if entry.get("development") == "{random}" and entry.get("set"))
    )


def test_the_post_copy_env_has_fresh_secrets_and_the_development_values(full):
    project, framework, on = full
    post_copy = hook("post_copy")
    env = post_copy.development_env((project / ".env.example").read_text())
    lines = env_lines(env)
    assert [name for name, _, _ in lines] == [entry["name"] for entry in variables(framework, on)]
    check_development_values(lines, variables(framework, on))


def test_the_after_update_additions_are_the_missing_variables_with_development_values(full, tmp_path):
    project, framework, on = full
    after_update = hook("after_update")
    shutil.copy(project / ".env.example", tmp_path / ".env.example")
    facts = variables(framework, on)
    # The team's .env has the debug switch only: the secret key, say, is new.
    kept = [entry for entry in facts if entry.get("set") and entry.get("development") not in (None, "{random}")][:1]
    (tmp_path / ".env").write_text(f"{kept[0]['name']}=the-team-s-own\n")

    report = after_update.add_missing_variables(tmp_path)

    missing = [entry["name"] for entry in facts if entry.get("set") and entry not in kept]
    assert report[0].startswith(f".env: added {', '.join(missing)}, with fresh secrets"), report
    added = env_lines((tmp_path / ".env").read_text())
    assert added[0] == (kept[0]["name"], "the-team-s-own", True)
    assert [name for name, _, is_set in added[1:] if is_set] == missing
    check_development_values(added[1:], facts)


def test_the_commands_after_update_prints_are_the_facts(full):
    _, framework, _ = full
    after_update = hook("after_update")
    for step in ("lock", "migrate", "merge_migrations"):
        expected = next(entry["command"] for entry in FACTS["commands"][framework] if entry["step"] == step)
        assert after_update.command(framework, step, SLUG) == fill(expected)


NEW_VARIABLE = """\
  - name: SHOP_GREETING
    when: []
    description: The greeting of the home page.
    default: Hello
    secret: false
    comment: The greeting of the home page. Default Hello.
    example: Hello
    compose: {value: Bonjour}
"""


@pytest.mark.parametrize("framework", ["flask", "django"])
def test_a_variable_added_to_the_facts_reaches_env_example_readme_and_compose(framework, tmp_path):
    template = tmp_path / "template"

    def ignore(folder: str, names: list[str]) -> set[str]:
        root = {".git", ".venv", "examples", "benchmarks", "tests"} if folder == str(TEMPLATE_ROOT) else set()
        return {name for name in names if name in root or name == "__pycache__"}

    shutil.copytree(TEMPLATE_ROOT, template, ignore=ignore)
    git(template, "init", "--quiet")
    git(template, "add", "--all")
    git(template, "commit", "--quiet", "--message", "The template")
    facts = template / "decision" / "facts.yml"
    text = facts.read_text()
    end = text.index("\n# Every dependency of the generated pyproject.toml")  # the variables end before the pins
    facts.write_text(text[:end] + "\n" + NEW_VARIABLE + text[end:])
    git(template, "commit", "--quiet", "--all", "--message", "A new variable")
    assert git(template, "diff", "--stat", "HEAD~1", "HEAD").strip().startswith("decision/facts.yml |")

    project = tmp_path / SLUG
    copier.run_copy(
        str(template),
        project,
        data={"project_name": "Shop", "framework": framework},
        defaults=True,
        unsafe=True,
        vcs_ref="HEAD",
        quiet=True,
        skip_tasks=True,
    )

    example = (project / ".env.example").read_text()
    assert "\n# The greeting of the home page. Default Hello.\n# SHOP_GREETING=Hello\n" in example
    assert ["`SHOP_GREETING`", "The greeting of the home page.", "`Hello`", "no"] in settings_table(
        (project / "README.md").read_text()
    )
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    assert compose["services"]["web"]["environment"]["SHOP_GREETING"] == "Bonjour"
