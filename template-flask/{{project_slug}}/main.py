"""Pages and the health check: the blueprint every deployment has."""

from flask import Blueprint, render_template

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    """The home page."""
    return render_template("index.html")


@bp.get("/health")
def health() -> dict[str, str]:
    """Liveness: answers 200 while the process can serve requests. It touches nothing else."""
    return {"status": "ok"}
