"""MySQL steps against the machine's MariaDB at 127.0.0.1:3306 (root, empty password, database test), in tables of
their own, through the engine with the product's host and a stored credential."""

import uuid

import pymysql
import pytest

from apps.flows.credential_kinds import get as credential_kind
from tests.connectors.conftest import credential, run_step

SERVER = {"host": "127.0.0.1", "port": "3306", "username": "root", "password": "", "database": "test", "ssl_mode": "disabled"}


def _admin():
    return pymysql.connect(host="127.0.0.1", port=3306, user="root", password="", database="test", autocommit=True, connect_timeout=5)


@pytest.fixture
def table():
    name = f"orders_{uuid.uuid4().hex[:8]}"
    try:
        conn = _admin()
    except pymysql.err.OperationalError as exc:
        pytest.skip(f"MariaDB at 127.0.0.1:3306 is not running ({exc})")
    with conn.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {name} (id INT AUTO_INCREMENT PRIMARY KEY, customer VARCHAR(50) UNIQUE, amount DECIMAL(10,2), "
            "ordered_at DATETIME DEFAULT '2026-12-01 09:00:00') CHARACTER SET utf8mb4"
        )
        cursor.execute(f"INSERT INTO {name} (customer, amount) VALUES ('김철수', 12000.50), ('이영희', 3000)")
    yield name
    with conn.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    conn.close()


@pytest.fixture
def connection_id(organization, owner):
    return credential(organization, owner, "mysql", SERVER).pk


def rows(table_name):
    conn = _admin()
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT customer, amount FROM {table_name} ORDER BY id")
        found = cursor.fetchall()
    conn.close()
    return [(customer, float(amount)) for customer, amount in found]


def test_a_query_binds_named_parameters_and_returns_rows(organization, connection_id, table):
    result = run_step(
        organization,
        "mysql.query",
        items=[{"who": "김철수"}, {"who": "x' OR '1'='1"}],
        credential=connection_id,
        query=f"SELECT id, customer, amount, ordered_at, CONCAT(amount, '%') AS label FROM {table} WHERE customer = :who -- :ignored",
        parameters={"who": "{{ json.who }}"},
    )
    assert result.status == "success", result.error
    assert result.last_items == [
        {"id": 1, "customer": "김철수", "amount": 12000.5, "ordered_at": "2026-12-01T09:00:00", "label": "12000.50%"}
    ]
    limited = run_step(organization, "mysql.query", credential=connection_id, query=f"SELECT customer FROM {table} ORDER BY id", max_rows=1)
    assert limited.last_items == [{"customer": "김철수"}]


def test_read_only_by_default_timeouts_and_writes(organization, connection_id, table):
    refused = run_step(organization, "mysql.query", credential=connection_id, query=f"DELETE FROM {table}")
    assert refused.error_code == "db_read_only" and len(rows(table)) == 2
    done = run_step(
        organization,
        "mysql.query",
        credential=connection_id,
        query=f"UPDATE {table} SET amount = amount + :plus",
        parameters={"plus": 1},
        read_only=False,
    )
    assert done.status == "success" and done.last_items == [{"affected_rows": 2}]
    assert rows(table) == [("김철수", 12001.5), ("이영희", 3001.0)]
    slow = run_step(organization, "mysql.query", credential=connection_id, query="SELECT SLEEP(5)", timeout_seconds=1)
    assert slow.error_code == "db_timeout" and "1 seconds" in slow.error


def test_insert_and_update_rows(organization, connection_id, table):
    inserted = run_step(
        organization, "mysql.insert_rows", items=[{"customer": "박민수", "amount": 500}], credential=connection_id, table=table
    )
    assert inserted.status == "success", inserted.error
    assert inserted.last_items == [{"customer": "박민수", "amount": 500, "insert_id": 3}]
    duplicate = run_step(
        organization,
        "mysql.insert_rows",
        items=[{"customer": "새 손님", "amount": 1}, {"customer": "김철수", "amount": 2}],
        credential=connection_id,
        table=table,
    )
    assert duplicate.error_code == "db_constraint" and [c for c, _ in rows(table)] == ["김철수", "이영희", "박민수"]
    updated = run_step(
        organization,
        "mysql.update_rows",
        items=[{"customer": "이영희", "amount": 99}, {"customer": "김철수", "amount": 12000.5}],
        credential=connection_id,
        table=table,
        key_column="customer",
    )
    assert [item["updated_rows"] for item in updated.last_items] == [1, 1]  # rows found, changed or not
    assert rows(table)[1] == ("이영희", 99.0)
    missing = run_step(organization, "mysql.query", credential=connection_id, query="SELECT * FROM no_such_table_here")
    assert missing.error_code == "db_no_table"


def test_connection_test_and_the_network_policy():
    kind = credential_kind("mysql")
    assert kind.test(SERVER, allow_hosts=["127.0.0.1"]).ok
    wrong = kind.test({**SERVER, "username": "nobody_here", "password": "x"}, allow_hosts=["127.0.0.1"])
    assert not wrong.ok and "refused the sign-in" in wrong.message
    assert "internal address" in kind.test(SERVER, allow_hosts=[]).message
