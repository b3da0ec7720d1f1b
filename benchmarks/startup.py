"""Startup: a fresh process that imports and creates the app, generated against bare (and for Flask, against the
extensions' packages imported alone)."""

from __future__ import annotations

from apps import App
from common import Figure, clean_env, hyperfine


def measure_startup(apps: dict[str, dict[str, App]], rounds: int) -> dict[str, Figure]:
    """`rounds` rounds of 3 runs of each side, the sides alternating per round. Keys: `{framework}_{side}_startup_s`."""
    figures = {}
    for name, sides in apps.items():
        commands = {side: app.startup_command for side, app in sides.items() if app.startup_code}
        for side, figure in hyperfine(commands, rounds, 3, clean_env()).items():
            figures[f"{name}_{side}_startup_s"] = figure
    return figures
