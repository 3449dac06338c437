"""Where the embedded PostgreSQL server under .data/ listens, without starting it.

Starting and stopping belongs to the launcher; settings only read the postmaster.pid it leaves behind.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

DATABASE_NAME = "ezflow"


def data_dir() -> Path:
    return Path(os.environ.get("EZFLOW_DATA_DIR", Path(__file__).resolve().parents[1] / ".data"))


def pgdata_dir() -> Path:
    return data_dir() / "pg"


def read_postmaster(pgdata: Path) -> tuple[str, int] | None:
    """Socket directory and port of a server that wrote postmaster.pid, if any."""
    pid_file = pgdata / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
    except OSError:
        return None
    if len(lines) < 5:
        return None
    return lines[4].strip(), int(lines[3])


def url_for(socket_dir: str, port: int, database: str = DATABASE_NAME) -> str:
    return f"postgres://postgres@{quote(socket_dir, safe='')}:{port}/{database}"


def embedded_database_url() -> str:
    found = read_postmaster(pgdata_dir())
    if found is None:
        # Not running: point at the socket it will use, so errors name the real cause.
        return url_for(str(pgdata_dir()), 5432)
    return url_for(*found)
