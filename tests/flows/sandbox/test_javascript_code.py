"""The JavaScript code step: n8n's Code-node contract, in a V8 isolate in a limited child process."""

import os

import pytest

from apps.flows.sandbox.javascript import run_javascript
from apps.flows.sandbox.runner import Limits, SandboxError
from tests.flows.engine.helpers import edge, node, run

FAST = Limits(cpu_seconds=2, wall_seconds=10, memory_mb=64)
ITEMS = [{"name": "Ann", "qty": 2}, {"name": "Bob", "qty": 3}]


def js(code, items=ITEMS, **kwargs):
    return run_javascript(code, items, limits=kwargs.pop("limits", FAST), **kwargs)


def test_run_once_for_all_items_returns_json_wrapped_or_plain_objects():
    wrapped = js("return $input.all().map(i => ({json: {...i.json, up: i.json.name.toUpperCase()}}))")
    assert wrapped.result == [{"name": "Ann", "qty": 2, "up": "ANN"}, {"name": "Bob", "qty": 3, "up": "BOB"}]
    assert js("return items.map(i => ({n: i.json.qty * 10}))").result == [{"n": 20}, {"n": 30}]
    assert js("return {count: $input.all().length, first: $input.first().json.name, last: $input.last().json.name}").result == [
        {"count": 2, "first": "Ann", "last": "Bob"}
    ]
    # the most common n8n habit: redeclaring `items` at the top of the code
    assert js("const items = $input.all();\nreturn [{n: items.length}]").result == [{"n": 2}]
    assert js("let total = 0; for (const item of $input.all()) { total += item.json.qty } return [{json: {total}}]").result == [
        {"total": 5}
    ]


def test_run_once_for_each_item_sees_json_and_item_index():
    each = js("return {json: {who: $json.name, index: $itemIndex, same: $input.item.json.qty === $json.qty}}", mode="each")
    assert each.result == [{"who": "Ann", "index": 0, "same": True}, {"who": "Bob", "index": 1, "same": True}]
    assert js("if ($json.qty > 2) return $json;", mode="each").result == [{"name": "Bob", "qty": 3}]


def test_console_output_is_captured_and_async_code_works():
    out = js("console.log('items', $input.all().length, {a: 1}); await null; console.warn('done'); return []")
    assert out.logs == ['items 2 {"a":1}', "done"] and out.result == []


def test_other_steps_output_dates_and_luxon():
    out = js(
        "return [{prev: $('Webhook').first().json.body.email, legacy: $node['Webhook'].json.body.email,"
        " day: $now.toFormat('yyyy-MM-dd'), start: $today.toISO(), parsed: DateTime.fromISO('2024-02-29').plus({days: 1}).toISODate()}]",
        nodes={"Webhook": [{"body": {"email": "a@b.co"}}]},
        meta={"now": "2024-05-01T10:30:00+09:00", "timezone": "Asia/Seoul"},
    )
    assert out.result == [
        {"prev": "a@b.co", "legacy": "a@b.co", "day": "2024-05-01", "start": "2024-05-01T00:00:00.000+09:00", "parsed": "2024-03-01"}
    ]
    with pytest.raises(SandboxError) as missing:
        js("return $('Nowhere').all()")
    assert "Nowhere" in missing.value.message


