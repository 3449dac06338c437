"""The offline planner: sentences in Korean and English become valid flows built from the step catalog."""

from apps.assistant.planner import plan
from apps.flows.engine.validation import validate_graph
from apps.flows.nodes.registry import registry

FLAGSHIP_KO = "매일 아침 9시에 네이버 뉴스에서 '자동화'를 검색해서 슬랙으로 보내줘"
FLAGSHIP_EN = "Every day at 9 am search Naver news for 'automation' and send the results to Slack"


def _kinds(draft):
    return [registry.get(n["type"]) for n in draft.graph["nodes"]]


def _only_placeholders_missing(draft):
    problems = validate_graph(draft.graph)
    placeholders = {(m["node_id"], "parameters.credential") for m in draft.missing if m["code"] == "connect"}
    assert draft.valid and draft.problems == []
    assert all(p.code == "required" and (p.node_id, p.path) in placeholders for p in problems), problems


def test_flagship_korean_sentence_is_a_schedule_a_naver_search_and_a_slack_message():
    draft = plan(FLAGSHIP_KO, language="ko", time_zone="Asia/Seoul")
    trigger, search, slack = draft.graph["nodes"]
    kinds = _kinds(draft)
    assert kinds[0].trigger_kind == "schedule"
    assert trigger["parameters"]["cron"] == "0 9 * * *" and trigger["parameters"]["time_zone"] == "Asia/Seoul"
    assert kinds[1].label["ko"] == "네이버 검색" and search["parameters"]["query"] == "자동화"
    assert search["parameters"].get("search_type", "news") == "news"
    assert "slack" in kinds[2].aliases and slack["parameters"]["text"]
    assert [(e["source"], e["target"]) for e in draft.graph["edges"]] == [("n1", "n2"), ("n2", "n3")]
    assert {m["credential_type"] for m in draft.missing if m["code"] == "connect"} == {"naver_developers", "slack_webhook"}
    _only_placeholders_missing(draft)


def test_flagship_english_sentence_gives_the_same_flow_in_the_organizations_time_zone():
    draft = plan(FLAGSHIP_EN, language="en", time_zone="America/New_York")
    nodes = draft.graph["nodes"]
    assert nodes[0]["parameters"]["cron"] == "0 9 * * *" and nodes[0]["parameters"]["time_zone"] == "America/New_York"
    assert nodes[1]["parameters"]["query"] == "automation" and nodes[1]["name"] == "Naver search"
    assert nodes[2]["name"] == "Send to Slack"
    _only_placeholders_missing(draft)


def test_time_expressions_become_cron_schedules():
    cases = {
        "매주 월요일 오전 8시에 슬랙으로 보내줘": "0 8 * * 1",
        "평일 오후 6시 30분에 이메일 보내줘": "30 18 * * 1-5",
        "매월 1일에 슬랙으로 알려줘": "0 9 1 * *",
        "2시간마다 슬랙으로 보내줘": "0 */2 * * *",
        "every weekday at 6:30 pm send an email": "30 18 * * 1-5",
        "every 15 minutes post to slack": "*/15 * * * *",
    }
    for sentence, cron in cases.items():
        assert plan(sentence, time_zone="Asia/Seoul").graph["nodes"][0]["parameters"]["cron"] == cron, sentence


def test_webhook_sentiment_and_a_negative_condition_become_an_if_step_on_the_true_branch():
    draft = plan("웹훅으로 고객 문의가 오면 감정 분석해서 부정적이면 슬랙으로 보내줘", language="ko")
    kinds = _kinds(draft)
    assert kinds[0].trigger_kind == "webhook"
    assert kinds[1].label["en"] == "Sentiment" and kinds[2].outputs == ("true", "false")
    condition = draft.graph["nodes"][2]["parameters"]["conditions"][0]
    assert condition == {"left": "{{ json.sentiment.label }}", "operator": "equals", "right": "negative"}
    assert draft.graph["edges"][2]["source_port"] == "true"
    _only_placeholders_missing(draft)


def test_amount_condition_in_korean_and_english():
    for sentence in (
        "웹훅 요청이 오면 10만원 이상이면 슬랙으로 보내줘",
        "When a webhook request comes, if the amount is over 100,000 won send it to slack",
    ):
        draft = plan(sentence)
        conditions = next(n["parameters"]["conditions"] for n in draft.graph["nodes"] if "conditions" in n["parameters"])
        assert conditions[0]["left"] == "{{ json.amount }}" and conditions[0]["right"] == 100000, sentence
        _only_placeholders_missing(draft)


def test_follow_ups_replace_add_in_parallel_and_remove_steps():
    first = plan(FLAGSHIP_KO, language="ko", time_zone="Asia/Seoul")
    kakao = plan("슬랙 대신 카카오톡으로 보내줘", language="ko", graph=first.graph)
    types = [n["type"] for n in kakao.graph["nodes"]]
    assert registry.get(types[2]).label["ko"] == "카카오톡 나에게 보내기" and len(types) == 3
    assert [c["action"] for c in kakao.changes] == ["changed"] and kakao.changes[0]["node_id"] == "n3"
    _only_placeholders_missing(kakao)

    email = plan("결과를 이메일로도 보내줘 boss@example.com", language="ko", graph=first.graph)
    added = next(n for n in email.graph["nodes"] if n["id"] not in {"n1", "n2", "n3"})
    assert added["parameters"]["to"] == "boss@example.com"
    assert {"source": "n2", "target": added["id"], "source_port": "main", "target_port": "main"} in email.graph["edges"]
    assert len(email.graph["nodes"]) == 4 and email.changes == [
        {"action": "added", "node_id": added["id"], "type": added["type"], "name": added["name"]}
    ]
    _only_placeholders_missing(email)

    removed = plan("슬랙 빼줘", language="ko", graph=first.graph)
    assert [n["id"] for n in removed.graph["nodes"]] == ["n1", "n2"] and removed.changes[0]["action"] == "removed"
    assert first.graph["nodes"][2]["type"] == removed.changes[0]["type"]  # the input graph itself is untouched


