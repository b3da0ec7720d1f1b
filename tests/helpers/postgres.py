"""PostgreSQL for the tests: the shared server of `.ci/postgres`, and throwaway clusters a test may restart."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .environment import require
from .processes import free_port

# Where .ci/postgres writes its server's URL: found here when CROSSROADS_POSTGRES_URL is not set.
POSTGRES_URL_FILE = Path(os.environ.get("CROSSROADS_POSTGRES_DIR", "/var/tmp/crossroads-postgres")) / "url"


@dataclass(frozen=True)
class PostgresServer:
    """The PostgreSQL server of `.ci/postgres`: `url` connects as a role with CREATEDB."""

    url: str

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run `sql` with psql in `database`; return its unaligned output, without headers."""
        url = urlsplit(self.url)._replace(path=f"/{database}").geturl()
        result = subprocess.run(
            ["psql", url, "--no-psqlrc", "--tuples-only", "--no-align", "--set=ON_ERROR_STOP=1", "--command", sql],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"psql {sql!r} failed: {result.stderr}"
        return result.stdout.strip()

    def create_database(self, prefix: str) -> str:
        """Create an empty database named `prefix` plus a random suffix; return its URL."""
        name = f"{prefix}_{secrets.token_hex(4)}"
        self.psql(f'CREATE DATABASE "{name}"')
        return urlsplit(self.url)._replace(path=f"/{name}").geturl()


@contextmanager
def private_postgres() -> Iterator[tuple[str, Callable[[], None]]]:
    """A throwaway PostgreSQL cluster of its own on a free loopback port, run as the `postgres` user (initdb and
    pg_ctl from Debian's package, as .ci/postgres uses), so that restarting it disturbs no other test.

    Yields (URL of its database `shop`, restart(while_down=None)); restart() is a fast shutdown and a start, and
    returns once the server accepts connections again; with `while_down`, it calls `while_down()` between the two, to
    look at the world without the server. The cluster is stopped and deleted at the end.
    """
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    if not binaries or not shutil.which("runuser"):
        require("no PostgreSQL server binaries (Debian: postgresql), or no runuser")
    bin_dir = binaries[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="crossroads-restart-", dir="/var/tmp"))  # postgres can reach it
    shutil.chown(folder, "postgres", "postgres")
    port = free_port()

    def as_postgres(*command: str) -> None:
        result = subprocess.run(
            ["runuser", "-u", "postgres", "--", *command], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr

    data = folder / "data"
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} -c fsync=off"
    pg_ctl = [str(bin_dir / "pg_ctl"), f"--pgdata={data}", f"--log={folder / 'server.log'}", "--wait", "--silent"]
    try:
        # Trust on loopback: a cluster that lives for one test, reachable only from this machine.
        as_postgres(
            str(bin_dir / "initdb"), f"--pgdata={data}", "--username=postgres", "--auth=trust", "--no-instructions"
        )
        as_postgres(*pg_ctl, "start", "-o", options)
        as_postgres(str(bin_dir / "createdb"), f"--host={folder}", f"--port={port}", "--username=postgres", "shop")

        def restart(while_down: Callable[[], None] | None = None) -> None:
            if while_down is None:
                as_postgres(*pg_ctl, "restart", "--mode=fast", "-o", options)
                return
            as_postgres(*pg_ctl, "stop", "--mode=fast")
            try:
                while_down()
            finally:
                as_postgres(*pg_ctl, "start", "-o", options)

        yield f"postgresql://postgres@127.0.0.1:{port}/shop", restart
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *pg_ctl, "stop", "--mode=immediate"], capture_output=True, check=False
        )
        shutil.rmtree(folder, ignore_errors=True)


def psql_rows(url: str, sql: str) -> list[list[str]]:
    """Run the query `sql` with psql on the database at `url`; return its rows, each the list of its fields as text
    (NULL as ""). Raises CalledProcessError when psql fails."""
    output = subprocess.run(
        ["psql", url, "--no-psqlrc", "--tuples-only", "--no-align", "--field-separator=\t", "--command", sql],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [row.split("\t") for row in output.splitlines() if row]