@pytest.mark.parametrize(
    ("code", "expected_code"),
    [
        ("return [{p: process.env}]", "code_error"),
        ("return [{r: require('fs').readFileSync('/etc/passwd', 'utf8')}]", "code_error"),
        ("const g = (function () { return this })(); return [{x: g.process.pid}]", "code_error"),
        ("const g = this.constructor.constructor('return this')(); return [{x: g.process.mainModule}]", "code_error"),
        ("const F = [].constructor.constructor; return [{x: F('return process')().env}]", "code_error"),
        ("return [{x: Function('return globalThis')().require('child_process')}]", "code_error"),
        ("const fs = await import('fs'); return [{x: fs.readFileSync('/etc/passwd')}]", "code_error"),
        ("return [{x: fetch('http://127.0.0.1/')}]", "code_error"),
        ("return [{x: new XMLHttpRequest()}]", "code_error"),
        ("setTimeout(() => {}, 10); return []", "code_error"),
        ("return [{x: new WebAssembly.Module(new Uint8Array([0]))}]", "code_error"),
        ("Object.prototype.polluted = 1; return [{x: ({}).polluted, own: Object.keys({}).length}]", None),
        ("while (true) {}", "code_timeout"),
        ("for (;;) { try { while (true) {} } catch (e) {} }", "code_timeout"),
        ("const a = []; while (true) a.push('x'.repeat(1000000) + a.length)", "code_memory_limit"),
        ("return [{x: 'y'.repeat(2 ** 29)}]", "code_error"),
        ("return 5", "code_error"),
        ("return ['text']", "code_error"),
        ("syntax error here(", "code_error"),
        ("await new Promise(() => {}); return []", "code_error"),
    ],
)
def test_escapes_and_limit_breaches_are_clear_errors(code, expected_code):
    if expected_code is None:  # pollution stays inside this run's isolate: nothing leaks to the host or the next run
        assert js(code).result == [{"x": 1, "own": 0}]
        assert js("return [{x: ({}).polluted === undefined}]").result == [{"x": True}]
        return
    # a memory breach gets time to spare: on a busy machine the garbage collector near the limit is slow
    limits = Limits(cpu_seconds=30, wall_seconds=60, memory_mb=64) if expected_code == "code_memory_limit" else FAST
    with pytest.raises(SandboxError) as exc_info:
        js(code, limits=limits)
    assert exc_info.value.code == expected_code
    assert exc_info.value.message


def test_error_messages_say_what_and_where():
    with pytest.raises(SandboxError) as exc_info:
        js("const a = 1;\nconst b = 2;\nthrow new Error('boom')")
    assert exc_info.value.message == "The code failed: Error: boom (line 3)"
    with pytest.raises(SandboxError) as timeout:
        js("while (true) {}")
    assert timeout.value.message == "The code ran longer than 2 seconds and was stopped."
    with pytest.raises(SandboxError) as memory:  # time enough that a busy machine still reaches the memory limit first
        js(
            "const a = []; while (true) a.push({n: a.length, s: 'x' + a.length})",
            limits=Limits(cpu_seconds=30, wall_seconds=60, memory_mb=64),
        )
    assert memory.value.message == "The code needed more than 64 MB of memory."


def test_the_process_is_unprivileged_and_the_worker_stays_healthy():
    if os.geteuid() == 0:
        assert js("return [{ok: true}]").result == [{"ok": True}]
    # a crash of one run leaves the next one working
    with pytest.raises(SandboxError):
        js("const a = []; while (true) a.push(new Array(1e6).fill(1))")
    assert js("return [{after: 1}]").result == [{"after": 1}]


def test_javascript_step_in_a_flow_with_console_port_and_earlier_steps():
    nodes = [
        node("start", "trigger.manual", "Start"),
        node("set", "data.set", "Prices", fields=[{"name": "price", "value": 5}]),
        node(
            "code",
            "code.javascript",
            "Totals",
            code="console.log('rows', items.length);\n"
            "return $input.all().map(i => ({json: {total: i.json.q * $('Prices').first().json.price}}))",
        ),
    ]
    result, reporter = run(nodes, [edge("start", "set"), edge("set", "code")], [{"q": 2}])
    assert result.status == "success", result.error
    assert result.last_items == [{"total": 10}]
    broken = [node("start", "trigger.manual"), node("code", "code.javascript", code="null.x")]
    result, _ = run(broken, [edge("start", "code")], [{}])
    assert result.status == "failed" and "TypeError" in result.error


def test_buffer_encodes_text_as_n8n_code_nodes_do():
    code = """const text = JSON.stringify([{a: "한글 ü"}]);
const b64 = Buffer.from(text).toString('base64');
return [{json: {
  b64,
  back: Buffer.from(b64, 'base64').toString('utf8'),
  hex: Buffer.from('hi').toString('hex'),
  fromHex: Buffer.from('6869', 'hex').toString(),
  url: Buffer.from('??>').toString('base64url'),
  bytes: Buffer.byteLength('한'),
  isBuffer: Buffer.isBuffer(Buffer.from('x')),
  joined: Buffer.concat([Buffer.from('a'), Buffer.from('b')]).toString(),
}}];"""
    import base64
    import json

    text = json.dumps([{"a": "한글 ü"}], ensure_ascii=False, separators=(",", ":"))
    assert js(code).result == [
        {
            "b64": base64.b64encode(text.encode()).decode(),
            "back": text,
            "hex": "6869",
            "fromHex": "hi",
            "url": base64.urlsafe_b64encode(b"??>").decode().rstrip("="),
            "bytes": 3,
            "isBuffer": True,
            "joined": "ab",
        }
    ]
