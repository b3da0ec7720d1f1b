"""The template's answer space, read from copier.yml: every combination of the answers that shape the output.

A question *shapes the output* when it is asked with a closed set of answers (choices, or a yes/no) and either a
computed variable (`when: false`, `use_*`) reads it or it comes after `framework` (the framework's options). Each
question's `when` is evaluated as Copier does, with the template's Jinja, for the answers before it, so a question
that is not asked for a combination does not multiply it. Combinations whose output would be the same are one: their
key is the values of the computed variables, plus the answers no computed variable reads (none, today).

`combinations(framework)` lists them; `all_pairs(framework)` is a seeded greedy covering design over the same
factors (every pair of answers that can occur together, in at least one row). A new question or choice in copier.yml
enlarges both by itself. `checked(framework)`, what the static check generates, takes every combination with the
option packs (PACKS) off and adds the covering design's rows, so that a pack adds a few rows, not a multiple.
"""

from __future__ import annotations

import functools
import itertools
import random
from dataclasses import dataclass, field

import jinja2.meta
import yaml
from copier._user_data import cast_to_bool  # Copier's own reading of a rendered `when` or yes/no default
from helpers import TEMPLATE_JINJA, TEMPLATE_ROOT

COPIER_YML: dict = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
QUESTIONS: dict[str, dict] = {name: spec for name, spec in COPIER_YML.items() if not name.startswith("_")}
# Answers that are not part of the space: a name the tests' own checks expect, and Copier's defaults for the rest.
BASE_ANSWERS: dict[str, object] = {"project_name": "Shop"}
# Questions that add a pack of whole files and change no other file's text but for a line: the static check meets
# their answers with every other answer (pairwise) instead of multiplying the space by them.
PACKS = ("error_tracking", "metrics", "tracing")
# Short labels for yes/no questions in a combination's name; any other yes/no question is named by itself.
LABELS = {"two_factor": "2fa", "background_tasks": "tasks"}


def is_computed(spec: dict) -> bool:
    """A variable that is never asked: `when: false` or `ask: false`."""
    return spec.get("when") is False or spec.get("ask") is False


def _variables(expression: object) -> set[str]:
    """The names a Jinja expression (a copier.yml default or `when`) reads."""
    if not isinstance(expression, str):
        return set()
    return jinja2.meta.find_undeclared_variables(TEMPLATE_JINJA.parse(expression))


def _read_by_computed() -> set[str]:
    """The questions that some computed variable reads, directly or through another computed variable."""
    read: set[str] = set()
    pending = [name for name, spec in QUESTIONS.items() if is_computed(spec)]
    seen = set(pending)
    while pending:
        for name in _variables(QUESTIONS[pending.pop()].get("default")) & set(QUESTIONS):
            read.add(name)
            if is_computed(QUESTIONS[name]) and name not in seen:
                seen.add(name)
                pending.append(name)
    return {name for name in read if not is_computed(QUESTIONS[name])}


def _closed(spec: dict) -> bool:
    return "choices" in spec or spec.get("type") == "bool"


_ORDER = list(QUESTIONS)
FACTORS: list[str] = [
    name
    for name, spec in QUESTIONS.items()
    if not is_computed(spec)
    and _closed(spec)
    and (name in _read_by_computed() or _ORDER.index(name) >= _ORDER.index("framework"))
]
COMPUTED: list[str] = [name for name, spec in QUESTIONS.items() if is_computed(spec)]
# Factors whose answers reach the output only through computed variables: the key leaves them out.
SUMMARISED = _read_by_computed()


@functools.cache
def _template(source: str) -> jinja2.Template:
    return TEMPLATE_JINJA.from_string(source)


def _render(value: object, context: dict) -> object:
    if isinstance(value, str) and ("{{" in value or "{%" in value):
        return _template(value).render(context)
    return value


def _cast(spec: dict, value: object) -> object:
    """A rendered default as Copier reads it for the question's type."""
    if spec.get("multiselect"):
        return yaml.safe_load(value) if isinstance(value, str) else list(value or [])
    if spec.get("type") == "bool":
        return cast_to_bool(value)
    return value


def choices(spec: dict) -> list[object]:
    """Every answer a closed question accepts: its choices' values, both yes and no, or every subset of a
    multiselect's choices (in the choices' order)."""
    if spec.get("type") == "bool":
        return [False, True]
    values = list(spec["choices"].values()) if isinstance(spec["choices"], dict) else list(spec["choices"])
    if spec.get("multiselect"):
        return [list(subset) for size in range(len(values) + 1) for subset in itertools.combinations(values, size)]
    return values


def asked(name: str, context: dict) -> bool:
    """Whether Copier asks `name` given the answers in `context` (its `when`, rendered)."""
    spec = QUESTIONS[name]
    return not is_computed(spec) and cast_to_bool(_render(spec.get("when", True), context))


