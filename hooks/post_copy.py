"""Post-copy task: write the project's development `.env`, then print the next steps.

Copier runs this once, in the new project's folder, after `copier copy` (never on `copier update`, so that the
team's secrets are never replaced). It is not copied into the project.

`.env` is derived from the generated `.env.example`, which is the one list of the project's variables:
- every `*_SECRET_KEY` gets a fresh random value from `secrets.token_urlsafe` (50 bytes, about 67 characters);
- every `*_DEBUG` is switched on, because `.env` is for development;
- everything else, comments included, is kept as it is.

Usage: post_copy.py --framework {flask,django} --slug NAME
Exit status: 0, or 1 with a message when `.env.example` is missing. An existing `.env` is never overwritten.
"""

import argparse
import secrets
import sys
from pathlib import Path

RUN_COMMANDS = {
    "flask": "uv run flask --app {slug} run",
    "django": "uv run python manage.py migrate && uv run python manage.py runserver",
}


def development_env(example: str) -> str:
    """Return the text of a development `.env` made from the text of `.env.example`."""
    lines = []
    for line in example.splitlines():
        name, separator, _ = line.partition("=")
        if separator and not line.startswith("#"):
            if name.endswith("_SECRET_KEY"):
                line = f"{name}={secrets.token_urlsafe(50)}"
            elif name.endswith("_DEBUG"):
                line = f"{name}=true"
        lines.append(line)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=sorted(RUN_COMMANDS), required=True)
    parser.add_argument("--slug", required=True)
    args = parser.parse_args(argv)

    project = Path.cwd()
    example, env = project / ".env.example", project / ".env"
    if not example.is_file():
        print(f"post-copy: {example} is missing; cannot write .env", file=sys.stderr)
        return 1
    if env.exists():
        print("post-copy: .env exists already; left as it is")
    else:
        env.write_text(development_env(example.read_text()))
        env.chmod(0o600)
        print("post-copy: wrote .env with fresh secrets (git-ignored)")

    run = RUN_COMMANDS[args.framework].format(slug=args.slug)
    print(
        "\nNext steps:\n"
        f"  cd {project}\n"
        "  uv sync\n"
        "  uv run pytest\n"
        f"  {run}\n"
        "Why this framework: docs/adr/0001-web-framework.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
