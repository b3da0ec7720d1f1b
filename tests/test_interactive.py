"""An interactive `copier copy` in a real terminal: the framework prompt shows the recommendation and its reasons."""

import pexpect
import pytest
from helpers import DECISION_QUESTIONS, TEMPLATE_ROOT

pytestmark = pytest.mark.slow
PROMPT = "\N{MICROPHONE}"  # Copier starts every question with it


def test_framework_prompt_shows_recommendation_and_reasons(tmp_path, copier_command):
    command, *args = copier_command
    child = pexpect.spawn(
        command,
        [*args, "copy", "--trust", "--vcs-ref", "HEAD", str(TEMPLATE_ROOT), str(tmp_path / "out")],
        encoding="utf-8",
        timeout=30,
        dimensions=(60, 200),
        env={"TERM": "xterm", "PATH": "/usr/bin:/bin"} | {"HOME": str(tmp_path)},
    )
    child.expect("The service's name")
    child.sendline("Shop")
    # Accept the defaults of the questions before the framework: four about the project, then the decision ones.
    for _ in range(4 + len(DECISION_QUESTIONS)):
        child.expect(PROMPT)
        child.sendline("")
    child.expect("Recommended: (Flask|Django)")
    recommended = child.match.group(1)
    child.expect("Strongest reasons:")
    child.expect(r"\[([A-E](, [A-E])*)\]")
    child.expect("Pick the web framework")
    child.sendline("")
    # The remaining questions keep their defaults.
    while child.expect([PROMPT, pexpect.EOF], timeout=60) == 0:
        child.sendline("")
    child.close()
    assert child.exitstatus == 0, child.before
    answers_file = (tmp_path / "out" / ".copier-answers.yml").read_text()
    assert f"framework: {recommended.lower()}" in answers_file
