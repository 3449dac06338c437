"""The LLM step with the real anthropic SDK against a mock transport answering like the Messages API."""

import base64
import json

import pytest

from tests.ai.support import ANTHROPIC_KEY, AnthropicDouble, api_error, message, node, run_step, text

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32).decode()


def llm(**parameters):
    return node("ask", "ai.llm", "Ask", **{"provider": "anthropic", "credential": "claude", **parameters})


def test_text_answer_with_expressions_usage_and_cost(monkeypatch):
    api = AnthropicDouble(message(text("안녕하세요, 김민수님!"), input_tokens=1000, output_tokens=200)).install(monkeypatch)
    step = llm(system="You answer {{ json.lang }} customers.", prompt="Greet {{ json.name }}.", temperature=0.2, max_tokens=300)
    result, _ = run_step(step, [{"name": "김민수", "lang": "Korean"}])
    assert result.status == "success", result.error
    sent = api.requests[0]
    assert sent["model"] == "claude-sonnet-4-6"  # the first model of EZFLOW_AI_MODELS["anthropic"]
    assert sent["system"] == "You answer Korean customers."
    assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Greet 김민수."}]}]
    assert sent["max_tokens"] == 300 and "temperature" not in sent  # the Messages API takes none
    assert api.headers[0]["authorization"] == f"Bearer {ANTHROPIC_KEY}"
    out = result.last_items[0]
    assert out["name"] == "김민수"
    ai = out["ai"]
    assert ai["text"] == "안녕하세요, 김민수님!" and ai["stop_reason"] == "end_turn" and ai["model"] == "claude-sonnet-4-5-20250929"
    # claude-sonnet-4-5-20250929 is priced as claude-sonnet-4-5: $3 / $15 per million tokens → 1000 * 3e-6 + 200 * 15e-6
    assert ai["usage"] == {"input_tokens": 1000, "output_tokens": 200, "total_tokens": 1200, "cost_usd": 0.006}
    assert ANTHROPIC_KEY not in json.dumps(result.outputs)


def test_model_and_prices_come_from_settings(monkeypatch, settings):
    settings.EZFLOW_AI_MODELS = {"anthropic": ["claude-haiku-4-5"]}
    settings.EZFLOW_AI_PRICES = {"claude-haiku-4-5": {"input": 1.0, "output": 5.0}}
    api = AnthropicDouble(message(text("ok"), model="claude-haiku-4-5", input_tokens=500_000, output_tokens=100_000)).install(monkeypatch)
    result, _ = run_step(llm(prompt="hi"))
    assert api.requests[0]["model"] == "claude-haiku-4-5"
    assert result.last_items[0]["ai"]["usage"]["cost_usd"] == 1.0  # 0.5 + 0.5
    api = AnthropicDouble(message(text("ok"), model="someone-else", input_tokens=5, output_tokens=5)).install(monkeypatch)
    result, _ = run_step(llm(prompt="hi", model="someone-else"))
    assert api.requests[0]["model"] == "someone-else"
    assert result.last_items[0]["ai"]["usage"]["cost_usd"] is None  # no price known: no estimate rather than a wrong one


def test_an_image_field_goes_to_the_model_as_base64(monkeypatch):
    api = AnthropicDouble(message(text("A tiny black square.")), message(text("Two images."))).install(monkeypatch)
    result, _ = run_step(llm(prompt="Describe it.", image_field="photo"), [{"photo": f"data:image/png;base64,{PNG}"}])
    assert result.status == "success", result.error
    image, prompt = api.requests[0]["messages"][0]["content"]
    assert image == {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}}
    assert prompt == {"type": "text", "text": "Describe it."}
    jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\x00" * 16).decode()
    result, _ = run_step(llm(prompt="Describe.", image_field="files"), [{"files": [PNG, {"base64": jpeg, "content_type": "image/jpeg"}]}])
    assert result.status == "success", result.error
    kinds = [block["source"]["media_type"] for block in api.requests[1]["messages"][0]["content"] if block["type"] == "image"]
    assert kinds == ["image/png", "image/jpeg"]


