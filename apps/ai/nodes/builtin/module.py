"""The step that runs one of the organization's AI modules (apps/ai/modules): an uploaded ONNX model, run in a
limited child process, or a model server. One registered step for every module: the module is a parameter, and the
form's meaning (which item fields feed the model, what comes out) is the module's description."""

from __future__ import annotations

from apps.flows.engine.errors import EngineError, NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param, t
from apps.flows.nodes.builtin.common import copy_item, set_path
from apps.flows.nodes.builtin.network import AuthenticationOptions, apply_auth
from apps.flows.nodes.registry import register


def _missing(reference, version=None) -> NodeError:
    if version:
        return NodeError(
            gettext_noop("The AI module “%(module)s” has no version %(version)s."),
            code="ai_module_missing",
            values={"module": str(reference), "version": str(version)},
        )
    return NodeError(
        gettext_noop("There is no AI module “%(module)s” in this organization. Upload it on the AI modules page."),
        code="ai_module_missing",
        values={"module": str(reference)},
    )


@register
class RunModule(NodeType):
    key = "ai.module"
    category = "transform"
    icon = "cpu"
    label = t("Run an AI module", "AI 모듈 실행")
    description = t(
        "Runs a model your organization uploaded (ONNX) or connected (a KServe or TensorFlow Serving server) on each "
        "item: the module's description says which fields go in and what comes out (label, scores, outputs).",
        "조직이 올린 모델(ONNX)이나 연결한 모델 서버(KServe, TensorFlow Serving)를 각 항목에 실행합니다. 어떤 필드가 "
        "들어가고 무엇이 나오는지(라벨, 점수, 출력)는 모듈 설명에 따릅니다.",
    )
    aliases = ("onnx", "model", "모델", "추론", "inference", "kserve", "tensorflow")
    per_item = False
    blocking = True  # a child process runs the model
    params = (
        Param(
            "module",
            "string",
            t("AI module", "AI 모듈"),
            required=True,
            default="",
            expressions=False,
            help=t("The module's name (or number) on the AI modules page.", "AI 모듈 화면에 나오는 모듈 이름(또는 번호)입니다."),
            picker="ai_module",
        ),
        Param(
            "version",
            "integer",
            t("Version", "버전"),
            default=None,
            minimum=1,
            expressions=False,
            picker="ai_module_version",
            help=t(
                "Empty: the module's active version (and its candidate for the share of items set on the module's page).",
                "비워 두면 모듈의 사용 중인 버전을 씁니다(모듈 화면에서 정한 비율만큼은 후보 버전).",
            ),
        ),
        Param("result_field", "string", t("Put the result in the field", "결과를 넣을 필드"), default="prediction", expressions=False),
        Param(
            "authentication",
            "select",
            t("Authentication (model servers)", "인증(모델 서버)"),
            default="none",
            expressions=False,
            options=AuthenticationOptions(),
        ),
        Param("credential", "credential", t("Credential", "자격 증명"), default="", expressions=False),
    )

    def execute(self, ctx):
        raw = {**{p.name: p.default for p in self.params}, **ctx.node.parameters}
        reference = str(raw.get("module") or "").strip()
        pinned = int(raw["version"]) if raw.get("version") not in (None, "") else None
        if getattr(ctx.host, "organization", None) is None:
            raise _missing(reference)
        from apps.ai.modules import selectors

        module = selectors.module_find(reference)
        if module is None:
            raise _missing(reference)
        active_row = selectors.module_version(module=module, number=pinned)
        if active_row is None:
            raise _missing(reference, pinned or module.active_version)
        candidate_row = None
        if pinned is None and module.candidate_version and module.candidate_share > 0:
            candidate_row = selectors.module_version(module=module, number=module.candidate_version)
        headers, query = {}, {}
        if module.kind == "http":
            apply_auth(ctx, raw, headers, query)
        return {"main": self._run(ctx, raw, module, active_row, candidate_row, headers)}

    def _run(self, ctx, raw, module, active_row, candidate_row, headers) -> list[dict]:
        from apps.ai.modules import describe, predict, selectors, services

        pairs = [(index, item) for index, item, _params in ctx.each()]
        run_id = ctx.executor.run_meta.get("id")
        seed = f"{run_id}:{ctx.node.id}:{ctx.run_index}"
        active = selectors.version_for_prediction(active_row, module)
        predictor = predict.Predictor(ctx, warm=True, headers=headers, secret_headers=frozenset(headers))
        try:
            results = dict(zip([index for index, _ in pairs], predictor.predict(active, pairs), strict=True))
            chosen = (
                [pair for pair in pairs if predict.goes_to_candidate(module.candidate_share, seed=seed, index=pair[0])]
                if candidate_row is not None
                else []
            )
            comparisons, from_candidate = [], {}
            if chosen:
                candidate = selectors.version_for_prediction(candidate_row, module)
                try:
                    found = predictor.predict(candidate, chosen)
                    error = ""
                except EngineError as failure:
                    found, error = [(None, None)] * len(chosen), str(failure)[:500]
                for (index, _item), (result, ms) in zip(chosen, found, strict=True):
                    active_result, active_ms = results[index]
                    if result is not None:
                        from_candidate[index] = (result, ms)
                    comparisons.append(
                        {
                            "active_version": active.number,
                            "candidate_version": candidate.number,
                            "active_result": _without_outputs(active_result),
                            "candidate_result": _without_outputs(result),
                            "active_ms": active_ms,
                            "candidate_ms": ms,
                            "agree": describe.agree(active_result, result),
                            "error": error,
                        }
                    )
        finally:
            predictor.close()
        services.comparisons_record(module_id=module.pk, rows=comparisons, flow_id=ctx.executor.flow_meta.get("id"), run_id=run_id)
        out = []
        field = raw.get("result_field") or "prediction"
        for index, item in pairs:
            result, ms = from_candidate.get(index) or results[index]
            copied = copy_item(item)
            set_path(copied, field, {**result, "ms": ms})
            out.append(copied)
        return out


def _without_outputs(result: dict | None) -> dict | None:
    """What the comparison view shows: the label and scores, and the raw outputs only when they are small."""
    if result is None:
        return None
    kept = {k: v for k, v in result.items() if k != "outputs"}
    if len(str(result.get("outputs"))) <= 2000:
        kept["outputs"] = result.get("outputs")
    return kept
