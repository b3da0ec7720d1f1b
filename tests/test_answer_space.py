"""The whole answer space, checked statically: every combination of the answers that shape the output (derived from
copier.yml by tests/answer_space.py), generated and checked without running its tests.

For each combination: no template syntax left; ruff check and ruff format --check (the template's ruff, the project's
settings); then, in one environment per framework that holds every optional dependency (the project with every
feature on, `uv sync`ed once per session), that the environment holds what the project requires and the project
imports nothing it does not require, every module imports, Django's `manage.py check` and `makemigrations --check
--dry-run`, Flask's `flask db upgrade` on a fresh SQLite file, `flask db check` and `flask routes`; the compose file
against the Compose specification, and the Kubernetes manifests against Kubernetes' schemas and its rules for object
names and labels. The project's own tests run in tests/test_design.py, for a covering design of the same space.

The projects are named NAME, which stresses the package name three ways at once. At the end of the run, the
terminal summary says how many combinations were checked.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import re
import subprocess
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path

import jinja2
import kubernetes_validate
import pytest
import yaml
from answer_space import (
    FACTORS,
    PACKS,
    QUESTIONS,
    Combination,
    all_pairs,
    checked,
    choices,
    combinations,
    everything,
    resolve,
)
from check_jsonschema.builtin_schemas import get_builtin_schema
from helpers import (
    TEMPLATE_ROOT,
    TOOLS,
    assert_no_template_syntax,
    copy_template,
    project_env,
)
from jsonschema.validators import validator_for
from kubernetes_names import kubernetes_name_errors

pytestmark = pytest.mark.slow

# Not ASCII, several words, and a package (cafe_unicode_2) that sorts before `config`.
NAME = "Café Ünïcode 2"
FRAMEWORKS = choices(QUESTIONS["framework"])
BIN = Path(sys.executable).parent  # the template's own ruff
CHECKS = ("template_syntax", "lint", "imports_and_framework_checks", "deploy_files")


def params(check: str) -> list:
    return [
        pytest.param(
            combination,
            id=combination.id,
            marks=pytest.mark.xdist_group(f"space-{combination.id}"),
        )
        for framework in FRAMEWORKS
        for combination in checked(framework)
    ]


def write_env(project: Path) -> None:
    """`.env` from `.env.example`, as the post-copy task writes it (the tests skip the task: no git needed)."""
    sys.path.insert(0, str(TEMPLATE_ROOT / "hooks"))
    try:
        from post_copy import development_env
    finally:
        sys.path.remove(str(TEMPLATE_ROOT / "hooks"))
    (project / ".env").write_text(development_env((project / ".env.example").read_text()))


# What Jinja's compiled code depends on, besides the source: the environment's class, extensions and syntax settings.
_CODEGEN = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
            "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
            "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized", "is_async",
            "autoescape", "finalize")  # fmt: skip
_COMPILED: dict[tuple, object] = {}


@contextmanager
def compiled_once():
    """Within it, Jinja compiles a given source once per environment configuration (per process).

    Copier makes a new Jinja environment for each copy, and compiling the template's files again is most of the time
    a copy takes (about three quarters). The code Jinja compiles depends only on the source and the settings in
    _CODEGEN, so what is rendered is the same (test_rendering_is_the_same_with_templates_compiled_once).
    """
    original = jinja2.Environment.compile

    def compile_once(self, source, name=None, filename=None, raw=False, defer_init=False):
        key = (type(self), tuple(self.extensions), *(getattr(self, setting) for setting in _CODEGEN))
        key += (source, name, raw, defer_init)
        if key not in _COMPILED:
            _COMPILED[key] = original(self, source, name, filename, raw, defer_init)
        return _COMPILED[key]

    jinja2.Environment.compile = compile_once
    try:
        yield
    finally:
        jinja2.Environment.compile = original


def generate(combination: Combination, dst: Path, compile_once: bool = True) -> Path:
    """`combination`, named NAME, generated into `dst` without the post-copy task, and `.env` written as it would."""
    with compiled_once() if compile_once else nullcontext():
        copy_template(dst, {**combination.data, "project_name": NAME}, skip_tasks=True)
    write_env(dst)
    return dst


@pytest.fixture(scope="session")
def shared_folder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder every xdist worker of this session shares."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if worker_id != "master" else base) / "answer-space"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def environments(shared_folder: Path):
    """`environment(framework) -> (python, project)`: the Python of a virtualenv holding the dependencies of the
    framework's combination with every feature on (`uv sync` of that project, with the dev group, bytecode
    compiled), made once per session whichever worker asks first; and that project's folder."""

    def environment(framework: str) -> tuple[Path, Path]:
        venv, project = shared_folder / f"venv-{framework}", shared_folder / f"everything-{framework}"
        with open(shared_folder / f"{framework}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (venv / "ready").is_file():
                generate(everything(framework), project)
                result = subprocess.run(
                    ["uv", "sync", "--quiet", "--compile-bytecode"],
                    cwd=project,
                    env=project_env(UV_PROJECT_ENVIRONMENT=str(venv)),
                    capture_output=True,
                    text=True,
                    timeout=900,
                    check=False,
                )
                assert result.returncode == 0, result.stdout + result.stderr
                (venv / "ready").touch()
        return venv / "bin" / "python", project

    return environment


@pytest.fixture(scope="session")
def checkers(environments, tmp_path_factory: pytest.TempPathFactory):
    """`check(framework, project, slug) -> (status, output)`: tests/tools/project_check.py in the framework's
    environment, one server per framework and worker, which forks a fresh process for each project."""
    servers: dict[str, subprocess.Popen] = {}
    log = tmp_path_factory.mktemp("checkers")

    def check(framework: str, project: Path, slug: str) -> tuple[int, str]:
        if framework not in servers:
            python, everything_project = environments(framework)
            servers[framework] = subprocess.Popen(
                [str(python), str(TOOLS / "project_check.py"), "serve", str(everything_project)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=(log / f"{framework}.log").open("w"),
                env=project_env(),
                text=True,
            )
        server = servers[framework]
        database = project.parent / "check.sqlite3"
        server.stdin.write(
            json.dumps({"folder": str(project), "framework": framework, "slug": slug,
                        "env": {"DATABASE_URL": f"sqlite:///{database}"}}) + "\n"
        )  # fmt: skip
        server.stdin.flush()
        line = server.stdout.readline()
        assert line, f"the checker of {framework} ended: {(log / f'{framework}.log').read_text()[-3000:]}"
        answer = json.loads(line)
        return answer["status"], answer["output"]

    yield check
    for server in servers.values():
        server.stdin.close()
        server.wait(timeout=60)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    """`rendered(combination) -> Path`: the combination generated, once per worker."""
    projects: dict[str, Path] = {}

    def render(combination: Combination) -> Path:
        if combination.id not in projects:
            projects[combination.id] = generate(combination, tmp_path_factory.mktemp(combination.id) / "project")
        return projects[combination.id]

    return render


def slug_of(project: Path) -> str:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())["project_slug"]


@pytest.mark.parametrize("combination", params("template_syntax"))
def test_template_syntax(rendered, combination):
    assert_no_template_syntax(rendered(combination))


@pytest.mark.parametrize("combination", params("lint"))
def test_lint(rendered, combination):
    project = rendered(combination)
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [str(BIN / "ruff"), *command, "--no-cache", "."], cwd=project, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("combination", params("imports_and_framework_checks"))
def test_imports_and_framework_checks(rendered, checkers, combination):
    project = rendered(combination)
    status, output = checkers(combination.framework, project, slug_of(project))
    assert status == 0, output


# --- The deploy files ------------------------------------------------------------------------------------------------

COMPOSE_SCHEMA = get_builtin_schema("vendor.compose-spec")
KUBERNETES_VERSION = kubernetes_validate.latest_version()


@pytest.mark.parametrize("combination", params("deploy_files"))
def test_deploy_files(rendered, combination):
    project = rendered(combination)
    compose = yaml.safe_load((project / "compose.yaml").read_text())
    validator = validator_for(COMPOSE_SCHEMA)(
        COMPOSE_SCHEMA, format_checker=validator_for(COMPOSE_SCHEMA).FORMAT_CHECKER
    )
    assert [error.message for error in validator.iter_errors(compose)] == []
    manifests = sorted((project / "deploy" / "kubernetes").glob("*.yaml"))
    errors = []
    for path in manifests:
        for manifest in yaml.safe_load_all(path.read_text()):
            try:
                kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
            except kubernetes_validate.ValidationError as error:
                errors.append(f"{path.name}: {error.message}")
            errors += [f"{path.name} ({manifest['kind']}): {error}" for error in kubernetes_name_errors(manifest)]
    assert errors == []


# --- The space itself ------------------------------------------------------------------------------------------------


def test_the_space_merges_what_renders_alike_and_skips_what_is_not_asked():
    flask = combinations("flask")
    # Admin and security bring sqlalchemy: [admin] and [sqlalchemy, admin] are one combination, named by the latter.
    selections = {tuple(combination.data["flask_extensions"]) for combination in flask}
    assert selections == {(), ("sqlalchemy",), ("sqlalchemy", "admin"), ("sqlalchemy", "security"),
                          ("sqlalchemy", "admin", "security")}  # fmt: skip
    # Without extensions nothing after flask_extensions is asked but the option packs: eight combinations per app_kind.
    assert sorted(c.id for c in flask if not c.data["flask_extensions"]) == sorted(
        f"flask-{kind}{sentry}{prometheus}{opentelemetry}"
        for kind in ("api", "both", "site")
        for sentry in ("", "-sentry")
        for prometheus in ("", "-prometheus")
        for opentelemetry in ("", "-opentelemetry")
    )
    assert all("two_factor" not in c.data for c in flask if "security" not in c.data["flask_extensions"])
    assert len({c.key for c in flask}) == len(flask) and len({c.id for c in flask}) == len(flask)


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_design_covers_every_pair_the_space_holds(framework):
    def pairs(combination):
        answers = sorted((name, repr(value)) for name, value in combination.data.items() if name != "project_name")
        return set(itertools.combinations(answers, 2))

    space = set().union(*map(pairs, combinations(framework)))
    design = all_pairs(framework)
    assert set().union(*map(pairs, design)) == space
    assert len(design) < len(combinations(framework)) / 4
    assert [c.id for c in all_pairs(framework, seed=19)] == [c.id for c in design]  # the same every run


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_check_takes_every_combination_without_packs_and_meets_each_pack_with_every_answer(framework):
    space, check = combinations(framework), checked(framework)
    ids = [c.id for c in check]
    assert len(set(ids)) == len(ids) and set(ids) <= {c.id for c in space}
    off = [c.id for c in space if all(c.context[name] == choices(QUESTIONS[name])[0] for name in PACKS)]
    assert set(off) <= set(ids) and len(check) < len(off) + len(space) / 4
    for pack in PACKS:
        for value in choices(QUESTIONS[pack])[1:]:
            met = {(name, repr(c.data[name])) for c in check if c.data.get(pack) == value for name in c.data}
            every = {(name, repr(c.data[name])) for c in space if c.data.get(pack) == value for name in c.data}
            assert met == every, every - met


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_copier_asks_what_the_space_says_it_asks(framework, tmp_path):
    """For the combinations with the fewest and the most features, Copier records exactly the answers the space
    computed as asked (a question not asked is not recorded), and derives the same package name."""
    for index, combination in enumerate((min(combinations(framework), key=Combination.weight), everything(framework))):
        dst = generate(combination, tmp_path / str(index))
        recorded = yaml.safe_load((dst / ".copier-answers.yml").read_text())
        assert {name: recorded[name] for name in recorded if name in FACTORS} == {
            name: value for name, value in combination.data.items() if name in FACTORS
        }
        assert recorded["project_slug"] == resolve({**combination.data, "project_name": NAME}).context["project_slug"]


def test_rendering_is_the_same_with_templates_compiled_once(tmp_path):
    for framework in FRAMEWORKS:
        plain = generate(everything(framework), tmp_path / f"{framework}-plain", compile_once=False)
        generate(everything(framework), tmp_path / f"{framework}-warm")  # fills the cache
        once = generate(everything(framework), tmp_path / f"{framework}-once")
        files = sorted(path.relative_to(plain) for path in plain.rglob("*") if path.is_file())
        assert files == sorted(path.relative_to(once) for path in once.rglob("*") if path.is_file())
        for name in files:
            if name.name != ".env":  # fresh secrets
                # Copier commits a dirty work tree in its clone, so the answers' _commit differs from copy to copy.
                texts = [
                    re.sub(r"^_commit: .*$", "", (root / name).read_text(), flags=re.MULTILINE)
                    for root in (plain, once)
                ]
                assert texts[0] == texts[1], name
