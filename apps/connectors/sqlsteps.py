"""The query, insert and update steps of relational databases, written once; each database module
(catalog/postgres.py, catalog/mysql.py) gives a `Database` (connect, begin a transaction with its options, quote a
name, explain an error) and registers subclasses of these steps with its own keys.

A step opens one connection and one transaction for all its items, and commits when every item succeeded: a failure
at item 7 leaves the table as it was. Read-only queries run in a READ ONLY transaction (the server refuses writes),
every statement has a time limit set on the server, and a query returns at most `max_rows` rows (read from a
server-side cursor where the driver allows, so a large table is not loaded whole)."""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

from apps.connectors.sql import array_names, bound_values, columns_of, identifier, json_safe, named_to_driver, row_item
from apps.flows.credential_kinds import CredentialKind, Field, TestResult, t
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.registry import register

DEFAULT_TIMEOUT = 30
MAX_TIMEOUT = 900


class Database:
    """What differs between databases. `connect` returns a DB-API connection outside autocommit."""

    credential_type: ClassVar[str]
    name: ClassVar[str]  # shown in messages ("PostgreSQL")
    dollar_quotes: ClassVar[bool] = False
    returning: ClassVar[bool] = False

    def connect(self, data: dict, *, allow_hosts, timeout: float): ...

    def begin(self, connection, *, read_only: bool, timeout_seconds: float) -> None: ...

    def query_cursor(self, connection, query: str):
        return connection.cursor()

    def quote(self, name: str) -> str: ...

    def error(self, exc: Exception, *, timeout_seconds: float) -> NodeError | None: ...

    def is_driver_error(self, exc: Exception) -> bool: ...


# What a database's refusal means, the same words for every database (each Database.error maps its own codes here).
_REFUSALS = {
    "db_not_found": gettext_noop("The database does not exist on the server: %(reason)s. Check the database name in the connection."),
    "db_no_table": gettext_noop("The table does not exist: %(reason)s."),
    "db_no_column": gettext_noop("The column does not exist: %(reason)s."),
    "db_syntax": gettext_noop("The SQL has a syntax error: %(reason)s."),
    "db_constraint": gettext_noop("The database refused the row: %(reason)s."),
    "db_permission": gettext_noop("The database user may not do this: %(reason)s."),
    "db_error": gettext_noop("The database refused the query: %(reason)s."),
}


def refused(code: str, reason: str) -> NodeError:
    """The database's refusal in words: `code` is one of db_not_found, db_no_table, db_no_column, db_syntax,
    db_constraint, db_permission, db_error."""
    return NodeError(_REFUSALS[code], code=code, values={"reason": reason})


def unreachable_error(database: Database, reason: str) -> NodeError:
    return NodeError(
        gettext_noop("Could not connect to the %(database)s server: %(reason)s"),
        code="db_unreachable",
        values={"database": database.name, "reason": reason},
    )


def ssl_mode_of(data: dict, *, modes: tuple[str, ...], default: str) -> str:
    """The credential's SSL mode (`default` when empty), or a clear error naming the driver's modes."""
    mode = str(data.get("ssl_mode") or "").strip().lower() or default
    if mode not in modes:
        raise NodeError(gettext_noop("The SSL mode must be one of: %(modes)s."), code="bad_ssl_mode", values={"modes": ", ".join(modes)})
    return mode


def timeout_error(seconds: float) -> NodeError:
    return NodeError(
        gettext_noop("The statement ran longer than %(seconds)s seconds and the database stopped it."),
        code="db_timeout",
        values={"seconds": f"{seconds:g}"},
    )


def read_only_error() -> NodeError:
    return NodeError(
        gettext_noop("This query changes data, but the step is set to read only. Untick “Read only” to let it write."),
        code="db_read_only",
    )


def sql_connection_test(database: Database, data: dict, *, allow_hosts) -> TestResult:
    """Signs in and runs SELECT 1; changes nothing."""
    try:
        connection = database.connect(data, allow_hosts=allow_hosts, timeout=10.0)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchall()
        finally:
            connection.close()
    except NodeError as error:
        return TestResult(False, error.template, error.values)
    except Exception as exc:
        known = database.error(exc, timeout_seconds=10.0)
        if known is None:
            return TestResult(False, gettext_noop("Could not connect to the database: %(reason)s"), {"reason": str(exc)[:300]})
        return TestResult(False, known.template, known.values)
    return TestResult(True, gettext_noop("Connected to the database and signed in."))


def _credential_param(kind: str) -> Param:
    return Param("credential", "credential", t("Connection", "연결"), required=True, credential_type=kind, expressions=False)


