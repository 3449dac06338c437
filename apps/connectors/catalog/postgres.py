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
from apps.connectors.sqlsteps import Database, InsertStep, QueryStep, UpdateStep, read_only_error, sql_connection_test, timeout_error
from apps.flows.credential_kinds import CredentialKind, Field, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register

SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
_READS = re.compile(r"^\s*(select|with|values|table)\b", re.IGNORECASE)


def _connect(data: dict, *, allow_hosts, timeout: float) -> psycopg.Connection:
    host = str(data.get("host") or "").strip()
    port = port_of(data.get("port"), 5432)
    address = checked_address(host, port, allow_hosts=allow_hosts)
    sslmode = (str(data.get("ssl_mode") or "prefer").strip().lower()) or "prefer"
    if sslmode not in SSL_MODES:
        raise NodeError(
            gettext_noop("The SSL mode must be one of: %(modes)s."), code="bad_ssl_mode", values={"modes": ", ".join(SSL_MODES)}
        )
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
            return NodeError(
                gettext_noop("The database does not exist on the server: %(reason)s. Check the database name in the connection."),
                code="db_not_found",
                values={"reason": reason},
            )
        if isinstance(exc, pg_errors.QueryCanceled):
            return timeout_error(timeout_seconds)
        if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
            return read_only_error()
        if isinstance(exc, pg_errors.UndefinedTable):
            return NodeError(gettext_noop("The table does not exist: %(reason)s."), code="db_no_table", values={"reason": reason})
        if isinstance(exc, pg_errors.UndefinedColumn):
            return NodeError(gettext_noop("The column does not exist: %(reason)s."), code="db_no_column", values={"reason": reason})
        if isinstance(exc, pg_errors.SyntaxError):
            return NodeError(gettext_noop("The SQL has a syntax error: %(reason)s."), code="db_syntax", values={"reason": reason})
        if isinstance(exc, pg_errors.IntegrityError):
            return NodeError(gettext_noop("The database refused the row: %(reason)s."), code="db_constraint", values={"reason": reason})
        if isinstance(exc, pg_errors.InsufficientPrivilege):
            return NodeError(
                gettext_noop("The database user may not do this: %(reason)s."), code="db_permission", values={"reason": reason}
            )
        if isinstance(exc, psycopg.OperationalError) and not state:
            return NodeError(
                gettext_noop("Could not connect to the %(database)s server: %(reason)s"),
                code="db_unreachable",
                values={"database": self.name, "reason": reason},
            )
        return NodeError(gettext_noop("The database refused the query: %(reason)s."), code="db_error", values={"reason": reason})


POSTGRES = PostgresDatabase()


@register_credential_kind
class PostgresKind(CredentialKind):
    key = "postgres"
    label = t("PostgreSQL database", "PostgreSQL 데이터베이스")
    fields = (
        Field("host", t("Server", "서버"), secret=False),
        Field("port", t("Port", "포트"), secret=False, required=False, example="5432"),
        Field("database", t("Database", "데이터베이스"), secret=False),
        Field("username", t("User name", "사용자 이름"), secret=False),
        Field("password", t("Password", "비밀번호"), required=False),
        Field(
            "ssl_mode",
            t("SSL mode (disable, prefer, require, verify-full)", "SSL 모드(disable, prefer, require, verify-full)"),
            secret=False,
            required=False,
        ),
    )
    help = t(
        "The server's name or address as your database administrator gives it (port 5432 unless told otherwise). Use a "
        "user that may only do what the flows need. A server inside your company network must be allowed by an "
        "organization admin (Settings → Internal hosts).",
        "데이터베이스 관리자에게 받은 서버 이름이나 주소를 넣으세요(따로 듣지 않았다면 포트는 5432). 플로우에 필요한 "
        "권한만 가진 사용자를 쓰세요. 회사 내부망의 서버는 조직 관리자가 허용해야 합니다(설정 → 내부 호스트).",
    )

    def problems(self, data):
        if str(data.get("ssl_mode") or "prefer").strip().lower() not in SSL_MODES:
            return [(gettext_noop("The SSL mode must be one of: %(modes)s."), {"modes": ", ".join(SSL_MODES)})]
        return []

    def test(self, data, *, allow_hosts=(), url=""):
        return sql_connection_test(POSTGRES, data, allow_hosts=allow_hosts)


N8N_POSTGRES = "n8n-nodes-base.postgres"
_EXAMPLE = "SELECT * FROM orders WHERE customer_id = :customer_id AND created_at >= :since"


@register
class PostgresQuery(QueryStep):
    key = "postgres.query"
    n8n = (N8nMapping((N8N_POSTGRES,), n8n.postgres_query, when=n8n.is_postgres_query),)
    database = POSTGRES
    label = t("PostgreSQL: run a query", "PostgreSQL: 쿼리 실행")
    description = t(
        "Runs SQL with named parameters (:name) for each item; each result row becomes an item.",
        "항목마다 이름 있는 매개변수(:이름)로 SQL을 실행합니다. 결과 행마다 항목 하나를 냅니다.",
    )
    aliases = ("postgres", "postgresql", "sql", "database", "포스트그레스", "데이터베이스", "DB")
    params = QueryStep.make_params("postgres", _EXAMPLE)


@register
class PostgresInsert(InsertStep):
    key = "postgres.insert_rows"
    n8n = (N8nMapping((N8N_POSTGRES,), n8n.postgres_insert, when=n8n.is_postgres_insert_items),)
    database = POSTGRES
    label = t("PostgreSQL: insert rows", "PostgreSQL: 행 추가")
    description = t(
        "Adds one row per item to a table, the item's fields as the columns; gives back the rows as stored.",
        "항목마다 테이블에 행 하나를 추가합니다. 항목의 필드가 열이 됩니다. 저장된 행을 돌려줍니다.",
    )
    aliases = ("postgres", "postgresql", "insert", "데이터베이스", "DB")
    params = InsertStep.make_params("postgres")


@register
class PostgresUpdate(UpdateStep):
    key = "postgres.update_rows"
    database = POSTGRES
    label = t("PostgreSQL: update rows", "PostgreSQL: 행 수정")
    description = t(
        "Changes the rows whose key column equals each item's value, with the item's other fields.",
        "기준 열의 값이 항목의 값과 같은 행을 항목의 다른 필드 값으로 바꿉니다.",
    )
    aliases = ("postgres", "postgresql", "update", "데이터베이스", "DB")
    params = UpdateStep.make_params("postgres")
