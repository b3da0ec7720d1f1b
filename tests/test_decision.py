"""Unit tests of the framework recommendation: decision/criteria.yml against its schema and copier.yml, and the
scoring in decision/framework.jinja, rendered directly with Jinja."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers import DECISION_NEUTRAL, DECISION_QUESTIONS, TEMPLATE_JINJA, TEMPLATE_ROOT, decide

DECISION = TEMPLATE_ROOT / "decision"
COPIER_YML = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
DATA = yaml.safe_load((DECISION / "criteria.yml").read_text())
SCHEMA = json.loads((DECISION / "criteria.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CRITERIA = decide()["criteria"]
GUIDANCE_IDS = set(DATA["articles"])


def choices_of(question: str) -> list[str]:
    return list(COPIER_YML[question]["choices"].values())


def test_criteria_yml_follows_its_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    errors = [f"{error.json_path}: {error.message}" for error in VALIDATOR.iter_errors(DATA)]
    assert not errors, errors


def broken(path: tuple, value: object) -> dict:
    """A deep copy of criteria.yml's data with the item at `path` set to `value` (or deleted when it is ...)."""
    data = copy.deepcopy(DATA)
    *parents, last = path
    target = data
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    "path,value,keyword,where",
    [
        pytest.param(("criteria", 0, "weight"), 5, "maximum", "$.criteria[0].weight", id="weight-5"),
        pytest.param(("criteria", 0, "weight"), -1, "minimum", "$.criteria[0].weight", id="weight-negative"),
        pytest.param(("criteria", 0, "weight"), "2", "type", "$.criteria[0].weight", id="weight-a-string"),
        pytest.param(("criteria", 0, "favours"), "bottle", "enum", "$.criteria[0].favours", id="favours-unknown"),
        pytest.param(("criteria", 0, "question"), "team_size", "enum", "$.criteria[0].question", id="question-unknown"),
        pytest.param(("criteria", 0, "sources"), ["A", "F"], "enum", "$.criteria[0].sources[1]", id="source-unknown"),
        pytest.param(("criteria", 0, "sources"), [], "minItems", "$.criteria[0].sources", id="sources-empty"),
        pytest.param(("criteria", 0, "sources"), ["A", "A"], "uniqueItems", "$.criteria[0].sources", id="source-twice"),
        pytest.param(("criteria", 0, "reason"), ..., "required", "$.criteria[0]", id="reason-missing"),
        pytest.param(("criteria", 0, "dispute"), ..., "required", "$.criteria[0]", id="dispute-missing"),
        pytest.param(("criteria", 0, "weigth"), 2, "additionalProperties", "$.criteria[0]", id="field-misspelt"),
        pytest.param(("articles", "F"), "Someone, 2024", "enum", "$.articles", id="article-unknown"),
        pytest.param(("tie_break",), ..., "required", "$", id="tie-break-missing"),
    ],
)
def test_schema_rejects_a_broken_criteria_file(path, value, keyword, where):
    errors = [(error.validator, error.json_path) for error in VALIDATOR.iter_errors(broken(path, value))]
    assert (keyword, where) in errors


def test_schema_rejects_a_scoring_criterion_that_favours_neither():
    neither = next(i for i, criterion in enumerate(DATA["criteria"]) if criterion["favours"] == "neither")
    assert not VALIDATOR.is_valid(broken(("criteria", neither, "weight"), 1))
    assert not VALIDATOR.is_valid(broken(("criteria", neither, "dispute"), ""))


def test_schema_knows_exactly_the_decision_questions_and_the_articles():
    criterion = SCHEMA["$defs"]["criterion"]["properties"]
    assert criterion["question"]["enum"] == DECISION_QUESTIONS
    assert set(SCHEMA["$defs"]["article_id"]["enum"]) == GUIDANCE_IDS


def test_decision_module_reads_its_data_from_criteria_yml():
    exports = decide()
    assert (exports["criteria"], exports["articles"], exports["tie_break"]) == (
        DATA["criteria"],
        DATA["articles"],
        DATA["tie_break"],
    )


# The template's own sources: none of them may restate a criterion, an article or the tie-break.
SOURCES = [TEMPLATE_ROOT / "copier.yml", TEMPLATE_ROOT / "README.md"] + [
    path
    for folder in ("decision", "partials", "template-flask", "template-django", "validation", "hooks")
    for path in (TEMPLATE_ROOT / folder).rglob("*")
    if path.is_file() and path != DECISION / "criteria.yml" and "__pycache__" not in path.parts
]


def normalized(text: str) -> str:
    """`text` in lower case with each run of white space, line breaks included, as one space."""
    return " ".join(text.lower().split())


def test_criteria_yml_is_the_only_place_a_criterion_is_written():
    texts = [c["reason"] for c in DATA["criteria"]] + [c["dispute"] for c in DATA["criteria"] if c["dispute"]]
    texts += [*DATA["articles"].values(), DATA["tie_break"]]
    for path in SOURCES:
        source = normalized(path.read_text(errors="replace"))
        restated = [text for text in texts if normalized(text) in source]
        assert not restated, f"{path.relative_to(TEMPLATE_ROOT)} restates criteria.yml: {restated}"