def _timeout_param() -> Param:
    return Param(
        "timeout_seconds",
        "integer",
        t("Time limit per statement (seconds)", "문장당 제한 시간(초)"),
        default=DEFAULT_TIMEOUT,
        minimum=1,
        maximum=MAX_TIMEOUT,
        help=t(
            "The database server stops a statement that runs longer than this.",
            "이 시간보다 오래 걸리는 문장은 데이터베이스 서버가 중지합니다.",
        ),
    )


class _DatabaseStep(NodeType):
    database: ClassVar[Database]
    category = "action"
    icon = "database"
    side_effects = True
    per_item = True

    def _session(self, ctx, params: dict, *, read_only: bool):
        data = ctx.credential(params["credential"], self.database.credential_type)
        timeout = float(params.get("timeout_seconds") or DEFAULT_TIMEOUT)
        try:
            connection = self.database.connect(data, allow_hosts=ctx.host.http_allow_hosts, timeout=min(timeout, 30.0))
        except NodeError:
            raise
        except Exception as exc:
            raise self._explained(exc, timeout) from None
        try:
            self.database.begin(connection, read_only=read_only, timeout_seconds=timeout)
        except Exception as exc:
            _close(connection)
            raise self._explained(exc, timeout) from None
        return connection, timeout

    def _explained(self, exc: Exception, timeout: float) -> NodeError:
        if isinstance(exc, NodeError):
            return exc
        known = self.database.error(exc, timeout_seconds=timeout)
        if known is not None:
            return known
        if isinstance(exc, OSError):
            return unreachable_error(self.database, str(exc)[:300])
        raise exc

    def _run(self, ctx, *, read_only: bool, work) -> list[dict]:
        """Calls work(connection, item_index, item, params) per item inside one transaction; commits at the end."""
        items = list(ctx.each())
        if not items:
            return []
        connection, timeout = self._session(ctx, items[0][2], read_only=read_only)
        out: list[dict] = []
        try:
            for index, item, params in items:
                ctx.check_deadline()
                try:
                    out.extend(work(connection, index, item, params))
                except NodeError as error:
                    error.params.setdefault("item_index", index)
                    raise
                except Exception as exc:
                    if not self.database.is_driver_error(exc):
                        raise
                    error = self._explained(exc, timeout)
                    error.params.setdefault("item_index", index)
                    raise error from None
            try:
                connection.commit()
            except Exception as exc:
                raise self._explained(exc, timeout) from None
        except BaseException:
            _rollback(connection)
            raise
        finally:
            _close(connection)
        return out


def _rollback(connection) -> None:
    with contextlib.suppress(Exception):  # the connection may be gone already; the error that led here is what matters
        connection.rollback()


def _close(connection) -> None:
    with contextlib.suppress(Exception):
        connection.close()


class QueryStep(_DatabaseStep):
    """Runs one statement per item with named parameters; rows become items."""

    @classmethod
    def make_params(cls, kind: str, example: str) -> tuple[Param, ...]:
        return (
            _credential_param(kind),
            Param(
                "query",
                "text",
                t("SQL", "SQL"),
                required=True,
                help=t(
                    f"Write values as :name and give them below, never inside the text. Example: {example}",
                    f"값은 :이름 으로 쓰고 아래 매개변수에 넣으세요. 값을 SQL 글에 직접 넣지 마세요. 예: {example}",
                ),
            ),
            Param(
                "parameters",
                "keyvalue",
                t("Parameters", "매개변수"),
                default={},
                help=t(
                    "A value for each :name in the SQL, e.g. id = {{ json.id }}. The database receives them separately "
                    "from the SQL, so quotes in a value cannot change the query.",
                    "SQL의 :이름마다 값을 넣으세요. 예: id = {{ json.id }}. 값은 SQL과 따로 전달되므로 값 속의 따옴표가 "
                    "쿼리를 바꿀 수 없습니다.",
                ),
            ),
            Param(
                "read_only",
                "boolean",
                t("Read only", "읽기 전용"),
                default=True,
                help=t(
                    "The query runs in a read-only transaction: the database refuses INSERT, UPDATE and DELETE. Untick to let "
                    "the query change data.",
                    "읽기 전용 트랜잭션에서 실행합니다. 데이터베이스가 INSERT, UPDATE, DELETE를 거부합니다. 데이터를 바꾸려면 "
                    "선택을 해제하세요.",
                ),
            ),
            Param(
                "max_rows",
                "integer",
                t("At most this many rows per query", "쿼리당 최대 행 수"),
                default=1000,
                minimum=1,
                maximum=10000,
                help=t("Rows past this number are not read.", "이 수를 넘는 행은 읽지 않습니다."),
            ),
            _timeout_param(),
        )

    def is_idempotent(self, parameters: dict) -> bool:
        return parameters.get("read_only", True) is True

    def execute(self, ctx):
        read_only = bool(ctx.params().get("read_only", True))

        def work(connection, index, item, params):
            text = str(params.get("query") or "").strip()
            if not text:
                raise NodeError(gettext_noop("Write the SQL to run."), code="query_missing")
            query, names = named_to_driver(text, dollar_quotes=self.database.dollar_quotes)
            arrays = array_names(text) if self.database.dollar_quotes else set()  # arrays: PostgreSQL only
            values = bound_values(names, params.get("parameters"), arrays=arrays)
            limit = int(params.get("max_rows") or 1000)
            cursor = self.database.query_cursor(connection, text)
            try:
                cursor.execute(query, values)
                if cursor.description is None:
                    return [{"affected_rows": max(cursor.rowcount, 0)}]
                columns = [column[0] for column in cursor.description]
                return [row_item(columns, row) for row in cursor.fetchmany(limit)]
            finally:
                _close(cursor)

        return {"main": self._run(ctx, read_only=read_only, work=work)}


