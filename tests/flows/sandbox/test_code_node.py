import os

import pytest

from apps.flows.sandbox.runner import Limits, SandboxError, run_code
from tests.flows.engine.helpers import edge, node, run

FAST = Limits(cpu_seconds=2, wall_seconds=6, memory_mb=256)


def test_code_transforms_items_once_or_per_item():
    assert run_code("result = [{'n': len(items)}]", [{}, {}]) == [{"n": 2}]
    assert run_code("result = {**item, 'double': item['x'] * 2}", [{"x": 1}, {"x": 4}], mode="each") == [
        {"x": 1, "double": 2},
        {"x": 4, "double": 8},
    ]
    assert run_code("import json, datetime, re, math\nresult = [{'ok': math.floor(2.5)}]", [{}]) == [{"ok": 2}]


@pytest.mark.parametrize(
    ("code", "expected_code"),
    [
        ("open('/etc/passwd').read()", "code_error"),
        ("open('/work/main/ezflow_site/settings/components/base.py').read()", "code_error"),
        ("import socket", "code_error"),
        ("__import__('os').system('id')", "code_error"),
        ("import subprocess", "code_error"),
        ("import os; os.fork()", "code_error"),
        ("import os; os.listdir('/')", "code_error"),
        ("import ctypes", "code_error"),
        ("import _posixsubprocess", "code_error"),
        ("import gc; gc.get_objects()", "code_error"),
        ("import sys; sys._getframe().f_globals", "code_error"),
        ("import sys; sys.modules['os'].execv('/bin/sh', ['sh'])", "code_error"),
        ("import urllib.request", "code_error"),
        ("while True: pass", "code_cpu_limit"),
        ("x = 'a' * (10**9)", "code_memory_limit"),
        ("open('big', 'w').write('x' * 20_000_000)", "code_error"),
        ("result = [{'x': 'y' * 6_000_000}]", "code_output_too_large"),
        ("result = 'not a list'", "code_bad_result"),
        ("raise ValueError('boom')", "code_error"),
    ],
)
def test_escapes_and_limit_breaches_are_clear_node_errors(code, expected_code):
    with pytest.raises(SandboxError) as exc_info:
        run_code(code, [{}], limits=FAST)
    assert exc_info.value.code == expected_code
    assert exc_info.value.message


def test_the_process_has_no_secrets_no_network_and_no_privileges():
    result = run_code("import os\nresult = [{'env': dict(os.environ), 'uid': os.getuid()}]", [{}])[0]
    assert not any(key.startswith(("DJANGO", "DATABASE", "REDIS", "EZFLOW_CREDENTIAL", "SECRET")) for key in result["env"])
    if os.geteuid() == 0:
        assert result["uid"] != 0


def test_a_sleeping_program_is_stopped_at_the_wall_time():
    import time

    started = time.monotonic()
    with pytest.raises(SandboxError) as exc_info:
        run_code("import time\ntime.sleep(30)", [{}], limits=Limits(cpu_seconds=5, wall_seconds=1))
    assert exc_info.value.code == "code_timeout" and time.monotonic() - started < 5


def test_code_node_in_a_flow_and_its_errors():
    nodes = [node("start", "trigger.manual"), node("code", "code.python", code="result = [{**i, 'total': i['q'] * i['p']} for i in items]")]
    result, _ = run(nodes, [edge("start", "code")], [{"q": 2, "p": 5}])
    assert result.last_items == [{"q": 2, "p": 5, "total": 10}]
    broken = [node("start", "trigger.manual"), node("code", "code.python", code="x = 1 / 0")]
    result, _ = run(broken, [edge("start", "code")], [{}])
    assert result.status == "failed" and "ZeroDivisionError" in result.error and "line 1" in result.error
