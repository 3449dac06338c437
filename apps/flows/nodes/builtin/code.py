from apps.flows.engine.errors import NodeError
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.from_n8n import code as from_n8n
from apps.flows.nodes.builtin.from_n8n import data as from_n8n_data
from apps.flows.nodes.builtin.from_n8n import export as to_n8n
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register
from apps.flows.sandbox.javascript import run_javascript
from apps.flows.sandbox.runner import Limits, SandboxError, run_code

EXAMPLE = """# `items` is the list of input items (dicts). Put what this node outputs in `result`.
result = [{**item, "total": item.get("qty", 0) * item.get("price", 0)} for item in items]
"""


def sandbox_limits(ctx, params) -> Limits:
    """The child process's limits: the step's CPU and memory settings, and the time the step has left."""
    wall = max(min(float(ctx.node.setting("timeout_seconds")), ctx.seconds_left()), 1.0)
    return Limits(cpu_seconds=int(params["cpu_seconds"]), wall_seconds=wall, memory_mb=int(params["memory_mb"]))


def sandbox_items(ctx) -> list:
    return ctx.items[:1] if ctx.node.setting("execute_once") else ctx.items


@register
class CodeNode(NodeType):
    key = "code.python"
    n8n = (N8nMapping(("n8n-nodes-base.code",), from_n8n.python, when=from_n8n.is_python, export=to_n8n.python),)
    category = "transform"
    blocking = True
    icon = "code"
    label = t("Code (Python)", "코드 (파이썬)")
    description = t(
        "Runs a short Python program on the items, safely in a separate process.",
        "항목에 대해 짧은 파이썬 코드를 별도 프로세스에서 안전하게 실행합니다.",
    )
    per_item = False
    params = (
        Param(
            "mode",
            "select",
            t("Run", "실행 방식"),
            default="all",
            expressions=False,
            options=(
                ("all", t("once for all items (`items` → `result` list)", "모든 항목에 한 번 (`items` → `result` 목록)")),
                ("each", t("once per item (`item` → `result` object)", "항목마다 (`item` → `result` 객체)")),
            ),
        ),
        Param("code", "code", t("Python code", "파이썬 코드"), required=True, default=EXAMPLE, expressions=False, language="python"),
        Param(
            "cpu_seconds",
            "integer",
            t("CPU time limit (seconds)", "CPU 시간 제한(초)"),
            default=10,
            minimum=1,
            maximum=60,
            expressions=False,
        ),
        Param("memory_mb", "integer", t("Memory limit (MB)", "메모리 제한(MB)"), default=256, minimum=64, maximum=1024, expressions=False),
    )

    def execute(self, ctx):
        params = ctx.params()
        limits, items = sandbox_limits(ctx, params), sandbox_items(ctx)
        try:
            return {"main": run_code(str(params["code"]), items, mode=params["mode"], limits=limits)}
        except SandboxError as exc:
            raise NodeError(exc.template, code=exc.code, detail=exc.detail, values=exc.values) from None


JAVASCRIPT_EXAMPLE = """// Like n8n's Code node: $input.all() is the list of items ({json: {...}}); return the items to output.
const results = [];
for (const item of $input.all()) {
  results.push({ json: { ...item.json, total: (item.json.qty || 0) * (item.json.price || 0) } });
}
return results;
"""


@register
class JavaScriptCodeNode(NodeType):
    key = "code.javascript"
    n8n = (
        N8nMapping(("n8n-nodes-base.code",), from_n8n.javascript, export=to_n8n.javascript),
        N8nMapping(("n8n-nodes-base.function",), from_n8n.javascript),
        N8nMapping(("n8n-nodes-base.functionItem",), from_n8n.javascript),
        N8nMapping(("n8n-nodes-base.set",), from_n8n_data.raw_set, when=from_n8n_data.is_raw_set),
    )
    category = "transform"
    blocking = True
    icon = "code"
    label = t("Code (JavaScript)", "코드 (자바스크립트)")
    description = t(
        "Runs a short JavaScript program on the items, like n8n's Code node, safely in a separate process.",
        "n8n의 코드 노드처럼 항목에 대해 짧은 자바스크립트 코드를 별도 프로세스에서 안전하게 실행합니다.",
    )
    outputs = ("main", "console")
    per_item = False
    params = (
        Param(
            "mode",
            "select",
            t("Run", "실행 방식"),
            default="all",
            expressions=False,
            options=(
                ("all", t("once for all items (`$input.all()` → return a list)", "모든 항목에 한 번 (`$input.all()` → 목록 반환)")),
                ("each", t("once per item (`$json` → return one object)", "항목마다 (`$json` → 객체 하나 반환)")),
            ),
        ),
        Param(
            "code",
            "code",
            t("JavaScript code", "자바스크립트 코드"),
            required=True,
            default=JAVASCRIPT_EXAMPLE,
            expressions=False,
            language="javascript",
        ),
        Param(
            "cpu_seconds",
            "integer",
            t("Time limit (seconds)", "시간 제한(초)"),
            default=10,
            minimum=1,
            maximum=60,
            expressions=False,
        ),
        Param("memory_mb", "integer", t("Memory limit (MB)", "메모리 제한(MB)"), default=128, minimum=16, maximum=1024, expressions=False),
    )

    def execute(self, ctx):
        params = ctx.params()
        limits, items = sandbox_limits(ctx, params), sandbox_items(ctx)
        code = str(params["code"])
        nodes, meta = ctx.script_scope(code)
        try:
            result = run_javascript(code, items, mode=params["mode"], nodes=nodes, meta=meta, limits=limits)
        except SandboxError as exc:
            raise NodeError(exc.template, code=exc.code, detail=exc.detail, values=exc.values) from None
        ctx.script_state_changed(result.static)
        return {"main": result.result, "console": [{"message": line} for line in result.logs]}