def test_an_image_field_with_something_else_is_a_clear_error(monkeypatch):
    api = AnthropicDouble().install(monkeypatch)
    result, _ = run_step(llm(prompt="Describe it.", image_field="photo"), [{"photo": base64.b64encode(b"%PDF-1.7 not an image").decode()}])
    assert result.status == "failed" and result.error_code == "ai_bad_image"
    assert api.requests == []


def test_an_image_address_is_downloaded_through_the_ssrf_guard(monkeypatch, settings):
    from tests.support.fake_http import FakeServer

    api = AnthropicDouble(message(text("A photo."))).install(monkeypatch)
    with FakeServer() as images:
        images.routes["/cat.png"] = lambda r: (200, {"Content-Type": "image/png"}, base64.b64decode(PNG))
        result, _ = run_step(llm(prompt="What is it?", image_field="url"), [{"url": images.url("/cat.png")}])
        assert result.status == "success", result.error
        assert api.requests[0]["messages"][0]["content"][0]["source"]["data"] == PNG
        from apps.flows.engine.context import LocalHost
        from tests.ai.support import credentials

        refused, _ = run_step(
            llm(prompt="What is it?", image_field="url"), [{"url": images.url("/cat.png")}], host=LocalHost(credentials=credentials())
        )
    assert refused.status == "failed" and "internal address" in refused.error  # not on the organization's allow-list


def test_429_is_retried_after_the_servers_retry_after_then_succeeds(monkeypatch):
    limited = api_error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", {"retry-after": "7"})
    api = AnthropicDouble(limited, message(text("done"))).install(monkeypatch)
    sleeps = []
    result, _ = run_step(llm(prompt="hi"), sleeps=sleeps)
    assert result.status == "success", result.error
    assert len(api.requests) == 2 and sleeps == [7.0]


def test_529_overloaded_backs_off_and_fails_clearly_when_it_stays_overloaded(monkeypatch, settings):
    settings.EZFLOW_AI_MAX_RETRIES = 3
    overloaded = [api_error(529, "overloaded_error", "Overloaded") for _ in range(4)]
    api = AnthropicDouble(*overloaded).install(monkeypatch)
    sleeps = []
    result, _ = run_step(llm(prompt="hi"), sleeps=sleeps)
    assert len(api.requests) == 4 and sleeps == [1.0, 2.0, 4.0]
    assert result.status == "failed" and result.error_code == "ai_overloaded"
    assert "overloaded" in result.error and "try again" in result.error.lower()


def test_invalid_key_is_not_retried_and_says_so_in_korean_too(monkeypatch):
    from django.utils import translation

    from apps.flows.error_text import engine_error_text

    api = AnthropicDouble(api_error(401, "authentication_error", "invalid x-api-key")).install(monkeypatch)
    result, _ = run_step(llm(prompt="hi"))
    assert len(api.requests) == 1
    assert result.status == "failed" and result.error_code == "ai_bad_key"
    assert "refused the API key (401)" in result.error
    assert ANTHROPIC_KEY not in result.error + result.error_detail
    with translation.override("ko"):
        assert "API 키" in engine_error_text(result.error, result.error_args)


def test_quota_and_context_too_long_are_told_apart(monkeypatch):
    credit = api_error(
        400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing."
    )
    too_long = api_error(400, "invalid_request_error", "prompt is too long: 215000 tokens > 200000 maximum")
    AnthropicDouble(credit, too_long).install(monkeypatch)
    quota, _ = run_step(llm(prompt="hi"))
    long, _ = run_step(llm(prompt="hi"))
    assert quota.error_code == "ai_quota" and "credit" in quota.error
    assert long.error_code == "ai_context_too_long" and "context" in long.error


