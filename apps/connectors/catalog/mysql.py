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
        mode = ssl_mode_of(data, modes=SSL_MODES, default="preferred")
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
        if code in _UNREACHABLE:
            return unreachable_error(self, reason)
        if code in _TIMEOUT:
            return timeout_error(timeout_seconds)
        if code in _READ_ONLY:
            return read_only_error()
        for codes, error_code in (
            (_NO_DATABASE, "db_not_found"),
            (_NO_TABLE, "db_no_table"),
            (_NO_COLUMN, "db_no_column"),
            (_SYNTAX, "db_syntax"),
            (_CONSTRAINT, "db_constraint"),
            (_PERMISSION, "db_permission"),
        ):
            if code in codes:
                return refused(error_code, reason)
        return refused("db_error", reason)


MYSQL = MysqlDatabase()


@register_credential_kind
class MysqlKind(DatabaseKind):
    key = "mysql"
    label = t("MySQL / MariaDB database", "MySQL / MariaDB 데이터베이스")
    database = MYSQL
    ssl_modes, default_ssl_mode = SSL_MODES, "preferred"
    fields = DatabaseKind.make_fields(
        default_port=3306,
        ssl_label=t(
            "SSL mode (disabled, preferred, required, verify_identity)", "SSL 모드(disabled, preferred, required, verify_identity)"
        ),
    )
    help = DatabaseKind.make_help(default_port=3306)


MysqlQuery, MysqlInsert, MysqlUpdate = register_database_steps(
    MYSQL,
    prefix="mysql",
    aliases=("mysql", "mariadb", "마이에스큐엘", "마리아DB", "데이터베이스", "DB"),
    query_description=t(
        "Runs SQL with named parameters (:name) for each item on MySQL or MariaDB; each result row becomes an item.",
        "MySQL 또는 MariaDB에서 항목마다 이름 있는 매개변수(:이름)로 SQL을 실행합니다. 결과 행마다 항목 하나를 냅니다.",
    ),
    insert_description=t(
        "Adds one row per item to a table, the item's fields as the columns; gives back the values written and the new id.",
        "항목마다 테이블에 행 하나를 추가합니다. 항목의 필드가 열이 됩니다. 쓴 값과 새 ID를 돌려줍니다.",
    ),
)
