"""hooks/moved_file.py's three-way merge: clean when the team and the template changed different lines, and
inline markers with Copier's labels when they changed the same one. The whole migration runs in test_update.py."""

import importlib.util

from helpers import TEMPLATE_ROOT

spec = importlib.util.spec_from_file_location("moved_file", TEMPLATE_ROOT / "hooks" / "moved_file.py")
moved_file = importlib.util.module_from_spec(spec)
spec.loader.exec_module(moved_file)

BASE = "# Title\n\nline one\nline two\nline three\nline four\n"


def test_edits_on_different_lines_merge_cleanly(tmp_path):
    theirs = tmp_path / "new.md"
    theirs.write_text(BASE.replace("# Title\n", "# Title\n\nStatus: accepted.\n"))

    merged, conflicts = moved_file.merge(BASE + "\nTeam notes.\n", BASE, theirs)

    assert conflicts == 0
    assert merged == "# Title\n\nStatus: accepted.\n\nline one\nline two\nline three\nline four\n\nTeam notes.\n"


def test_edits_of_the_same_line_end_as_inline_markers(tmp_path):
    theirs = tmp_path / "new.md"
    theirs.write_text(BASE.replace("line two", "line 2"))

    merged, conflicts = moved_file.merge(BASE.replace("line two", "line TWO"), BASE, theirs)

    assert conflicts == 1
    assert "<<<<<<< before updating\nline TWO\n" in merged
    assert "=======\nline 2\n>>>>>>> after updating\n" in merged