FIELDS = [
    {"name": "category", "type": "text", "description": "one of billing, delivery, other", "required": True},
    {"name": "urgent", "type": "boolean", "required": True},
    {"name": "amount", "type": "number", "required": False},
]


def test_structured_output_is_validated_and_asked_again_once_with_the_problem(monkeypatch):
    api = AnthropicDouble(
        message(text('{"category": "billing"}'), input_tokens=100, output_tokens=10),
        message(text('```json\n{"category": "billing", "urgent": true}\n```'), input_tokens=150, output_tokens=12),
    ).install(monkeypatch)
    result, _ = run_step(llm(prompt="Sort: {{ json.text }}", output_format="json", output_fields=FIELDS), [{"text": "환불해 주세요"}])
    assert result.status == "success", result.error
    assert result.last_items[0]["ai"]["data"] == {"category": "billing", "urgent": True}
    assert result.last_items[0]["ai"]["usage"]["input_tokens"] == 250  # both calls are counted
    first, second = api.requests
    assert '"required": ["category", "urgent"]' in first["system"]
    assert first["output_config"]["format"]["schema"]["required"] == ["category", "urgent"]
    retry = second["messages"]
    assert retry[1] == {"role": "assistant", "content": [{"type": "text", "text": '{"category": "billing"}'}]}
    assert "'urgent' is a required property" in retry[2]["content"][-1]["text"]


def test_structured_output_fails_clearly_when_the_second_answer_does_not_fit_either(monkeypatch):
    api = AnthropicDouble(message(text("Billing, I think.")), message(text('{"category": 5, "urgent": "yes"}'))).install(monkeypatch)
    result, _ = run_step(llm(prompt="Sort it", output_format="json", output_fields=FIELDS))
    assert len(api.requests) == 2
    assert result.status == "failed" and result.error_code == "ai_invalid_output"
    assert "5 is not of type 'string'" in result.error


def test_bad_field_names_are_refused_before_any_call(monkeypatch):
    api = AnthropicDouble().install(monkeypatch)
    result, _ = run_step(llm(prompt="x", output_format="json", output_fields=[{"name": "1 bad", "type": "text"}]))
    assert result.status == "failed" and result.error_code == "ai_bad_schema" and api.requests == []
    for bad in ("a.b", "x" * 65, ""):
        result, _ = run_step(llm(prompt="x", output_format="json", output_fields=[{"name": bad, "type": "text"}]))
        assert result.error_code == "ai_bad_schema"


def test_field_names_may_have_spaces_and_korean_letters(monkeypatch):
    from apps.ai.structured import schema_from_fields

    fields = [{"name": "Educational qualification", "type": "text"}, {"name": "고객 이름", "type": "text"}, {"name": "job-title"}]
    schema = schema_from_fields(fields)
    assert list(schema["properties"]) == ["Educational qualification", "고객 이름", "job-title"]


def test_the_wrong_kind_of_credential_is_refused(monkeypatch):
    AnthropicDouble().install(monkeypatch)
    result, _ = run_step(llm(prompt="x", credential="local"))
    assert result.status == "failed" and result.error_code == "credential_missing"


@pytest.mark.parametrize("step", ["ai.llm", "ai.agent"])
def test_the_steps_offer_every_registered_provider(step):
    from apps.flows.nodes.registry import registry

    described = registry.get(step).describe()
    providers = [o["value"] for o in next(p for p in described["parameters"] if p["name"] == "provider")["options"]]
    assert providers == ["anthropic", "openai_compatible"]


def test_processes_that_never_call_claude_do_not_import_its_sdk():
    """The SDK costs about a second and tens of megabytes at import: `make run` idles under its memory target."""
    import subprocess
    import sys

    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ezflow_site.settings');"
        "django.setup(); import sys;"
        "from apps.ai.providers import registry; assert registry.get('anthropic') is not None;"
        "assert 'anthropic' not in sys.modules, 'the anthropic SDK was imported at start'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