def test_decision_module_reads_exactly_the_decision_questions_of_copier_yml():
    asked_before_framework = list(COPIER_YML)[
        list(COPIER_YML).index("author_email") + 1 : list(COPIER_YML).index("framework")
    ]
    assert DECISION_QUESTIONS == asked_before_framework


def test_neutral_answers_trigger_nothing_and_the_tie_goes_to_flask():
    result = decide()
    assert result["matched"] == []
    assert result["score"] == {"flask": 0, "django": 0}
    assert result["recommendation"] == "flask"


@pytest.mark.parametrize("criterion", CRITERIA, ids=lambda c: f"{c['question']}={c['answer']}:{c['favours']}")
def test_each_criterion_is_a_choice_of_its_question_and_scores_for_its_framework(criterion):
    # criteria.schema.json checks the fields' types and ranges; this checks them against copier.yml and the scoring.
    assert criterion["question"] in DECISION_QUESTIONS
    assert criterion["answer"] in choices_of(criterion["question"])

    multiselect = COPIER_YML[criterion["question"]].get("multiselect", False)
    answer = [criterion["answer"]] if multiselect else criterion["answer"]
    result = decide(**{criterion["question"]: answer})

    assert criterion in result["matched"]
    same_answer = [c for c in CRITERIA if (c["question"], c["answer"]) == (criterion["question"], criterion["answer"])]
    for framework in ("flask", "django"):
        expected = sum(c["weight"] for c in same_answer if c["favours"] == framework)
        assert result["score"][framework] == expected


def test_every_article_is_cited():
    assert set().union(*(c["sources"] for c in CRITERIA)) == GUIDANCE_IDS


def test_matched_criteria_come_strongest_first():
    result = decide(app_size="large", builtins_needed=["database", "admin"], team_style="conventions")
    weights = [c["weight"] for c in result["matched"]]
    assert weights == sorted(weights, reverse=True)


SCENARIOS = {
    "small REST microservice, experienced team": (
        {
            "app_size": "small",
            "app_kind": "api",
            "builtins_needed": [],
            "product_stage": "mvp",
            "team_style": "freedom",
            "team_experience": "experienced",
        },
        "flask",
    ),
    "large content site with admin, accounts and an ORM, sensitive data": (
        {
            "app_size": "large",
            "app_kind": "site",
            "builtins_needed": ["database", "accounts", "admin"],
            "data_sensitivity": "sensitive",
            "product_stage": "long_lived",
            "team_experience": "experienced",
        },
        "django",
    ),
    "prototype with unsettled requirements": (
        {
            "app_size": "medium",
            "app_kind": "both",
            "builtins_needed": ["database"],
            "product_stage": "prototype",
            "team_style": "conventions",
            "team_experience": "new",
        },
        "flask",
    ),
    "MVP with a clear vision that needs accounts and admin": (
        {
            "app_size": "medium",
            "app_kind": "both",
            "builtins_needed": ["accounts", "admin"],
            "product_stage": "mvp",
            "team_experience": "experienced",
        },
        "django",
    ),
}


@pytest.mark.parametrize("answers,expected", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_scenarios(answers, expected):
    result = decide(**answers)
    assert result["recommendation"] == expected
    assert result["score"][expected] > result["score"]["flask" if expected == "django" else "django"]


def test_a_new_team_is_cited_both_ways_but_does_not_score():
    assert decide(team_experience="new")["score"] == {"flask": 0, "django": 0}
    assert any("great place to start" in c["dispute"] for c in decide(team_experience="new")["matched"])


def test_copier_defaults_recommend_from_the_default_answers():
    defaults = {question: COPIER_YML[question]["default"] for question in DECISION_QUESTIONS}
    defaults["builtins_needed"] = yaml.safe_load(defaults["builtins_needed"])
    result = decide(**defaults)
    assert result["recommendation"] in {"flask", "django"}
    assert result["matched"], "the default answers should say something"


def test_help_text_shows_recommendation_score_reasons_and_disagreements():
    template = TEMPLATE_JINJA.from_string(
        '{% from "decision/framework.jinja" import help_text with context %}{{ help_text() }}'
    )
    text = template.render(
        {**DECISION_NEUTRAL, **SCENARIOS["MVP with a clear vision that needs accounts and admin"][0]}
    )
    assert text.startswith("Recommended: Django (score: Django ")
    reasons = [line for line in text.splitlines() if line.startswith("  - ") and "[" in line]
    assert 2 <= len(reasons) <= 6
    assert "Strongest reasons:" in text
    assert "Where the articles disagree:" in text
    assert "D also lists MVPs among Flask's uses" in text


def test_guidance_ids_match_the_shared_index():
    index = Path(TEMPLATE_ROOT.parent / "shared" / "guidance" / "README.md")
    if not index.exists():
        pytest.skip("../shared/guidance is not beside this checkout")
    text = index.read_text()
    for article in GUIDANCE_IDS:
        assert f"| {article} |" in text
