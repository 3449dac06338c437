from django.db.models import F, Func, OuterRef, QuerySet, Subquery

from apps.flows.models import Credential, Flow, FlowVersion


def flow_list() -> QuerySet[Flow]:
    return Flow.objects.select_related("published_version")


def flow_list_with_last_run(*, search: str = "", tag: str = "") -> QuerySet[Flow]:
    """Flows for the list page, each annotated with its newest run's id, status and time (correlated subqueries, no N+1)."""
    from apps.runs.models import Run

    newest = Run.objects.filter(flow=OuterRef("pk")).order_by("-created_at", "-id")
    flows = (
        flow_list()
        .defer("draft", "published_version__graph")
        .annotate(
            last_run_id=Subquery(newest.values("id")[:1]),
            last_run_status=Subquery(newest.values("status")[:1]),
            last_run_at=Subquery(newest.values("created_at")[:1]),
        )
    )
    if search:
        flows = flows.filter(name__icontains=search)
    if tag:
        flows = flows.filter(tags__contains=[tag])
    return flows


def flow_tag_list() -> list[str]:
    """Every tag used by a flow of the organization, sorted."""
    tags = Flow.objects.annotate(tag=Func(F("tags"), function="unnest")).order_by().values_list("tag", flat=True).distinct()
    return sorted(tags, key=str.lower)


def version_list(*, flow: Flow) -> QuerySet[FlowVersion]:
    return flow.versions.all()


def credential_list() -> QuerySet[Credential]:
    return Credential.objects.all()
