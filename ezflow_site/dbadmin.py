"""Creating and dropping whole databases on the server that DATABASE_URL points at (tests, benchmarks)."""

from __future__ import annotations

from urllib.parse import quote

import environ
import psycopg


def server_params(url: str) -> dict:
    config = environ.Env.db_url_config(url)
    from urllib.parse import unquote

    return {
        "host": unquote(config.get("HOST") or "") or None,
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or None,
    }


def with_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + quote(name)


def create_database(url: str, name: str) -> str:
    with psycopg.connect(dbname="postgres", autocommit=True, **server_params(url)) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return with_database(url, name)


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **server_params(url)) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