def _table_params(kind: str) -> tuple[Param, ...]:
    return (
        _credential_param(kind),
        Param(
            "table", "string", t("Table", "테이블"), required=True, help=t("e.g. orders or sales.orders", "예: orders 또는 sales.orders")
        ),
        Param(
            "columns",
            "string",
            t("Columns", "열"),
            default="",
            help=t(
                "Comma-separated column names to write from each item's fields of the same names. Empty: every field of the item.",
                "쉼표로 구분한 열 이름입니다. 항목에서 같은 이름의 필드 값을 씁니다. 비워 두면 항목의 모든 필드를 씁니다.",
            ),
        ),
    )


def _value(item: dict, column: str) -> Any:
    value = item.get(column)
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


class InsertStep(_DatabaseStep):
    @classmethod
    def make_params(cls, kind: str) -> tuple[Param, ...]:
        return (*_table_params(kind), _timeout_param())

    def execute(self, ctx):
        database = self.database

        def work(connection, index, item, params):
            table = identifier(params.get("table"))
            columns = columns_of([item], params.get("columns"))
            quoted = ", ".join(database.quote(column) for column in columns)
            marks = ", ".join(["%s"] * len(columns))
            statement = f"INSERT INTO {database.quote(table)} ({quoted}) VALUES ({marks})"  # noqa: S608 - checked names, bound values
            if database.returning:
                statement += " RETURNING *"
            cursor = connection.cursor()
            try:
                cursor.execute(statement, [_value(item, column) for column in columns])
                if database.returning and cursor.description is not None:
                    names = [column[0] for column in cursor.description]
                    return [row_item(names, row) for row in cursor.fetchall()]
                written = {column: json_safe(item.get(column)) for column in columns}
                if getattr(cursor, "lastrowid", None):
                    written["insert_id"] = cursor.lastrowid
                return [written]
            finally:
                _close(cursor)

        return {"main": self._run(ctx, read_only=False, work=work)}


class UpdateStep(_DatabaseStep):
    @classmethod
    def make_params(cls, kind: str) -> tuple[Param, ...]:
        table = next(p for p in _table_params(kind) if p.name == "table")
        return (
            _credential_param(kind),
            table,
            Param(
                "key_column",
                "string",
                t("Key column", "기준 열"),
                required=True,
                default="id",
                help=t(
                    "The row whose value in this column equals the item's field of the same name is updated.",
                    "이 열의 값이 항목의 같은 이름 필드 값과 같은 행을 수정합니다.",
                ),
            ),
            Param(
                "columns",
                "string",
                t("Columns to change", "바꿀 열"),
                default="",
                help=t(
                    "Comma-separated; empty: every field of the item except the key.",
                    "쉼표로 구분합니다. 비워 두면 기준 열을 뺀 항목의 모든 필드를 바꿉니다.",
                ),
            ),
            _timeout_param(),
        )

    def execute(self, ctx):
        database = self.database

        def work(connection, index, item, params):
            table = identifier(params.get("table"))
            key = identifier(params.get("key_column"))
            if item.get(key) is None:
                raise NodeError(
                    gettext_noop("The item has no value in “%(key)s”, so the row to update is unknown."),
                    code="key_missing",
                    values={"key": key},
                )
            columns = [column for column in columns_of([item], params.get("columns")) if column != key]
            if not columns:
                raise NodeError(gettext_noop("There are no columns to write: the items have no fields."), code="no_columns")
            assignments = ", ".join(f"{database.quote(column)} = %s" for column in columns)
            statement = f"UPDATE {database.quote(table)} SET {assignments} WHERE {database.quote(key)} = %s"  # noqa: S608
            cursor = connection.cursor()
            try:
                cursor.execute(statement, [*(_value(item, column) for column in columns), _value(item, key)])
                return [{**item, "updated_rows": max(cursor.rowcount, 0)}]
            finally:
                _close(cursor)

        return {"main": self._run(ctx, read_only=False, work=work)}


