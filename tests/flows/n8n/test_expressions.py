"""n8n expressions evaluated in EZFlow's JavaScript sandbox give n8n's values: a table of expression shapes found in
real workflows (written for these tests), each with the value n8n gives for the same data."""

import pytest

from apps.flows.sandbox.javascript import evaluate_n8n
from apps.flows.sandbox.runner import Limits

ITEMS = [
    {
        "body": {"email": "Kim.Minji@Example.COM", "name": "  Kim Minji ", "qty": "3", "price": 12.5, "tags": ["a", "b", "a"]},
        "headers": {"content-type": "application/json", "x-id": "42"},
        "query": {"page": "2"},
        "id": 7,
        "active": True,
        "score": 0.456,
        "items": [{"sku": "A1", "qty": 2, "price": 10}, {"sku": "B2", "qty": 1, "price": 5.5}],
        "message": {"text": "/start hello", "chat": {"id": 123456}, "from": {"first_name": "Ann"}},
        "date": "2024-03-05T10:15:00.000Z",
        "empty": "",
        "nothing": None,
        "html": "<p>Hello <b>world</b></p>",
        "url": "https://www.example.co.kr/path?q=1",
        "nested": {"deep": {"value": 42}},
    },
    {"body": {"email": "second@example.com", "name": "Lee", "qty": "1", "price": 3, "tags": []}, "id": 8, "active": False},
]
NODES = {
    "Webhook": [ITEMS[0]],
    "Set": [{"y": "from set", "count": 5, "list": [1, 2, 3]}],
    "Get rows": [{"row": 1, "name": "a"}, {"row": 2, "name": "b"}, {"row": 3, "name": "c"}],
    "HTTP Request": [{"data": {"results": [{"title": "T1"}, {"title": "T2"}]}, "status": 200}],
}
META = {"now": "2024-05-01T10:30:15.000+09:00", "timezone": "Asia/Seoul", "run_id": "run-9", "flow_id": "42", "flow_name": "Orders"}
META["vars"] = {"API_BASE": "https://api.example.com", "LIMIT": "10"}