@dataclass(frozen=True)
class Combination:
    """One answer set of the space: `data` are the answers to give Copier (`BASE_ANSWERS` and the asked factors),
    `context` every variable's value, as Copier would compute it."""

    data: dict[str, object]
    context: dict[str, object] = field(compare=False, repr=False)

    @property
    def framework(self) -> str:
        return str(self.context["framework"])

    @property
    def key(self) -> tuple:
        """Combinations with the same key render the same project."""
        computed = tuple((name, repr(self.context[name])) for name in COMPUTED)
        raw = tuple((name, repr(value)) for name, value in self.data.items() if name not in SUMMARISED)
        return computed + raw

    @property
    def id(self) -> str:
        """Its name, from its asked factors' answers in copier.yml's order, framework first:
        `django-api-postgresql-2fa-tasks-redis`; a no, an empty selection and the choice `none` are left out."""
        parts = [self.framework]
        for name in FACTORS:
            if name == "framework" or not asked(name, self.context):
                continue
            value = self.context[name]
            if isinstance(value, bool):
                parts += [LABELS.get(name, name)] if value else []
            elif isinstance(value, list):
                parts += ["+".join(value)] if value else []
            elif value != "none":
                parts.append(str(value))
        return "-".join(parts)

    def weight(self) -> int:
        """How many features it turns on (computed variables that are true)."""
        return sum(self.context[name] is True for name in COMPUTED)


def _walk(context: dict, data: dict, names: list[str]):
    """Every combination reachable from `context` by answering `names` in order."""
    if not names:
        yield Combination(dict(data), dict(context))
        return
    name, rest = names[0], names[1:]
    spec = QUESTIONS[name]
    if name in BASE_ANSWERS:
        yield from _walk({**context, name: BASE_ANSWERS[name]}, {**data, name: BASE_ANSWERS[name]}, rest)
    elif name in FACTORS and asked(name, context):
        for value in choices(spec):
            yield from _walk({**context, name: value}, {**data, name: value}, rest)
    else:  # not in the space, or not asked here: Copier takes its default
        yield from _walk({**context, name: _cast(spec, _render(spec.get("default"), context))}, data, rest)


def resolve(answers: dict[str, object]) -> Combination:
    """The combination Copier makes of `answers` (given as data, with defaults for the rest)."""
    context: dict[str, object] = {}
    for name, spec in QUESTIONS.items():
        if name in answers and asked(name, context):
            context[name] = answers[name]
        else:
            context[name] = _cast(spec, _render(spec.get("default"), context))
    return Combination(dict(answers), context)


@functools.cache
def raw_combinations() -> tuple[Combination, ...]:
    """Every combination of asked factor answers, before the ones that render alike are merged."""
    return tuple(_walk({}, {}, list(QUESTIONS)))


@functools.cache
def combinations(framework: str) -> tuple[Combination, ...]:
    """The distinct combinations of `framework`, in copier.yml's order. Of those that render alike, the one whose
    answers name the most (`[sqlalchemy, admin]` rather than `[admin]`) stands for them."""
    classes: dict[tuple, list[Combination]] = {}
    for combination in raw_combinations():
        if combination.framework == framework:
            classes.setdefault(combination.key, []).append(combination)

    def named(combination: Combination) -> int:
        return sum(len(value) for value in combination.data.values() if isinstance(value, list))

    return tuple(max(members, key=named) for members in classes.values())


def everything(framework: str) -> Combination:
    """The combination with the most features on: its dependencies are those of every other combination."""
    return max(combinations(framework), key=Combination.weight)


def _pairs(combination: Combination) -> frozenset[tuple]:
    """The answers of a combination's asked factors, alone and in pairs."""
    answers = sorted((name, repr(value)) for name, value in combination.data.items() if name in FACTORS)
    return frozenset(itertools.combinations(answers, 2)) | {(answer,) for answer in answers}


def _greedy(pairs: list[frozenset[tuple]], order: list[int]) -> list[int]:
    """Rows taken one at a time, each the first candidate in `order` that covers the most pairs not yet covered;
    `pairs[i]` are candidate i's. Returns the candidates' indexes."""
    uncovered = set().union(*pairs)
    design = []
    while uncovered:
        best = max(order, key=lambda index: len(pairs[index] & uncovered))
        design.append(best)
        uncovered -= pairs[best]
    return design


@functools.cache
def checked(framework: str) -> tuple[Combination, ...]:
    """The combinations tests/test_answer_space.py checks: every combination with each of PACKS at its first
    choice (off), then the all-pairs rows not among them, which meet every other answer with each pack's."""
    off = tuple(
        combination
        for combination in combinations(framework)
        if all(combination.context[name] == choices(QUESTIONS[name])[0] for name in PACKS)
    )
    return off + tuple(combination for combination in all_pairs(framework) if combination not in off)


@functools.cache
def all_pairs(framework: str, seed: int = 19, tries: int = 50) -> tuple[Combination, ...]:
    """A covering design: distinct combinations of `framework` such that every pair of answers that occurs
    together in some combination (its asked factors, framework included) occurs in at least one of them.

    Greedy and seeded, so the same every run: for `tries` orders of the candidates, shuffled by a generator seeded
    with `seed`, each step takes the first candidate that covers the most pairs not yet covered; the shortest
    design wins (the first of equals), its rows in the order they were taken.
    """
    candidates = combinations(framework)
    pairs = [_pairs(candidate) for candidate in candidates]
    generator = random.Random(seed)
    designs = []
    for _ in range(tries):
        order = list(range(len(candidates)))
        generator.shuffle(order)
        designs.append(_greedy(pairs, order))
    return tuple(candidates[index] for index in min(designs, key=len))
