"""Each preset in presets/ generates with `copier copy --data-file`, agrees with the recommendation, and the
project it makes passes its own tests."""

import re

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


@pytest.mark.parametrize("name", PARAMS)
def test_preset_project_passes_its_own_tests(generate_preset, name):
    result = generate_preset(name).uv_run("pytest", "-q", "-W", "error", "-p", "no:cacheprovider")
    assert re.search(r"\d+ passed", result.stdout) and "failed" not in result.stdout
