"""Imported n8n AI nodes put their answer where n8n puts it ({output: …} or {text: …}), so the later steps' n8n
expressions read the same values; an export with no model name runs on the platform's default model."""

from apps.flows.engine.executor import Executor
from apps.flows.engine.graph import Graph
from apps.flows.engine.n8n import import_n8n
from apps.flows.engine.reporter import RecordingReporter
from tests.ai.support import AnthropicDouble, credentials, message, text
from tests.flows.n8n.test_mapping import by_name, link, n, workflow

LC = "@n8n/n8n-nodes-langchain."
HR_VOTE = "={{ $('HR Expert').item.json.output.vote }}"
VOTE_SCHEMA = '{"type": "object", "properties": {"vote": {"type": "string"}, "consideration": {"type": "string"}}}'


def keep(**values):
    assignments = [{"name": k, "value": v, "type": "string"} for k, v in values.items()]
    return {"assignments": {"assignments": assignments}, "options": {}}


def sub(source, target, kind):
    return {source: {kind: [[{"node": target, "type": kind, "index": 0}]]}}


def run_imported(result, items):
    from apps.flows.engine.context import LocalHost

    graph = result.graph
    for node in graph["nodes"]:
        if node["type"].startswith("ai."):
            node["parameters"]["credential"] = "claude"  # what the person chooses after the import
    host = LocalHost(credentials=credentials(), http_allow_hosts=("127.0.0.1",))
    return Executor(Graph.from_dict(graph), host=host, reporter=RecordingReporter(), sleep=lambda s: None).run(trigger_items=items)


def test_chain_with_a_structured_parser_and_extractor_answer_under_output_as_n8n(monkeypatch):
    api = AnthropicDouble(
        message(text('{"city": "Seoul", "Job History": "Kakao, 3 years"}')),
        message(text('{"vote": "8", "consideration": "Fits the profile."}')),
        message(text("Great candidate.")),
    ).install(monkeypatch)
    extract = {
        "text": "={{ $json.cv }}",
        "attributes": {"attributes": [{"name": "city", "required": True}, {"name": "Job History", "required": True}]},
    }
    prompt = '=Rate: {{ $json.output.city }} / {{ $json.output["Job History"] }}'
    chain = {"text": prompt, "promptType": "define", "hasOutputParser": True}
    data = workflow(
        n("Start", "manualTrigger"),
        n("Extract", LC + "informationExtractor", extract, 1),
        n("HR Expert", LC + "chainLlm", chain, 1.5),
        n("Parser", LC + "outputParserStructured", {"schemaType": "manual", "inputSchema": VOTE_SCHEMA}, 1.2),
        n("Keep", "set", keep(VOTE="={{ $json.output.vote }}", WHY="={{ $json.output.consideration }}"), 3.4),
        n("Note", LC + "chainLlm", {"text": "=Say hi", "promptType": "define"}, 1.5),
        n("Reply", "set", keep(said="={{ $json.text }}", vote=HR_VOTE, VOTE="={{ $json.VOTE }}", WHY="={{ $json.WHY }}"), 3.4),
        connections={
            **link(("Start", "Extract"), ("Extract", "HR Expert"), ("HR Expert", "Keep"), ("Keep", "Note"), ("Note", "Reply")),
            **sub("Parser", "HR Expert", "ai_outputParser"),
        },
    )
    result = import_n8n(data)
    nodes = by_name(result)
    assert (nodes["HR Expert"]["parameters"]["result_field"], nodes["HR Expert"]["parameters"]["answer_only"]) == ("output", True)
    assert (nodes["Note"]["parameters"]["result_field"], nodes["Note"]["parameters"]["answer_only"]) == ("text", True)
    codes = {w["code"] for w in result.warnings if w.get("node") in ("HR Expert", "Extract", "Note")}
    assert "ai_answer_shape" not in codes  # nothing left for the person to rewrite

    outcome = run_imported(result, [{"cv": "..."}])
    assert outcome.status == "success", outcome.error
    assert "Rate: Seoul / Kakao, 3 years" in api.requests[1]["messages"][0]["content"][0]["text"]
    out = outcome.last_items[0]
    assert (out["VOTE"], out["WHY"]) == ("8", "Fits the profile.")
    assert (out["said"], out["vote"]) == ("Great candidate.", "8")


def test_agent_answers_its_text_under_output(monkeypatch):
    AnthropicDouble(message(text("Hello from the agent."))).install(monkeypatch)
    data = workflow(
        n("Start", "manualTrigger"),
        n("Agent", LC + "agent", {"text": "={{ $json.q }}", "promptType": "define"}, 1.7),
        n("Keep", "set", keep(answer="={{ $json.output }}"), 3.4),
        connections=link(("Start", "Agent"), ("Agent", "Keep")),
    )
    outcome = run_imported(import_n8n(data), [{"q": "hi"}])
    assert outcome.status == "success", outcome.error
    assert outcome.last_items[0]["answer"] == "Hello from the agent."


def test_the_step_keeps_its_full_answer_unless_answer_only_is_on(monkeypatch):
    from tests.ai.support import node, run_step

    AnthropicDouble(message(text("Hi")), message(text("Hi"))).install(monkeypatch)
    step = node("ask", "ai.llm", "Ask", provider="anthropic", credential="claude", prompt="x", result_field="output")
    full, _ = run_step(step)
    assert full.last_items[0]["output"]["text"] == "Hi" and "usage" in full.last_items[0]["output"]
    step["parameters"]["answer_only"] = True
    only, _ = run_step(step)
    assert only.last_items[0]["output"] == "Hi"


def test_a_model_left_out_of_the_export_runs_on_the_platforms_default_and_the_report_says_so(monkeypatch, settings):
    settings.EZFLOW_AI_MODELS = {"anthropic": ["claude-haiku-4-5"], "openai_compatible": []}
    api = AnthropicDouble(message(text("ok"))).install(monkeypatch)
    data = workflow(
        n("Start", "manualTrigger"),
        n("Chain", LC + "chainLlm", {"text": "=Rate it", "promptType": "define"}, 1.5),
        n("Claude", LC + "lmChatAnthropic", {"options": {}}, 1.3),
        n("Gemini", LC + "lmChatGoogleGemini", {"options": {}}, 1),
        n("Other", LC + "chainLlm", {"text": "=Rate it", "promptType": "define"}, 1.5),
        connections={
            **link(("Start", "Chain")),
            **sub("Claude", "Chain", "ai_languageModel"),
            **sub("Gemini", "Other", "ai_languageModel"),
        },
    )
    result = import_n8n(data)
    nodes = by_name(result)
    assert nodes["Chain"]["parameters"]["model"] == ""
    told = {w["node"]: w["message"] for w in result.warnings if w["code"] == "ai_model_default"}
    assert "(claude-haiku-4-5) is used" in told["Chain"]
    assert "no default model" in told["Other"]  # nothing set for OpenAI-compatible servers: the person is told to type one
    del data["nodes"][-2:]
    outcome = run_imported(import_n8n(data), [{}])
    assert outcome.status == "success", outcome.error
    assert api.requests[0]["model"] == "claude-haiku-4-5"


def test_the_import_report_explains_the_default_model_in_korean():
    from django.utils import translation

    from apps.flows.import_report import import_warning_text

    with translation.override("ko"):
        assert "기본 모델" in import_warning_text("ai_model_default")
