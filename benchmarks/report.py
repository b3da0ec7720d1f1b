"""The targets, one `Target` per figure reported, and the Markdown table that says which are met."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from common import Figure


def at_most(value: float, limit: float) -> bool:
    return value <= limit


def at_least(value: float, limit: float) -> bool:
    return value >= limit


@dataclass(frozen=True)
class Target:
    """One figure of the table: what is measured (`measured`, a key of the figures), against what (`baseline`, the
    figure it is divided by, or None for an absolute figure), the `limit` of the ratio (or of the absolute figure,
    in its unit; None: reported, no target), and `met`, the direction (`at_most` or `at_least`)."""

    key: str
    label: str
    measured: str
    baseline: str | None
    limit: float | None
    met: Callable[[float, float], bool] = at_most

    def value(self, figures: dict[str, Figure]) -> float | None:
        """The ratio of the two medians, or the absolute median; None when a figure was not measured."""
        if self.measured not in figures or (self.baseline and self.baseline not in figures):
            return None
        median = figures[self.measured].median
        return median / figures[self.baseline].median if self.baseline else median

    def verdict(self, value: float) -> str:
        if self.limit is None:
            return "reported"
        return "met" if self.met(value, self.limit) else "NOT met"

    @property
    def comparison(self) -> str:
        if self.limit is None:
            return ""
        sign = "<=" if self.met is at_most else ">="
        return f"{sign} {self.limit}{'x' if self.baseline else ' ' + self.unit}"

    @property
    def unit(self) -> str:
        return "s" if self.measured.endswith("_s") else ""


FLASK, DJANGO = "Flask (all extensions)", "Django (defaults)"
BARE = {"flask": "bare Flask", "django": "bare Django"}


PAGES = (("home", "home page"), ("notes", "notes list, 20 rows"), ("api", "API list, 20 notes as JSON"))


def serving_targets(
    name: str, label: str, rps_limit: float, rss_limit: float, signin_limit: float | None = None
) -> list[Target]:
    """Throughput (with a limit), p99 latency (reported) per page, and memory per worker, `name` against bare;
    with `signin_limit`, the sign-in page's throughput too, with its own limit."""
    targets = []
    pages = [(page, what, rps_limit) for page, what in PAGES]
    if signin_limit is not None:
        pages.append(("signin", "sign-in page (the form, not signed in)", signin_limit))
    for page, what, limit in pages:
        targets.append(
            Target(
                f"{name}_{page}_rps_ratio",
                f"{label} {what}, req/s / {BARE[name]}",
                f"{name}_app_{page}_rps",
                f"{name}_bare_{page}_rps",
                limit,
                at_least,
            )
        )
        targets.append(
            Target(
                f"{name}_{page}_p99_ratio",
                f"{label} {what}, p99 latency / {BARE[name]}",
                f"{name}_app_{page}_p99_ms",
                f"{name}_bare_{page}_p99_ms",
                None,
            )
        )
    targets.append(
        Target(
            f"{name}_api_unlimited_rps_ratio",
            f"{label} API list with its rate limits off, req/s / {BARE[name]}",
            f"{name}_unlimited_api_rps",
            f"{name}_bare_api_rps",
            None,
        )
    )
    targets.append(
        Target(
            f"{name}_rss_ratio",
            f"{label} RSS per worker after load / {BARE[name]}",
            f"{name}_app_rss_mib",
            f"{name}_bare_rss_mib",
            rss_limit,
        )
    )
    return targets


TARGETS: list[Target] = [
    Target(
        "flask_startup_ratio",
        f"{FLASK} startup / {BARE['flask']}",
        "flask_app_startup_s",
        "flask_bare_startup_s",
        2.5,
    ),
    Target(
        "flask_libraries_startup_ratio",
        "the Flask extensions' packages imported alone, no app / bare Flask",
        "flask_libraries_startup_s",
        "flask_bare_startup_s",
        None,
    ),
    Target(
        "django_startup_ratio",
        f"{DJANGO} startup / {BARE['django']}",
        "django_app_startup_s",
        "django_bare_startup_s",
        1.4,
    ),
    Target(
        "django_site_startup_ratio",
        f"{DJANGO} without the API (`app_kind: site`) startup / {BARE['django']}",
        "django_site_startup_s",
        "django_bare_startup_s",
        None,
    ),
    *serving_targets("flask", FLASK, 0.6, 2.0, signin_limit=0.5),
    *serving_targets("django", DJANGO, 0.85, 1.3),
    Target(
        "django_site_rss_ratio",
        f"{DJANGO} without the API (`app_kind: site`) RSS per worker after load / {BARE['django']}",
        "django_site_rss_mib",
        "django_bare_rss_mib",
        None,
    ),
    Target(
        "flask_generation_ratio",
        "Flask generation / static-template floor",
        "flask_generation_s",
        "flask_static_generation_s",
        1.3,
    ),
    Target(
        "django_generation_ratio",
        "Django generation / static-template floor",
        "django_generation_s",
        "django_static_generation_s",
        1.3,
    ),
    Target("flask_generation_s", "Flask generation, absolute", "flask_generation_s", None, 1.5),
    Target("django_generation_s", "Django generation, absolute", "django_generation_s", None, 1.5),
    Target("flask_green_s", "time to green, Flask all extensions", "flask_green_s", None, 20.0),
    Target("django_green_s", "time to green, Django", "django_green_s", None, 15.0),
    Target("import_copier_s", '`python -c "import copier"`', "import_copier_s", None, None),
]


def evaluate(figures: dict[str, Figure]) -> dict[str, tuple[float, str]]:
    """{target key: (value, verdict)} for every target whose figures were measured."""
    values = {target.key: (target, target.value(figures)) for target in TARGETS}
    return {key: (value, target.verdict(value)) for key, (target, value) in values.items() if value is not None}


def table(figures: dict[str, Figure], problems: dict[str, str]) -> str:
    """The Markdown table: one row per target measured, with both medians and their spread for a ratio, and one
    per target whose figure could not be measured, with the reason (`problems`: {figure key: reason})."""
    rows = ["| figure | measured (median, min to max) | target | verdict |", "|---|---|---|---|"]
    results = evaluate(figures)
    for target in TARGETS:
        if target.key not in results:
            if target.measured in problems:
                rows.append(
                    f"| {target.label} | not measured: {problems[target.measured]} | {target.comparison} | NOT met |"
                )
            continue
        value, verdict = results[target.key]
        if target.baseline:
            measured = f"{value:.2f}x ({figures[target.measured]} vs {figures[target.baseline]})"
        else:
            measured = str(figures[target.measured])
        rows.append(f"| {target.label} | {measured} | {target.comparison} | {verdict} |")
    return "\n".join(rows)