CASES = [
    # $json and the current item
    ("={{ $json.body.email }}", "Kim.Minji@Example.COM"),
    ("={{ $json.body.email.toLowerCase() }}", "kim.minji@example.com"),
    ("={{ $json.body.email.toUpperCase() }}", "KIM.MINJI@EXAMPLE.COM"),
    ("={{ $json.body.name.trim() }}", "Kim Minji"),
    ("={{ $json['body']['email'] }}", "Kim.Minji@Example.COM"),
    ('={{ $json["headers"]["content-type"] }}', "application/json"),
    ("={{ $json.id }}", 7),
    ("={{ $json.id + 1 }}", 8),
    ("={{ $json.id * 2 }}", 14),
    ("={{ $json.id / 2 }}", 3.5),
    ("={{ $json.id % 4 }}", 3),
    ("={{ $json.active }}", True),
    ("={{ !$json.active }}", False),
    ("={{ $json.score }}", 0.456),
    ("={{ $json.score.toFixed(2) }}", "0.46"),
    ("={{ Math.round($json.score * 100) }}", 46),
    ("={{ $json.body.qty }}", "3"),
    ("={{ Number($json.body.qty) }}", 3),
    ("={{ parseInt($json.body.qty) + 1 }}", 4),
    ("={{ $json.body.qty + 1 }}", "31"),
    ("={{ $json.body.qty * $json.body.price }}", 37.5),
    ("={{ $json.body.price.toString() }}", "12.5"),
    ("={{ String($json.id) }}", "7"),
    ("={{ $json.nested.deep.value }}", 42),
    ("={{ $json.nested?.missing?.value }}", None),
    ("={{ $json.missing ?? 'default' }}", "default"),
    ("={{ $json.empty || 'fallback' }}", "fallback"),
    ("={{ $json.nothing }}", None),
    ("={{ $json.missing }}", None),
    ("={{ $json.body }}", ITEMS[0]["body"]),
    ("={{ $json.items }}", ITEMS[0]["items"]),
    ("={{ $json.items.length }}", 2),
    ("={{ $json.items[0].sku }}", "A1"),
    ("={{ $json.items.map(i => i.sku) }}", ["A1", "B2"]),
    ("={{ $json.items.map(i => i.sku).join(', ') }}", "A1, B2"),
    ("={{ $json.items.filter(i => i.qty > 1).length }}", 1),
    ("={{ $json.items.reduce((s, i) => s + i.qty * i.price, 0) }}", 25.5),
    ("={{ $json.items.find(i => i.sku === 'B2').price }}", 5.5),
    ("={{ $json.items.some(i => i.qty > 1) }}", True),
    ("={{ $json.items.every(i => i.qty > 1) }}", False),
    ("={{ $json.body.tags.includes('b') }}", True),
    ("={{ $json.body.tags.indexOf('b') }}", 1),
    ("={{ [...new Set($json.body.tags)] }}", ["a", "b"]),
    ("={{ $json.body.tags.slice(0, 1) }}", ["a"]),
    ("={{ $json.body.tags.concat(['c']) }}", ["a", "b", "a", "c"]),
    ("={{ $json.body.tags.reverse()[0] }}", "a"),
    ("={{ $json.body.tags.length > 0 }}", True),
    ("={{ Object.keys($json.headers) }}", ["content-type", "x-id"]),
    ("={{ Object.values($json.query) }}", ["2"]),
    ("={{ Object.entries($json.query) }}", [["page", "2"]]),
    ("={{ JSON.stringify($json.query) }}", '{"page":"2"}'),
    ("={{ JSON.parse('{\"a\":1}').a }}", 1),
    ("={{ JSON.stringify({ email: $json.body.email }) }}", '{"email":"Kim.Minji@Example.COM"}'),
    # strings
    ("={{ $json.message.text.startsWith('/start') }}", True),
    ("={{ $json.message.text.endsWith('hello') }}", True),
    ("={{ $json.message.text.split(' ')[1] }}", "hello"),
    ("={{ $json.message.text.replace('/start ', '') }}", "hello"),
    ("={{ $json.message.text.replaceAll('l', 'L') }}", "/start heLLo"),
    ("={{ $json.message.text.substring(0, 6) }}", "/start"),
    ("={{ $json.message.text.slice(-5) }}", "hello"),
    ("={{ $json.message.text.length }}", 12),
    ("={{ $json.message.text.includes('hello') }}", True),
    ("={{ $json.message.text.match(/\\/(\\w+)/)[1] }}", "start"),
    ("={{ /hello/.test($json.message.text) }}", True),
    ("={{ $json.message.text.padStart(14, '*') }}", "**/start hello"),
    ("={{ $json.message.text.charAt(1) }}", "s"),
    ("={{ $json.message.text.toUpperCase().split(' ') }}", ["/START", "HELLO"]),
    ("={{ $json.message.chat.id }}", 123456),
    ("={{ $json.message.from.first_name }}", "Ann"),
    ("={{ encodeURIComponent('a b&c') }}", "a%20b%26c"),
    ("={{ decodeURIComponent('a%20b') }}", "a b"),
    ("={{ $json.html.replace(/<[^>]+>/g, '') }}", "Hello world"),
    ("={{ `${$json.body.name.trim()} <${$json.body.email}>` }}", "Kim Minji <Kim.Minji@Example.COM>"),
    ("={{ 'Order #' + $json.id }}", "Order #7"),
    ("={{ $json.id.toString().padStart(5, '0') }}", "00007"),
    # templates mixing text and expressions
    ("=Hello {{ $json.message.from.first_name }}!", "Hello Ann!"),
    ("=Order {{ $json.id }} for {{ $json.body.name.trim() }}", "Order 7 for Kim Minji"),
    ("={{ $json.id }}-{{ $json.body.qty }}", "7-3"),
    ("=https://api.example.com/users/{{ $json.id }}", "https://api.example.com/users/7"),
    ("={{ $vars.API_BASE }}/orders?page={{ $json.query.page }}", "https://api.example.com/orders?page=2"),
    ("=Total: {{ $json.items.length }} items", "Total: 2 items"),
    ("=Data: {{ $json.query }}", 'Data: {"page":"2"}'),
    ("=List: {{ $json.body.tags }}", 'List: ["a","b","a"]'),
    ("=Nothing: {{ $json.nothing }}.", "Nothing: ."),
    ("=Bool {{ $json.active }}", "Bool true"),
    ("=Line one\nLine {{ 1 + 1 }}", "Line one\nLine 2"),
    ("=POST", "POST"),
    ("=plain text", "plain text"),
    ("={{ {a: 1}.a }}", 1),
    ("={{ { ok: true, id: $json.id } }}", {"ok": True, "id": 7}),
    ("={{ [$json.id, $json.body.qty] }}", [7, "3"]),
    ('={\n  "email": "{{ $json.body.email }}",\n  "id": {{ $json.id }}\n}', '{\n  "email": "Kim.Minji@Example.COM",\n  "id": 7\n}'),
    # ternaries and logic
    ("={{ $json.active ? 'yes' : 'no' }}", "yes"),
    ("={{ $json.id > 5 ? 'big' : 'small' }}", "big"),
    ("={{ $json.body.tags.length ? $json.body.tags[0] : null }}", "a"),
    ("={{ $json.empty ? 'set' : 'empty' }}", "empty"),
    ("={{ $json.id === 7 && $json.active }}", True),
    ("={{ $json.id !== 7 || !$json.active }}", False),
    ("={{ $json.id == '7' }}", True),
    ("={{ typeof $json.id }}", "number"),
    ("={{ Array.isArray($json.items) }}", True),
    ("={{ $if($json.active, 'on', 'off') }}", "on"),
    ("={{ $ifEmpty($json.empty, 'none') }}", "none"),
    ("={{ $ifEmpty($json.id, 'none') }}", 7),
    ("={{ $max(1, 5, 3) }}", 5),
    ("={{ $min(4, 2) }}", 2),
    ("={{ (() => { const n = $json.id; return n * n; })() }}", 49),
    # other steps
    ("={{ $('Webhook').item.json.body.email }}", "Kim.Minji@Example.COM"),
    ('={{ $("Webhook").first().json.query.page }}', "2"),
    ("={{ $('Set').item.json.y }}", "from set"),
    ("={{ $('Set').first().json.count + 1 }}", 6),
    ("={{ $('Set').last().json.list }}", [1, 2, 3]),
    ("={{ $('Get rows').all().length }}", 3),
    ("={{ $('Get rows').all().map(r => r.json.name) }}", ["a", "b", "c"]),
    ("={{ $('Get rows').all().map(r => r.json.name).join('|') }}", "a|b|c"),
    ("={{ $('Get rows').last().json.row }}", 3),
    ("={{ $('Get rows').item.json.row }}", 1),
    ("={{ $('HTTP Request').item.json.data.results[1].title }}", "T2"),
    ("={{ $('HTTP Request').first().json.status === 200 }}", True),
    ('={{ $node["Set"].json.y }}', "from set"),
    ("={{ $node['Webhook'].json.body.name.trim() }}", "Kim Minji"),
    ("={{ $node.Set.json.count }}", 5),
    ("={{ $items('Get rows').length }}", 3),
    ("={{ $items('Get rows')[1].json.name }}", "b"),
    ("={{ $items().length }}", 2),
    # $input
    ("={{ $input.item.json.id }}", 7),
    ("={{ $input.first().json.id }}", 7),
    ("={{ $input.last().json.id }}", 8),
    ("={{ $input.all().length }}", 2),
    ("={{ $input.all().map(i => i.json.id) }}", [7, 8]),
    ("={{ $input.all().reduce((s, i) => s + i.json.id, 0) }}", 15),
    ("={{ $itemIndex }}", 0),
    ("={{ $runIndex }}", 0),
    # dates (Luxon, the run's time: 2024-05-01 10:30:15 in Seoul)
    ("={{ $now.toISO() }}", "2024-05-01T10:30:15.000+09:00"),
    ("={{ $now.toFormat('yyyy-MM-dd') }}", "2024-05-01"),
    ("={{ $now.toFormat('yyyy-MM-dd HH:mm:ss') }}", "2024-05-01 10:30:15"),
    ("={{ $now.toFormat('dd/MM/yyyy') }}", "01/05/2024"),
    ("={{ $now.toFormat('cccc') }}", "Wednesday"),
    ("={{ $now.toFormat('LLLL d, yyyy') }}", "May 1, 2024"),
    ("={{ $now.year }}", 2024),
    ("={{ $now.month }}", 5),
    ("={{ $now.weekday }}", 3),
    ("={{ $now.hour }}", 10),
    ("={{ $now.minus({ days: 1 }).toISODate() }}", "2024-04-30"),
    ("={{ $now.plus({ hours: 24 }).toFormat('yyyy-MM-dd') }}", "2024-05-02"),
    ("={{ $now.plus(1, 'week').toISODate() }}", "2024-05-08"),
    ("={{ $now.minus(1, 'day').format('yyyy-MM-dd') }}", "2024-04-30"),  # n8n's DateTime.format extension
    ("={{ $now.startOf('month').toISODate() }}", "2024-05-01"),
    ("={{ $now.endOf('month').toISODate() }}", "2024-05-31"),
    ("={{ $now.toUTC().toISO() }}", "2024-05-01T01:30:15.000Z"),
    ("={{ $now.setZone('America/New_York').toFormat('HH:mm') }}", "21:30"),
    ("={{ $now.toMillis() }}", 1714527015000),
    ("={{ $now.toSeconds() }}", 1714527015),
    ("={{ $now }}", "2024-05-01T10:30:15.000+09:00"),
    ("={{ $today.toISO() }}", "2024-05-01T00:00:00.000+09:00"),
    ("={{ $today.toISODate() }}", "2024-05-01"),
    ("={{ $today.minus({ days: 7 }).toISODate() }}", "2024-04-24"),
    ("=Report for {{ $today.toFormat('yyyy-MM-dd') }}", "Report for 2024-05-01"),
    ("={{ DateTime.fromISO($json.date).toFormat('yyyy-MM-dd') }}", "2024-03-05"),
    ("={{ DateTime.fromISO($json.date, { zone: 'utc' }).toFormat('HH:mm') }}", "10:15"),
    ("={{ DateTime.fromISO($json.date).setZone('Asia/Seoul').toFormat('HH:mm') }}", "19:15"),
    ("={{ DateTime.fromISO('2024-01-31').plus({ months: 1 }).toISODate() }}", "2024-02-29"),
    ("={{ DateTime.fromFormat('05/03/2024', 'dd/MM/yyyy').toISODate() }}", "2024-03-05"),
    ("={{ DateTime.fromMillis(0, { zone: 'utc' }).toISO() }}", "1970-01-01T00:00:00.000Z"),
    ("={{ DateTime.fromSeconds(86400, { zone: 'utc' }).toISODate() }}", "1970-01-02"),
    ("={{ Math.floor($now.diff(DateTime.fromISO('2024-04-01T10:30:15+09:00'), 'days').days) }}", 30),
    ("={{ DateTime.fromISO('2024-05-10').diff($today, 'days').days }}", 9),
    ("={{ $now > DateTime.fromISO('2024-01-01') }}", True),
    ("={{ DateTime.fromISO($json.date).weekdayLong }}", "Tuesday"),
    ("={{ $now.setLocale('ko').toFormat('yyyy년 M월 d일 cccc') }}", "2024년 5월 1일 수요일"),
    ("={{ DateTime.now().toISODate() }}", None),  # the real clock: checked below, not by value
    ("={{ new Date($json.date).getUTCFullYear() }}", 2024),
    ("={{ new Date($json.date).toISOString() }}", "2024-03-05T10:15:00.000Z"),
    ("={{ Duration.fromObject({ hours: 2 }).as('minutes') }}", 120),
    # n8n's extra methods
    ("={{ $json.body.email.isEmail() }}", True),
    ("={{ $json.body.email.extractDomain() }}", "Example.COM"),
    ("={{ $json.url.extractDomain() }}", "example.co.kr"),
    ("={{ $json.empty.isEmpty() }}", True),
    ("={{ $json.body.name.trim().toTitleCase() }}", "Kim Minji"),
    ("={{ $json.body.qty.toNumber() + 1 }}", 4),
    ("={{ $json.html.removeTags() }}", "Hello world"),
    ("={{ $json.body.tags.unique() }}", ["a", "b"]),
    ("={{ $json.items.pluck('sku') }}", ["A1", "B2"]),
    ("={{ $json.items.pluck('qty').sum() }}", 3),
    ("={{ $json.body.tags.first() }}", "a"),
    ("={{ $json.body.tags.last() }}", "a"),
    ("={{ $json.score.round(2) }}", 0.46),
    ("={{ $json.date.toDateTime().year }}", 2024),
    # workflow, execution, variables
    ("={{ $workflow.name }}", "Orders"),
    ("={{ $workflow.id }}", "42"),
    ("={{ $execution.id }}", "run-9"),
    ("={{ $vars.LIMIT }}", "10"),
    ("={{ Number($vars.LIMIT) * 2 }}", 20),
    ("={{ $env.API_BASE }}", "https://api.example.com"),
    ("=Run {{ $execution.id }} of {{ $workflow.name }}", "Run run-9 of Orders"),
    # numbers and Math
    ("={{ Math.max(...$json.items.map(i => i.price)) }}", 10),
    ("={{ Math.min(3, 1, 2) }}", 1),
    ("={{ Math.ceil(4.1) }}", 5),
    ("={{ Math.abs(-3) }}", 3),
    ("={{ (1234.5).toLocaleString('en-US') }}", "1,234.5"),
    ("={{ Number('1e3') }}", 1000),
    ("={{ parseFloat('3.75kg') }}", 3.75),
    ("={{ isNaN(Number('abc')) }}", True),
    ("={{ 0.1 + 0.2 }}", 0.30000000000000004),
    ("={{ 2 ** 10 }}", 1024),
]


