"""MySQL and MariaDB: run a query with named parameters, insert rows from items, update rows by a key column
(PyMySQL, pure Python).

The server is reached through the SSRF policy like any URL (apps.connectors.network). PyMySQL binds values by
escaping them into the statement itself (`%(name)s`), which it does for every value; the text people write is never
formatted with values. Reads use an unbuffered cursor so only the rows asked for are read."""

from __future__ import annotations

import ssl

import pymysql
import pymysql.constants.CLIENT
import pymysql.cursors

from apps.connectors.network import checked_address, port_of
from apps.connectors.sqlsteps import Database, InsertStep, QueryStep, UpdateStep, read_only_error, sql_connection_test, timeout_error
from apps.flows.credential_kinds import CredentialKind, Field, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.registry import register

SSL_MODES = ("disabled", "preferred", "required", "verify_identity")

_LOGIN = {1045, 1044, 1698}
_NO_DATABASE = {1049}
_UNREACHABLE = {2003, 2005, 2006, 2013}
_TIMEOUT = {1969, 3024}  # MariaDB max_statement_time, MySQL max_execution_time
_READ_ONLY = {1792}
_NO_TABLE = {1146}
_NO_COLUMN = {1054}
_SYNTAX = {1064}
_CONSTRAINT = {1062, 1048, 1451, 1452, 1364, 1406, 1366, 3819}
_PERMISSION = {1142, 1143, 1227, 1370}


