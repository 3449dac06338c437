from django.db.models import F, Func, QuerySet

from apps.flows.models import Credential, Flow, FlowSavedState, FlowVersion


def flow_list() -> QuerySet[Flow]:
    return Flow.objects.select_related("published_version")


def flow_tag_list() -> list[str]:
    """Every tag used by a flow of the organization, sorted."""
    tags = Flow.objects.annotate(tag=Func(F("tags"), function="unnest")).order_by().values_list("tag", flat=True).distinct()
    return sorted(tags, key=str.lower)


def version_list(*, flow: Flow) -> QuerySet[FlowVersion]:
    return flow.versions.all()


def credential_list() -> QuerySet[Credential]:
    return Credential.objects.all()


def flow_state_get(*, flow_id) -> dict:
    """The flow's saved state ($getWorkflowStaticData), {} when it has none."""
    row = FlowSavedState.objects.filter(flow_id=flow_id).values_list("data", flat=True).first() if flow_id else None
    return row if isinstance(row, dict) else {}
