"""PostgreSQL steps against the machine's PostgreSQL at 127.0.0.1:5432 (trust, user postgres), in a database of their
own (never the application's), through the engine with the product's host and a stored credential."""

import uuid

import psycopg
import pytest

from apps.connectors.sql import named_to_driver
from apps.flows.credential_kinds import get as credential_kind
from tests.connectors.conftest import credential, run_step

DATABASE = "ezflow_connector_tests"
SERVER = {"host": "127.0.0.1", "port": "5432", "username": "postgres", "password": "", "ssl_mode": "disable"}


def _admin(dbname="postgres"):
    return psycopg.connect(host="127.0.0.1", port=5432, user="postgres", dbname=dbname, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="module")
def server():
    try:
        with _admin() as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
                conn.execute(f"CREATE DATABASE {DATABASE}")
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not running ({exc})")
    return {**SERVER, "database": DATABASE}


@pytest.fixture
def table(server):
    name = f"orders_{uuid.uuid4().hex[:8]}"
    with _admin(DATABASE) as conn:
        conn.execute(
            f"CREATE TABLE {name} (id serial PRIMARY KEY, customer text UNIQUE, amount numeric(10,2), "
            "ordered_at timestamptz DEFAULT '2026-12-01T09:00:00Z', tags jsonb)"
        )
        conn.execute(f"INSERT INTO {name} (customer, amount, tags) VALUES ('김철수', 12000.50, '[\"vip\"]'), ('이영희', 3000, NULL)")
    yield name
    with _admin(DATABASE) as conn:
        conn.execute(f"DROP TABLE IF EXISTS {name}")


@pytest.fixture
def connection_id(organization, owner, server):
    return credential(organization, owner, "postgres", server).pk


def rows(table_name):
    with _admin(DATABASE) as conn:
        return conn.execute(f"SELECT customer, amount FROM {table_name} ORDER BY id").fetchall()


def test_named_parameters_become_driver_placeholders_outside_strings_comments_and_casts():
    query, names = named_to_driver(
        "SELECT ':not' AS a, $$:body 100%$$, x::text, '%' -- :comment\nFROM t WHERE id = :id AND name LIKE :pattern OR id = :id",
        dollar_quotes=True,
    )
    assert names == ["id", "pattern"]
    assert query == (
        "SELECT ':not' AS a, $$:body 100%%$$, x::text, '%%' -- :comment\nFROM t WHERE id = %(id)s AND name LIKE %(pattern)s OR id = %(id)s"
    )


def test_a_query_binds_named_parameters_and_returns_rows_as_plain_items(organization, connection_id, table):
    result = run_step(
        organization,
        "postgres.query",
        items=[{"who": "김철수"}, {"who": "x' OR '1'='1"}],
        credential=connection_id,
        query=f"SELECT id, customer, amount, ordered_at, tags, amount::text || '%' AS label FROM {table} WHERE customer = :who",
        parameters={"who": "{{ json.who }}"},
    )
    assert result.status == "success", result.error
    assert result.last_items == [
        {
            "id": 1,
            "customer": "김철수",
            "amount": 12000.5,
            "ordered_at": "2026-12-01T09:00:00+00:00",
            "tags": ["vip"],
            "label": "12000.50%",
        }
    ]  # the quote in the second value matched nothing instead of changing the query


def test_a_query_without_a_value_for_a_name_is_a_clear_error_and_limits_rows(organization, connection_id, table):
    missing = run_step(organization, "postgres.query", credential=connection_id, query=f"SELECT * FROM {table} WHERE id = :id")
    assert missing.error_code == "query_parameter_missing" and "“id”" in missing.error
    limited = run_step(
        organization, "postgres.query", credential=connection_id, query=f"SELECT customer FROM {table} ORDER BY id", max_rows=1
    )
    assert limited.status == "success" and limited.last_items == [{"customer": "김철수"}]


def test_read_only_is_the_default_and_writing_needs_it_off(organization, connection_id, table):
    refused = run_step(organization, "postgres.query", credential=connection_id, query=f"DELETE FROM {table}")
    assert refused.error_code == "db_read_only" and len(rows(table)) == 2
    done = run_step(
        organization,
        "postgres.query",
        credential=connection_id,
        query=f"UPDATE {table} SET amount = amount + :plus",
        parameters={"plus": 1},
        read_only=False,
    )
    assert done.status == "success", done.error
    assert done.last_items == [{"affected_rows": 2}]
    assert [float(amount) for _customer, amount in rows(table)] == [12001.5, 3001.0]


def test_a_statement_over_its_time_limit_is_stopped_by_the_server(organization, connection_id):
    result = run_step(organization, "postgres.query", credential=connection_id, query="SELECT pg_sleep(5)", timeout_seconds=1)
    assert result.error_code == "db_timeout" and "1 seconds" in result.error