class _PinnedConnection(pymysql.connections.Connection):
    """Opens its socket to the address the SSRF check passed; `host` stays the name for TLS."""

    def __init__(self, *args, pinned_address: str, **kwargs):
        self._pinned_address = pinned_address
        super().__init__(*args, **kwargs)

    def connect(self, sock=None):
        if sock is None:
            import socket

            sock = socket.create_connection((self._pinned_address, self.port), self.connect_timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        return super().connect(sock)


class MysqlDatabase(Database):
    credential_type = "mysql"
    name = "MySQL"

    def connect(self, data, *, allow_hosts, timeout):
        host = str(data.get("host") or "").strip()
        port = port_of(data.get("port"), 3306)
        address = checked_address(host, port, allow_hosts=allow_hosts)
        mode = (str(data.get("ssl_mode") or "preferred").strip().lower()) or "preferred"
        if mode not in SSL_MODES:
            raise NodeError(
                gettext_noop("The SSL mode must be one of: %(modes)s."), code="bad_ssl_mode", values={"modes": ", ".join(SSL_MODES)}
            )
        context = None
        if mode in ("required", "verify_identity"):
            context = ssl.create_default_context()
            if mode == "required":
                context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        return _PinnedConnection(
            host=host,
            port=port,
            pinned_address=address,
            user=str(data.get("username") or "").strip(),
            password=str(data.get("password") or ""),
            database=str(data.get("database") or "").strip() or None,
            charset="utf8mb4",
            connect_timeout=max(int(timeout), 2),
            read_timeout=timeout + 30,
            write_timeout=timeout + 30,
            ssl=context,
            autocommit=False,
            local_infile=False,
            client_flag=pymysql.constants.CLIENT.FOUND_ROWS,  # "updated_rows" counts rows found, changed or not
        )

    def begin(self, connection, *, read_only, timeout_seconds):
        with connection.cursor() as cursor:
            cursor.execute("SELECT VERSION()")
            version = str(cursor.fetchone()[0])
            if "mariadb" in version.lower():
                cursor.execute("SET SESSION max_statement_time = %s", [float(timeout_seconds)])
            else:
                cursor.execute("SET SESSION max_execution_time = %s", [int(timeout_seconds * 1000)])
            connection.read_timeout = timeout_seconds + 30  # a server that ignores the limit still ends the wait
            cursor.execute("START TRANSACTION READ ONLY" if read_only else "START TRANSACTION")

    def query_cursor(self, connection, query):
        return connection.cursor(pymysql.cursors.SSCursor)

    def quote(self, name):
        return ".".join(f"`{part}`" for part in name.split("."))

    def is_driver_error(self, exc):
        return isinstance(exc, pymysql.Error)

    def error(self, exc, *, timeout_seconds):
        if not isinstance(exc, pymysql.Error):
            return None
        code = exc.args[0] if exc.args and isinstance(exc.args[0], int) else 0
        reason = str(exc.args[1] if len(exc.args) > 1 else exc)[:400]
        if code in _LOGIN:
            return NodeError(
                gettext_noop("MySQL refused the sign-in: %(reason)s. Check the user name and password in the connection."),
                code="db_login_refused",
                values={"reason": reason},
            )
        if code in _NO_DATABASE:
            return NodeError(
                gettext_noop("The database does not exist on the server: %(reason)s. Check the database name in the connection."),
                code="db_not_found",
                values={"reason": reason},
            )
        if code in _UNREACHABLE:
            return NodeError(
                gettext_noop("Could not connect to the %(database)s server: %(reason)s"),
                code="db_unreachable",
                values={"database": self.name, "reason": reason},
            )
        if code in _TIMEOUT:
            return timeout_error(timeout_seconds)
        if code in _READ_ONLY:
            return read_only_error()
        for codes, error_code, template in (
            (_NO_TABLE, "db_no_table", gettext_noop("The table does not exist: %(reason)s.")),
            (_NO_COLUMN, "db_no_column", gettext_noop("The column does not exist: %(reason)s.")),
            (_SYNTAX, "db_syntax", gettext_noop("The SQL has a syntax error: %(reason)s.")),
            (_CONSTRAINT, "db_constraint", gettext_noop("The database refused the row: %(reason)s.")),
            (_PERMISSION, "db_permission", gettext_noop("The database user may not do this: %(reason)s.")),
        ):
            if code in codes:
                return NodeError(template, code=error_code, values={"reason": reason})
        return NodeError(gettext_noop("The database refused the query: %(reason)s."), code="db_error", values={"reason": reason})


MYSQL = MysqlDatabase()


@register_credential_kind
class MysqlKind(CredentialKind):
    key = "mysql"
    label = t("MySQL / MariaDB database", "MySQL / MariaDB 데이터베이스")
    fields = (
        Field("host", t("Server", "서버"), secret=False),
        Field("port", t("Port", "포트"), secret=False, required=False, example="3306"),
        Field("database", t("Database", "데이터베이스"), secret=False),
        Field("username", t("User name", "사용자 이름"), secret=False),
        Field("password", t("Password", "비밀번호"), required=False),
        Field(
            "ssl_mode",
            t("SSL mode (disabled, preferred, required, verify_identity)", "SSL 모드(disabled, preferred, required, verify_identity)"),
            secret=False,
            required=False,
        ),
    )
    help = t(
        "The server's name or address as your database administrator gives it (port 3306 unless told otherwise). Use a "
        "user that may only do what the flows need. A server inside your company network must be allowed by an "
        "organization admin (Settings → Internal hosts).",
        "데이터베이스 관리자에게 받은 서버 이름이나 주소를 넣으세요(따로 듣지 않았다면 포트는 3306). 플로우에 필요한 "
        "권한만 가진 사용자를 쓰세요. 회사 내부망의 서버는 조직 관리자가 허용해야 합니다(설정 → 내부 호스트).",
    )

    def problems(self, data):
        if str(data.get("ssl_mode") or "preferred").strip().lower() not in SSL_MODES:
            return [(gettext_noop("The SSL mode must be one of: %(modes)s."), {"modes": ", ".join(SSL_MODES)})]
        return []

    def test(self, data, *, allow_hosts=(), url=""):
        return sql_connection_test(MYSQL, data, allow_hosts=allow_hosts)


_EXAMPLE = "SELECT * FROM orders WHERE customer_id = :customer_id AND created_at >= :since"


@register
class MysqlQuery(QueryStep):
    key = "mysql.query"
    database = MYSQL
    label = t("MySQL: run a query", "MySQL: 쿼리 실행")
    description = t(
        "Runs SQL with named parameters (:name) for each item on MySQL or MariaDB; each result row becomes an item.",
        "MySQL 또는 MariaDB에서 항목마다 이름 있는 매개변수(:이름)로 SQL을 실행합니다. 결과 행마다 항목 하나를 냅니다.",
    )
    aliases = ("mysql", "mariadb", "sql", "database", "마이에스큐엘", "마리아DB", "데이터베이스", "DB")
    params = QueryStep.make_params("mysql", _EXAMPLE)


@register
class MysqlInsert(InsertStep):
    key = "mysql.insert_rows"
    database = MYSQL
    label = t("MySQL: insert rows", "MySQL: 행 추가")
    description = t(
        "Adds one row per item to a table, the item's fields as the columns; gives back the values written and the new id.",
        "항목마다 테이블에 행 하나를 추가합니다. 항목의 필드가 열이 됩니다. 쓴 값과 새 ID를 돌려줍니다.",
    )
    aliases = ("mysql", "mariadb", "insert", "데이터베이스", "DB")
    params = InsertStep.make_params("mysql")


@register
class MysqlUpdate(UpdateStep):
    key = "mysql.update_rows"
    database = MYSQL
    label = t("MySQL: update rows", "MySQL: 행 수정")
    description = t(
        "Changes the rows whose key column equals each item's value, with the item's other fields.",
        "기준 열의 값이 항목의 값과 같은 행을 항목의 다른 필드 값으로 바꿉니다.",
    )
    aliases = ("mysql", "mariadb", "update", "데이터베이스", "DB")
    params = UpdateStep.make_params("mysql")