class DatabaseKind(CredentialKind):
    """A database sign-in: server, port, database, user, password and SSL mode. A subclass names its `database`, its
    `default_port` and its driver's SSL modes (`ssl_modes`, the default first)."""

    database: ClassVar[Database]
    default_port: ClassVar[int]
    ssl_modes: ClassVar[tuple[str, ...]]
    default_ssl_mode: ClassVar[str]

    @staticmethod
    def make_fields(*, default_port: int, ssl_label) -> tuple[Field, ...]:
        return (
            Field("host", t("Server", "서버"), secret=False),
            Field("port", t("Port", "포트"), secret=False, required=False, example=str(default_port)),
            Field("database", t("Database", "데이터베이스"), secret=False),
            Field("username", t("User name", "사용자 이름"), secret=False),
            Field("password", t("Password", "비밀번호"), required=False),
            Field("ssl_mode", ssl_label, secret=False, required=False),
        )

    @staticmethod
    def make_help(*, default_port: int):
        return t(
            f"The server's name or address as your database administrator gives it (port {default_port} unless told "
            "otherwise). Use a user that may only do what the flows need. A server inside your company network must be "
            "allowed by an organization admin (Settings → Internal hosts).",
            f"데이터베이스 관리자에게 받은 서버 이름이나 주소를 넣으세요(따로 듣지 않았다면 포트는 {default_port}). 플로우에 "
            "필요한 권한만 가진 사용자를 쓰세요. 회사 내부망의 서버는 조직 관리자가 허용해야 합니다(설정 → 내부 호스트).",
        )

    def problems(self, data):
        try:
            ssl_mode_of(data, modes=self.ssl_modes, default=self.default_ssl_mode)
        except NodeError as wrong:
            return [(wrong.template, wrong.values)]
        return []

    def test(self, data, *, allow_hosts=(), url=""):
        return sql_connection_test(self.database, data, allow_hosts=allow_hosts)


def register_database_steps(
    database: Database,
    *,
    prefix: str,
    aliases: tuple[str, ...],
    query_description,
    insert_description,
    example: str = "SELECT * FROM orders WHERE customer_id = :customer_id AND created_at >= :since",
    n8n: dict[str, tuple] | None = None,
) -> tuple[type[QueryStep], type[InsertStep], type[UpdateStep]]:
    """Registers a database's three steps (`<prefix>.query`, `<prefix>.insert_rows`, `<prefix>.update_rows`) with its
    dialect (`database`); the labels start with the database's name, which reads the same in both languages. `n8n`
    gives the n8n node mappings of each step by role ("query", "insert", "update")."""
    kind, name = database.credential_type, database.name

    class Query(QueryStep):
        key = f"{prefix}.query"
        label = t(f"{name}: run a query", f"{name}: 쿼리 실행")
        description = query_description
        params = QueryStep.make_params(kind, example)

    class Insert(InsertStep):
        key = f"{prefix}.insert_rows"
        label = t(f"{name}: insert rows", f"{name}: 행 추가")
        description = insert_description
        params = InsertStep.make_params(kind)

    class Update(UpdateStep):
        key = f"{prefix}.update_rows"
        label = t(f"{name}: update rows", f"{name}: 행 수정")
        description = t(
            "Changes the rows whose key column equals each item's value, with the item's other fields.",
            "기준 열의 값이 항목의 값과 같은 행을 항목의 다른 필드 값으로 바꿉니다.",
        )
        params = UpdateStep.make_params(kind)

    steps = []
    for role, cls, extra in (("query", Query, ("sql", "database")), ("insert", Insert, ("insert",)), ("update", Update, ("update",))):
        cls.database = database
        cls.n8n = (n8n or {}).get(role, ())
        cls.aliases = (*aliases[:2], *extra, *aliases[2:])
        cls.__name__ = cls.__qualname__ = f"{name.split()[0]}{cls.__name__}"
        steps.append(register(cls))
    return tuple(steps)