def test_insert_rows_returns_the_stored_rows_and_one_failing_item_writes_none(organization, connection_id, table):
    result = run_step(
        organization,
        "postgres.insert_rows",
        items=[{"customer": "박민수", "amount": 500, "tags": {"source": "web"}}, {"customer": "최지우", "amount": "7.25"}],
        credential=connection_id,
        table=table,
    )
    assert result.status == "success", result.error
    first, second = result.last_items
    assert (first["id"], first["customer"], first["amount"], first["tags"]) == (3, "박민수", 500, {"source": "web"})
    assert (second["customer"], second["amount"], second["tags"]) == ("최지우", 7.25, None)
    duplicate = run_step(
        organization,
        "postgres.insert_rows",
        items=[{"customer": "새 손님", "amount": 1}, {"customer": "김철수", "amount": 2}],
        credential=connection_id,
        table=table,
        columns="customer, amount",
    )
    assert duplicate.error_code == "db_constraint"
    assert [customer for customer, _amount in rows(table)] == ["김철수", "이영희", "박민수", "최지우"]  # nor the first item
    bad_name = run_step(organization, "postgres.insert_rows", items=[{"a": 1}], credential=connection_id, table="orders; DROP TABLE x")
    assert bad_name.error_code == "bad_identifier"
    unknown = run_step(organization, "postgres.insert_rows", items=[{"nope": 1}], credential=connection_id, table=table)
    assert unknown.error_code == "db_no_column"


def test_update_rows_by_a_key_column(organization, connection_id, table):
    result = run_step(
        organization,
        "postgres.update_rows",
        items=[{"customer": "이영희", "amount": 99}, {"customer": "없는 사람", "amount": 1}],
        credential=connection_id,
        table=table,
        key_column="customer",
    )
    assert result.status == "success", result.error
    assert [item["updated_rows"] for item in result.last_items] == [1, 0]
    assert [float(amount) for _customer, amount in rows(table)] == [12000.5, 99.0]
    no_key = run_step(
        organization, "postgres.update_rows", items=[{"amount": 1}], credential=connection_id, table=table, key_column="customer"
    )
    assert no_key.error_code == "key_missing"


def test_a_server_the_organization_did_not_allow_is_refused_before_connecting(organization, connection_id, table):
    organization.allowed_internal_hosts = []
    organization.save()
    result = run_step(organization, "postgres.query", credential=connection_id, query="SELECT 1")
    assert result.error_code == "blocked_address" and "internal address" in result.error


def test_the_connection_test_signs_in_and_names_a_missing_database(server):
    kind = credential_kind("postgres")
    assert kind.test(server, allow_hosts=["127.0.0.1"]).ok
    missing = kind.test({**server, "database": "no_such_db_here"}, allow_hosts=["127.0.0.1"])
    assert not missing.ok and "does not exist" in missing.message
    blocked = kind.test(server, allow_hosts=[])
    assert not blocked.ok and "internal address" in blocked.message


def test_imported_n8n_postgres_nodes_run_with_values_bound_not_pasted(organization, connection_id, table):
    from django.db import connection as django_connection

    from apps.flows.engine.n8n import import_n8n
    from apps.flows.host import FlowHost
    from tests.flows.engine.helpers import run
    from tests.flows.n8n.test_mapping import link, n, workflow

    columns = {"customer": "={{ $json.who }}", "amount": "={{ $json.amount }}"}
    data = workflow(
        n("Start", "manualTrigger"),
        n(
            "Upsert",
            "postgres",
            {
                "operation": "upsert",
                "schema": {"__rl": True, "value": "public", "mode": "list"},
                "table": {"__rl": True, "value": table, "mode": "list"},
                "columns": {"mappingMode": "defineBelow", "value": columns, "matchingColumns": ["customer"]},
            },
            2.5,
        ),
        n(
            "Query",
            "postgres",
            {
                "operation": "executeQuery",
                "query": f"SELECT customer, amount::text AS amount FROM {table} WHERE customer = $1 AND amount >= $2",
                "options": {"queryReplacement": "={{ [$('Start').item.json.who, 0] }}"},
            },
            2.5,
        ),
        n(
            "Inline",
            "postgres",
            {
                "operation": "executeQuery",
                "query": f"=SELECT count(*) AS n FROM {table} WHERE customer = '{{{{ $('Start').item.json.who }}}}'",
            },
            2.4,
        ),  # noqa: E501
        connections=link(("Start", "Upsert"), ("Upsert", "Query"), ("Query", "Inline")),
    )
    imported = import_n8n(data)
    for step in imported.graph["nodes"]:
        if step["type"].startswith("postgres."):
            step["parameters"]["credential"] = connection_id
    django_connection.set_tenant(organization)
    items = [{"who": "김철수", "amount": 99}, {"who": "x' OR '1'='1", "amount": 5}]
    result, _ = run(imported.graph["nodes"], imported.graph["edges"], items, host=FlowHost(organization=organization))
    assert result.status == "success", result.error
    assert sorted(rows(table)) == sorted([("김철수", 99), ("이영희", 3000), ("x' OR '1'='1", 5)])  # upserted, quote kept as text
    assert result.outputs["query"]["main"] == [{"customer": "김철수", "amount": "99.00"}, {"customer": "x' OR '1'='1", "amount": "5.00"}]
    assert [item["n"] for item in result.outputs["inline"]["main"]] == [1, 1]


def test_a_list_cast_to_an_array_is_bound_as_one_and_other_lists_as_json(organization, connection_id):
    result = run_step(
        organization,
        "postgres.query",
        items=[{"tags": ["vip", "new"], "meta": [{"a": 1}]}],
        credential=connection_id,
        query="SELECT :tags::text[] AS tags, array_length(:tags::text[], 1) AS n, :meta::jsonb AS meta, :plain AS plain",
        parameters={"tags": "{{ json.tags }}", "meta": "{{ json.meta }}", "plain": "{{ json.tags }}"},
    )
    assert result.status == "success", result.error
    assert result.last_items == [{"tags": ["vip", "new"], "n": 2, "meta": [{"a": 1}], "plain": '["vip", "new"]'}]