def test_changing_the_if_condition_and_the_time_of_an_existing_flow():
    first = plan("매일 9시에 웹훅 말고 10만원 이상이면 슬랙으로 보내줘", language="ko")
    changed = plan("IF 조건을 50만원 이상으로 바꿔줘", language="ko", graph=first.graph)
    conditions = next(n["parameters"]["conditions"] for n in changed.graph["nodes"] if "conditions" in n["parameters"])
    assert conditions[0]["right"] == 500000
    later = plan("매일 10시로 바꿔줘", language="ko", graph=first.graph, time_zone="Asia/Seoul")
    assert later.graph["nodes"][0]["parameters"]["cron"] == "0 10 * * *"


def test_unmappable_request_gives_a_partial_flow_and_a_plain_missing_list_never_an_invented_step():
    draft = plan("매일 아침 인스타그램에 사진을 올려줘", language="ko")
    assert [registry.get(n["type"]).trigger_kind for n in draft.graph["nodes"]] == ["schedule"]
    codes = [m["code"] for m in draft.missing]
    assert "unmapped" in codes and "no_steps" in codes
    assert "인스타그램" in next(m for m in draft.missing if m["code"] == "unmapped")["values"]["words"]
    assert all(n["type"] in registry for n in draft.graph["nodes"]) and validate_graph(draft.graph) == []


def test_a_step_registered_later_is_found_by_its_label_and_aliases_without_changes_to_the_planner():
    from apps.flows.nodes.base import NodeType, Param, t
    from apps.flows.nodes.registry import NodeRegistry

    local = NodeRegistry()
    for node_type in registry.all():
        local._types[node_type.key] = node_type

    class Fax(NodeType):
        key = "acme.fax"
        category = "action"
        label = t("Send a fax", "팩스 보내기")
        aliases = ("팩스", "fax")
        params = (Param("number", "string", t("Fax number", "팩스 번호"), required=True),)

    local.register(Fax)
    draft = plan("매일 9시에 팩스로 보내줘", registry=local)
    assert draft.graph["nodes"][1]["type"] == "acme.fax"
    assert any(m["code"] == "fill" and m["parameter"] == "number" for m in draft.missing) and draft.valid


def test_messaging_connectors_rss_and_sheets_are_found_by_their_words():
    draft = plan("3시간마다 https://example.com/feed.xml RSS 피드 읽어서 텔레그램으로 보내줘", language="ko", time_zone="Asia/Seoul")
    assert [n["type"] for n in draft.graph["nodes"]] == ["trigger.schedule", "rss.read_feed", "telegram.send_message"]
    assert draft.graph["nodes"][1]["parameters"]["url"] == "https://example.com/feed.xml" and draft.valid
    draft = plan("웹훅으로 고객 정보가 오면 개인정보 마스킹하고 구글 스프레드시트에 행 추가해줘", language="ko")
    assert [n["type"] for n in draft.graph["nodes"][1:]] == ["ai.mask", "google_sheets.append_rows"]
    draft = plan("Every 15 minutes make an HTTP request to https://shop.example.com/api/stock, detect anomalies and post to Slack")
    assert draft.graph["nodes"][1]["parameters"]["url"] == "https://shop.example.com/api/stock"  # the comma is not the URL's


def test_a_word_of_the_steps_own_label_joins_its_claim():
    draft = plan("매월 1일에 공공데이터 API를 호출해서 이메일로 보내줘", language="ko", time_zone="Asia/Seoul")
    assert [n["type"] for n in draft.graph["nodes"][1:]] == ["public_data.call", "net.email"]


def _steps(draft):
    return [n["type"] for n in draft.graph["nodes"][1:]]


def test_phone_numbers_fill_a_text_message_steps_recipient():
    draft = plan("매일 오후 3시에 문자로 010-2222-3333 번호에 보내줘", language="ko")
    assert _steps(draft) == ["solapi.send_text"] and draft.graph["nodes"][1]["parameters"]["to"] == "010-2222-3333"
    assert draft.valid


def test_more_ways_of_saying_a_condition():
    for prompt, right in (
        ("웹훅으로 리뷰가 오면 감정을 분석해서 긍정적인 경우에만 슬랙으로 보내줘", "positive"),
        ("When an order webhook comes in above 300,000 won, send it to Slack", 300000),
        ("웹훅이 오면 감정 분석해서 부정일 때 이메일로 보내줘", "negative"),
    ):
        draft = plan(prompt)
        assert "flow.if" in _steps(draft), prompt
        node = next(n for n in draft.graph["nodes"] if n["type"] == "flow.if")
        assert node["parameters"]["conditions"][0]["right"] == right and draft.valid


def test_ordinal_days_of_the_month():
    draft = plan("On the second day of each month at 7 am send a report to Slack")
    assert draft.graph["nodes"][0]["parameters"]["cron"] == "0 7 2 * *"


def test_korean_spellings_of_latin_brand_words_in_labels():
    assert _steps(plan("구글 드라이브 파일 목록을 슬랙으로 보내줘", language="ko")) == ["google_drive.list_files", "net.slack"]


def test_a_webhook_request_gets_the_plain_webhook_trigger_not_a_payment_services():
    for prompt in ("웹훅 요청이 오면 슬랙으로 보내줘", "When a webhook request comes in, send it to Slack"):
        assert plan(prompt).graph["nodes"][0]["type"] == "trigger.webhook", prompt
