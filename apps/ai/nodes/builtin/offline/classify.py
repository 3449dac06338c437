from __future__ import annotations

from apps.ai.offline.params import result_param, text_of, text_param
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, get_path, set_path
from apps.flows.nodes.registry import register


@register
class Classify(NodeType):
    key = "ai.classify"
    category = "transform"
    icon = "tags"
    label = t("Classify text", "텍스트 분류")
    description = t(
        "Sorts a text into labels you type, using each label's name and a few example phrases (no training needed). Runs offline.",
        "입력한 라벨 이름과 예시 문구를 보고 텍스트를 라벨로 분류합니다(학습 불필요). 오프라인으로 실행됩니다.",
    )
    params = (
        text_param(),
        Param(
            "labels",
            "list",
            t("Labels", "라벨"),
            required=True,
            default=[],
            expressions=False,
            item_fields=(
                Param("label", "string", t("Label", "라벨"), required=True, expressions=False),
                Param(
                    "examples",
                    "text",
                    t("Example phrases", "예시 문구"),
                    default="",
                    expressions=False,
                    help=t(
                        "Words or phrases that suggest this label, separated by commas or lines.",
                        "이 라벨을 떠올리게 하는 단어나 문구를 쉼표나 줄로 구분해 적습니다.",
                    ),
                ),
            ),
        ),
        Param(
            "min_score",
            "number",
            t("Lowest score to accept", "최소 점수"),
            default=0.2,
            minimum=0,
            maximum=1,
            expressions=False,
            help=t("Below it the text gets the fallback label.", "이보다 낮으면 대체 라벨을 붙입니다."),
        ),
        Param("fallback", "string", t("Fallback label", "대체 라벨"), default="other", expressions=False),
        result_param("category"),
    )

    def execute(self, ctx):
        from apps.ai.offline.classifiers import label_specs, zero_shot

        raw = {**{p.name: p.default for p in self.params}, **ctx.node.parameters}
        specs = label_specs(raw["labels"])
        out = []
        for _index, item, params in ctx.each():
            result = copy_item(item)
            found = zero_shot(text_of(params), specs, float(raw["min_score"] or 0), str(raw["fallback"] or "other"))
            set_path(result, params["result_field"] or "category", found)
            out.append(result)
        return {"main": out}


def _model_name(value) -> str:
    name = str(value or "").strip()
    if not name or len(name) > 100:
        raise NodeError(gettext_noop("Give the classifier a name of 1 to 100 characters."), code="ai_classifier_name")
    return name


@register
class TrainClassifier(NodeType):
    key = "ai.classifier_train"
    category = "transform"
    icon = "cpu"
    label = t("Train a classifier", "분류기 학습")
    description = t(
        "Learns to label texts from examples (the incoming items: a text field and a label field, e.g. from a sheet or "
        "a CSV). Each training saves a new version of the named classifier in the organization, for the step “Classify "
        "with a trained classifier”.",
        "예시(들어오는 항목의 텍스트 필드와 라벨 필드, 예: 시트나 CSV)로 텍스트 분류를 학습합니다. 학습할 때마다 이름 붙인 "
        "분류기의 새 버전이 조직에 저장되며 “학습한 분류기로 분류” 단계에서 씁니다.",
    )
    per_item = False
    side_effects = True  # saves a model version
    params = (
        Param("model", "string", t("Classifier name", "분류기 이름"), required=True, default="", expressions=False),
        Param("text_field", "string", t("Text field", "텍스트 필드"), default="text", expressions=False),
        Param("label_field", "string", t("Label field", "라벨 필드"), default="label", expressions=False),
    )

    def execute(self, ctx):
        from apps.ai.offline import classifiers

        params = ctx.params(0)
        name = _model_name(params["model"])
        texts, labels = [], []
        for item in ctx.items:
            text, label = get_path(item, params["text_field"]), get_path(item, params["label_field"])
            if text in (None, "") or label in (None, ""):
                continue
            texts.append(str(text)[:5000])
            labels.append(str(label).strip())
        distinct = set(labels)
        if len(texts) > classifiers.MAX_EXAMPLES or len(distinct) > classifiers.MAX_LABELS:
            raise NodeError(
                gettext_noop("A classifier learns from at most %(examples)s examples and %(labels)s labels."),
                code="ai_classifier_too_big",
                values={"examples": f"{classifiers.MAX_EXAMPLES:,}", "labels": str(classifiers.MAX_LABELS)},
            )
        if len(distinct) < 2:
            raise NodeError(
                gettext_noop("Training needs examples of at least two labels (found %(count)s) in the fields “%(text)s” and “%(label)s”."),
                code="ai_classifier_examples",
                values={"count": str(len(distinct)), "text": params["text_field"], "label": params["label_field"]},
            )
        model, accuracy = classifiers.train(texts, labels)
        version = classifiers.save(
            ctx.host,
            name=name,
            model=model,
            examples=len(texts),
            accuracy=accuracy,
            flow_id=ctx.executor.flow_meta.get("id"),
            run_id=ctx.executor.run_meta.get("id"),
        )
        return {"main": [{"model": name, "version": version, "labels": model.labels, "examples": len(texts), "accuracy": accuracy}]}


@register
class ClassifyTrained(NodeType):
    key = "ai.classifier_predict"
    category = "transform"
    icon = "tags"
    label = t("Classify with a trained classifier", "학습한 분류기로 분류")
    description = t(
        "Labels texts with a classifier the organization trained from its examples (the newest version, or the one you "
        "choose). Runs offline.",
        "조직이 예시로 학습한 분류기(최신 버전 또는 선택한 버전)로 텍스트에 라벨을 붙입니다. 오프라인으로 실행됩니다.",
    )
    params = (
        Param("model", "string", t("Classifier name", "분류기 이름"), required=True, default="", expressions=False),
        Param(
            "version",
            "integer",
            t("Version", "버전"),
            default=None,
            minimum=1,
            expressions=False,
            help=t("Empty: the newest.", "비워 두면 최신 버전입니다."),
        ),
        text_param(),
        result_param("category"),
    )

    def execute(self, ctx):
        from apps.ai.offline import classifiers

        raw = {**{p.name: p.default for p in self.params}, **ctx.node.parameters}
        version = int(raw["version"]) if raw.get("version") not in (None, "") else None
        model, number = classifiers.load(ctx.host, name=_model_name(raw["model"]), version=version)
        out = []
        for _index, item, params in ctx.each():
            result = copy_item(item)
            set_path(result, params["result_field"] or "category", {**model.predict(text_of(params)), "version": number})
            out.append(result)
        return {"main": out}
