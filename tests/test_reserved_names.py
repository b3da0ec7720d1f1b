"""validation/reserved_names.jinja must match what scripts/reserved_names.py makes from this Python."""

import runpy

from helpers import TEMPLATE_ROOT


def test_reserved_names_file_is_up_to_date():
    script = runpy.run_path(str(TEMPLATE_ROOT / "scripts" / "reserved_names.py"))
    current = (TEMPLATE_ROOT / "validation" / "reserved_names.jinja").read_text()
    assert current == script["render"](), "run: python scripts/reserved_names.py > validation/reserved_names.jinja"
