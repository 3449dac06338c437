"""PostgreSQL: run a query with named parameters, insert rows from items, update rows by a key column (psycopg 3).

The server is reached through the SSRF policy like any URL (apps.connectors.network): an internal address only when
the organization allowed it, and never this platform's own database. Values are bound by psycopg on the server
(`%(name)s` → `$1`); table and column names are checked and quoted with psycopg.sql."""

from __future__ import annotations

import re

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql

from apps.connectors import n8n
from apps.connectors.network import checked_address, port_of
from apps.connectors.sqlsteps import (
    Database,
    DatabaseKind,
    read_only_error,
    refused,
    register_database_steps,
    ssl_mode_of,
    timeout_error,
    unreachable_error,
)
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds import t
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.n8n import N8nMapping

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_READS = re.compile(r"^\s*(select|with|values|table)\b", re.IGNORECASE)


def _connect(data: dict, *, allow_hosts, timeout: float) -> psycopg.Connection:
    host = str(data.get("host") or "").strip()
    port = port_of(data.get("port"), 5432)
    address = checked_address(host, port, allow_hosts=allow_hosts)
    sslmode = ssl_mode_of(data, modes=SSL_MODES, default="prefer")
    return psycopg.connect(
        host=host,  # for TLS certificate checks; the connection goes to hostaddr, the address that was checked
        hostaddr=address,
        port=port,
        dbname=str(data.get("database") or "").strip() or "postgres",
        user=str(data.get("username") or "").strip(),
        password=str(data.get("password") or ""),
        sslmode=sslmode,
        connect_timeout=max(int(timeout), 2),
        application_name="EZFlow",
        autocommit=False,
    )


def _reason(exc: Exception) -> str:
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    return (primary or str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)[:400]


_REFUSED_BY_CLASS = (
    (pg_errors.UndefinedTable, "db_no_table"),
    (pg_errors.UndefinedColumn, "db_no_column"),
    (pg_errors.SyntaxError, "db_syntax"),
    (pg_errors.IntegrityError, "db_constraint"),
    (pg_errors.InsufficientPrivilege, "db_permission"),
)


class PostgresDatabase(Database):
    credential_type = "postgres"
    name = "PostgreSQL"
    dollar_quotes = True
    returning = True

    def connect(self, data, *, allow_hosts, timeout):
        return _connect(data, allow_hosts=allow_hosts, timeout=timeout)

    def begin(self, connection, *, read_only, timeout_seconds):
        with connection.cursor() as cursor:
            if read_only:
                cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(int(timeout_seconds * 1000))])

    def query_cursor(self, connection, query):
        # Reads go through a server-side cursor: only the rows asked for cross the network.
        return connection.cursor(name="ezflow_query") if _READS.match(query) else connection.cursor()

    def quote(self, name):
        return sql.Identifier(*name.split(".")).as_string(None)

    def is_driver_error(self, exc):
        return isinstance(exc, psycopg.Error)

    def error(self, exc, *, timeout_seconds):
        if not isinstance(exc, psycopg.Error):
            return None
        state = getattr(exc, "sqlstate", None) or ""
        reason = _reason(exc)
        text = str(exc)
        if state in ("28P01", "28000") or "password authentication failed" in text or "no pg_hba.conf entry" in text:
            return NodeError(
                gettext_noop("PostgreSQL refused the sign-in: %(reason)s. Check the user name and password in the connection."),
                code="db_login_refused",
                values={"reason": reason},
            )
        if state == "3D000" or ("database" in text and "does not exist" in text):
            return refused("db_not_found", reason)
        if isinstance(exc, pg_errors.QueryCanceled):
            return timeout_error(timeout_seconds)
        if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
            return read_only_error()
        for kind, code in _REFUSED_BY_CLASS:
            if isinstance(exc, kind):
                return refused(code, reason)
        if isinstance(exc, psycopg.OperationalError) and not state:
            return unreachable_error(self, reason)
        return refused("db_error", reason)


POSTGRES = PostgresDatabase()


@register_credential_kind
class PostgresKind(DatabaseKind):
    key = "postgres"
    label = t("PostgreSQL database", "PostgreSQL 데이터베이스")
    database = POSTGRES
    ssl_modes, default_ssl_mode = SSL_MODES, "prefer"
    fields = DatabaseKind.make_fields(
        default_port=5432,
        ssl_label=t("SSL mode (disable, prefer, require, verify-full)", "SSL 모드(disable, prefer, require, verify-full)"),
    )
    help = DatabaseKind.make_help(default_port=5432)


N8N_POSTGRES = "n8n-nodes-base.postgres"

PostgresQuery, PostgresInsert, PostgresUpdate = register_database_steps(
    POSTGRES,
    prefix="postgres",
    n8n={
        "query": (N8nMapping((N8N_POSTGRES,), n8n.postgres_query, when=n8n.is_postgres_query),),
        "insert": (N8nMapping((N8N_POSTGRES,), n8n.postgres_insert, when=n8n.is_postgres_insert_items),),
    },
    aliases=("postgres", "postgresql", "포스트그레스", "데이터베이스", "DB"),
    query_description=t(
        "Runs SQL with named parameters (:name) for each item; each result row becomes an item.",
        "항목마다 이름 있는 매개변수(:이름)로 SQL을 실행합니다. 결과 행마다 항목 하나를 냅니다.",
    ),
    insert_description=t(
        "Adds one row per item to a table, the item's fields as the columns; gives back the rows as stored.",
        "항목마다 테이블에 행 하나를 추가합니다. 항목의 필드가 열이 됩니다. 저장된 행을 돌려줍니다.",
    ),
)
