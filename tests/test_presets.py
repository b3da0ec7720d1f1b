"""Each preset in presets/ generates with `copier copy --data-file` and agrees with the recommendation. The project
each makes runs its own tests in tests/test_design.py (a row per preset)."""

import pytest
import yaml
from helpers import PRESETS, TEMPLATE_ROOT

pytestmark = pytest.mark.slow
PARAMS = [pytest.param(name, id=name, marks=pytest.mark.xdist_group(f"preset-{name}")) for name in PRESETS]


def test_the_four_scenarios_have_presets():
    assert set(PRESETS) == {"rest-microservice", "saas-mvp", "internal-admin", "content-site"}


@pytest.mark.parametrize("name", PARAMS)
def test_preset_answers_are_recorded_and_match_the_recommendation(generate_preset, name):
    project = generate_preset(name)
    preset = yaml.safe_load((TEMPLATE_ROOT / "presets" / f"{name}.yml").read_text())
    answers = yaml.safe_load((project.path / ".copier-answers.yml").read_text())
    assert {key: answers[key] for key in preset} == preset
    adr = (project.path / "docs" / "adr" / "0001-web-framework.md").read_text()
    assert "overrode the recommendation" not in adr, "the preset's framework must be the one its answers recommend"