def _evaluate(cases, items=ITEMS, index=0):
    params = {f"c{number}": expression for number, (expression, _) in enumerate(cases)}
    answers = evaluate_n8n(params, items, indexes=[index], nodes=NODES, meta=META, limits=Limits(cpu_seconds=10, wall_seconds=30))
    return answers[0]


@pytest.fixture(scope="module")
def evaluated():
    return _evaluate(CASES)


def test_the_table_is_large_enough():
    assert len(CASES) >= 150


@pytest.mark.parametrize(("number", "expression", "expected"), [(n, e, v) for n, (e, v) in enumerate(CASES)])
def test_n8n_expression_gives_n8ns_value(evaluated, number, expression, expected):
    assert not [e for e in evaluated["errors"] if e["path"] == f"c{number}"], evaluated["errors"]
    value = evaluated["params"][f"c{number}"]
    if "DateTime.now()" in expression:
        assert isinstance(value, str) and len(value) == 10
    else:
        assert value == expected


def test_each_item_sees_its_own_json_and_paired_items_follow_the_index():
    answers = evaluate_n8n(
        {"a": "={{ $json.id }}", "b": "={{ $('Get rows').item.json.name }}", "c": "={{ $itemIndex }}"},
        ITEMS,
        indexes=[0, 1],
        nodes=NODES,
        meta=META,
        limits=Limits(),
    )
    assert [a["params"] for a in answers] == [{"a": 7, "b": "a", "c": 0}, {"a": 8, "b": "b", "c": 1}]


