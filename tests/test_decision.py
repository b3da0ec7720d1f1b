"""Unit tests of the framework recommendation in decision/framework.jinja, rendered directly with Jinja."""

import json
from pathlib import Path

import pytest
import yaml
from helpers import TEMPLATE_JINJA, TEMPLATE_ROOT

GUIDANCE_IDS = {"A", "B", "C", "D", "E"}
COPIER_YML = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
PROBE = TEMPLATE_JINJA.from_string(
    '{% from "decision/framework.jinja" import CRITERIA, answers, matched, score, recommendation with context %}'
    "{{ {'criteria': CRITERIA, 'questions': answers.keys() | list, 'matched': matched, 'score': score,"
    " 'recommendation': recommendation} | tojson }}"
)
# Answers that trigger no criterion, so that a test can switch on exactly the ones it names.
NEUTRAL = {
    "app_size": "",
    "app_kind": "site",
    "builtins_needed": [],
    "product_stage": "",
    "team_style": "",
    "data_sensitivity": "ordinary",
    "expected_load": "modest",
    "team_experience": "",
}


def decide(**answers: object) -> dict:
    """Render the decision module for NEUTRAL updated with `answers`; return its exports as plain data."""
    return json.loads(PROBE.render({**NEUTRAL, **answers}))


CRITERIA = decide()["criteria"]
DECISION_QUESTIONS = decide()["questions"]


def choices_of(question: str) -> list[str]:
    return list(COPIER_YML[question]["choices"].values())


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
def test_each_criterion_is_well_formed_and_scores_for_its_framework(criterion):
    assert criterion["question"] in DECISION_QUESTIONS
    assert criterion["answer"] in choices_of(criterion["question"])
    assert criterion["favours"] in {"flask", "django", "neither"}
    assert 0 <= criterion["weight"] <= 3
    assert criterion["sources"] and set(criterion["sources"]) <= GUIDANCE_IDS
    assert criterion["reason"]
    if criterion["favours"] == "neither":
        assert criterion["weight"] == 0 and criterion["dispute"], "a non-scoring criterion must say why"

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
    text = template.render({**NEUTRAL, **SCENARIOS["MVP with a clear vision that needs accounts and admin"][0]})
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
