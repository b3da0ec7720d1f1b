"""The decision module (decision/framework.jinja) rendered directly, as plain data."""

from __future__ import annotations

import json

from .template import TEMPLATE_JINJA

# The decision module rendered directly: decide() returns its exports for a set of answers, as plain data.
_DECISION_PROBE = TEMPLATE_JINJA.from_string(
    '{% from "decision/framework.jinja" import CRITERIA, ARTICLES, TIE_BREAK, answers, matched, score, recommendation'
    " with context %}"
    "{{ {'criteria': CRITERIA, 'articles': ARTICLES, 'tie_break': TIE_BREAK, 'questions': answers.keys() | list,"
    " 'matched': matched, 'score': score, 'recommendation': recommendation} | tojson }}"
)
# Answers that trigger no criterion, so that a test can switch on exactly the ones it names.
DECISION_NEUTRAL: dict[str, object] = {
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
    """Render decision/framework.jinja for DECISION_NEUTRAL updated with `answers`; return its exports as a dict:
    criteria, articles, tie_break, questions (the decision questions, in order), matched, score, recommendation."""
    return json.loads(_DECISION_PROBE.render({**DECISION_NEUTRAL, **answers}))


# The questions the recommendation reads, in copier.yml's order.
DECISION_QUESTIONS: list[str] = decide()["questions"]