def test_failures_are_reported_per_parameter_and_literals_stay_literal():
    answer = _evaluate(
        [
            ("={{ $json.nope.deeper }}", None),
            ("={{ $('Missing node').item.json.x }}", None),
            ("={{ process.env.HOME }}", None),
            ("={{ require('fs') }}", None),
            ("={{ this.constructor.constructor('return process')() }}", None),
            ("literal {{ $json.id }} without the marker", None),
            ("={{ $json.id", None),
        ]
    )
    errors = {e["path"]: e["error"] for e in answer["errors"]}
    assert "TypeError" in errors["c0"]
    assert "Missing node" in errors["c1"]
    assert "process is not defined" in errors["c2"] and "require is not defined" in errors["c3"]
    assert "process is not defined" in errors["c4"]
    assert answer["params"]["c5"] == "literal {{ $json.id }} without the marker"
    assert answer["params"]["c6"] == "{{ $json.id"  # an unclosed {{ is text, as in n8n


def test_a_runaway_expression_is_stopped():
    from apps.flows.sandbox.runner import SandboxError

    with pytest.raises(SandboxError) as exc_info:
        evaluate_n8n({"a": "={{ (() => { while (true) {} })() }}"}, ITEMS, indexes=[0], nodes={}, meta=META, limits=Limits(cpu_seconds=1))
    assert exc_info.value.code == "code_timeout"
    with pytest.raises(SandboxError) as memory:
        evaluate_n8n(
            {"a": "={{ Array.from({length: 1e9}, () => 'x'.repeat(100)) }}"},
            ITEMS,
            indexes=[0],
            nodes={},
            meta=META,
            limits=Limits(cpu_seconds=20, wall_seconds=40, memory_mb=32),
        )
    assert memory.value.code == "code_memory_limit"
