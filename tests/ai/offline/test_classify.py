"""Zero-shot classification from label names and phrases; a classifier trained from examples, versioned in the
organization and used by another flow; through the engine and through real runs."""

import pytest
from django.db import connection

from apps.ai.models import TextClassifier
from apps.flows.engine.context import LocalHost
from apps.flows.services.flows import flow_create, flow_publish
from apps.runs.models import NodeRun
from apps.runs.services.runs import run_create, run_execute
from tests.ai.offline.support import NOW, outputs, run
from tests.ai.support import edge, node, run_step

LABELS = [
    {"label": "delivery", "examples": "배송, 택배, 도착, 언제 와요, delivery, shipping, parcel"},
    {"label": "refund", "examples": "환불, 반품, 결제 취소, refund, return, money back"},
    {"label": "account", "examples": "로그인, 비밀번호, 회원가입, 탈퇴\npassword, login, sign in"},
]

EXAMPLES = [
    ("택배가 아직 안 왔어요", "delivery"),
    ("배송 조회가 안 됩니다", "delivery"),
    ("언제 도착하나요", "delivery"),
    ("주문한 물건이 오지 않았어요", "delivery"),
    ("배송지 변경하고 싶어요", "delivery"),
    ("where is my parcel", "delivery"),
    ("shipping is taking too long", "delivery"),
    ("환불해 주세요", "refund"),
    ("반품 신청은 어떻게 하나요", "refund"),
    ("결제 취소 부탁드립니다", "refund"),
    ("돈을 돌려받고 싶어요", "refund"),
    ("I want a refund", "refund"),
    ("please return my money", "refund"),
    ("비밀번호를 잊어버렸어요", "account"),
    ("로그인이 안 돼요", "account"),
    ("회원 탈퇴하고 싶습니다", "account"),
    ("아이디를 바꾸고 싶어요", "account"),
    ("I forgot my password", "account"),
    ("cannot sign in to my account", "account"),
    ("계정이 잠겼어요", "account"),
]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("택배가 아직 도착을 안 했어요", "delivery"),
        ("환불은 언제 되나요?", "refund"),
        ("비밀번호를 바꾸고 싶어요", "account"),
        ("My parcel shipping is slow", "delivery"),
        ("오늘 날씨가 좋네요", "other"),
    ],
)
def test_zero_shot(text, label):
    (item,) = outputs("ai.classify", [{"text": text}], labels=LABELS)
    assert item["category"]["label"] == label, item["category"]
    assert set(item["category"]["scores"]) == {"delivery", "refund", "account"}


def test_zero_shot_needs_labels():
    result = run("ai.classify", [{"text": "x"}], labels=[{"label": " "}])
    assert result.status == "failed" and result.error_code == "ai_no_labels"


def test_train_and_predict_without_a_database_keep_versions_on_the_host():
    host = LocalHost(now=NOW)
    items = [{"q": text, "topic": label} for text, label in EXAMPLES] + [{"q": "", "topic": "delivery"}]
    trained, _ = run_step(
        node("train", "ai.classifier_train", "Train", model="inquiries", text_field="q", label_field="topic"), items, host=host
    )
    assert trained.status == "success", trained.error
    (summary,) = trained.last_items
    assert summary["version"] == 1 and summary["examples"] == 20 and summary["labels"] == ["account", "delivery", "refund"]
    assert summary["accuracy"] is not None and 0 <= summary["accuracy"] <= 1
    again, _ = run_step(
        node("train", "ai.classifier_train", "Train", model="inquiries", text_field="q", label_field="topic"),
        items[:9] + items[13:],
        host=host,
    )
    assert again.last_items[0]["version"] == 2
    predicted, _ = run_step(
        node("p", "ai.classifier_predict", "Predict", model="inquiries", version=1),
        [{"text": "택배 언제 도착해요?"}, {"text": "환불 부탁드려요"}, {"text": "I forgot my login password"}],
        host=host,
    )
    assert predicted.status == "success", predicted.error
    assert [item["category"]["label"] for item in predicted.last_items] == ["delivery", "refund", "account"]
    assert predicted.last_items[0]["category"]["version"] == 1
    newest, _ = run_step(node("p", "ai.classifier_predict", "Predict", model="inquiries"), [{"text": "환불"}], host=host)
    assert newest.last_items[0]["category"]["version"] == 2


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([{"q": "a", "topic": "x"}, {"q": "b", "topic": "x"}], "ai_classifier_examples"),
        ([{"q": "a"}, {"topic": "x"}], "ai_classifier_examples"),
    ],
)
def test_training_needs_two_labels(items, code):
    result, _ = run_step(
        node("train", "ai.classifier_train", "Train", model="m", text_field="q", label_field="topic"), items, host=LocalHost(now=NOW)
    )
    assert result.status == "failed" and result.error_code == code


def test_training_needs_a_name():
    result, _ = run_step(node("train", "ai.classifier_train", "Train", model="  "), [{"text": "a", "label": "x"}], host=LocalHost(now=NOW))
    assert result.error_code == "ai_classifier_name"


def test_a_missing_classifier_is_a_clear_error():
    result, _ = run_step(node("p", "ai.classifier_predict", "Predict", model="nothing"), [{"text": "a"}], host=LocalHost(now=NOW))
    assert result.status == "failed" and result.error_code == "ai_classifier_missing"
    assert "nothing" in result.error


@pytest.fixture
def organization(data):
    organization = data.create_organization(slug="clf-co")
    connection.set_tenant(organization)
    return organization


def _published(name, nodes):
    graph = {"nodes": [node("start", "trigger.manual", "Start"), *nodes], "edges": [edge("start", nodes[0]["id"])]}
    flow = flow_create(user=None, name=name, graph=graph)
    flow_publish(flow=flow, user=None)
    flow.refresh_from_db()
    return flow


def test_a_trained_classifier_is_versioned_in_the_organization_and_used_by_another_flow(organization, data):
    trainer = _published("Train", [node("train", "ai.classifier_train", "Train", model="inquiries", text_field="q", label_field="topic")])
    items = [{"q": text, "topic": label} for text, label in EXAMPLES]
    first = run_execute(run_id=run_create(flow=trainer, trigger="manual", items=items).pk)
    assert first.status == "success", first.error
    second = run_execute(run_id=run_create(flow=trainer, trigger="manual", items=items[:12]).pk)
    assert second.status == "success", second.error
    rows = list(TextClassifier.objects.order_by("version").values_list("name", "version", "examples", "run_id", "flow_id"))
    assert rows == [("inquiries", 1, 20, first.pk, trainer.pk), ("inquiries", 2, 12, second.pk, trainer.pk)]

    user = _published("Sort", [node("sort", "ai.classifier_predict", "Sort", model="inquiries", version=1, text="{{ json.message }}")])
    done = run_execute(run_id=run_create(flow=user, trigger="manual", items=[{"message": "비밀번호 재설정이 안 돼요"}]).pk)
    assert done.status == "success", done.error
    sorted_item = NodeRun.objects.filter(run=done, node_id="sort").get().outputs["main"][0]
    assert sorted_item["category"]["label"] == "account" and sorted_item["category"]["version"] == 1

    other = data.create_organization(slug="clf-other")
    connection.set_tenant(other)
    assert not TextClassifier.objects.exists()  # another organization's schema has none
    stranger = _published("Sort", [node("sort", "ai.classifier_predict", "Sort", model="inquiries")])
    refused = run_execute(run_id=run_create(flow=stranger, trigger="manual", items=[{"text": "x"}]).pk)
    assert refused.status == "failed" and refused.error_code == "ai_classifier_missing"
