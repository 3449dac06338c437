from django.db.models import QuerySet

from apps.flows.models import Credential, Flow, FlowVersion


def flow_list() -> QuerySet[Flow]:
    return Flow.objects.select_related("published_version")


def version_list(*, flow: Flow) -> QuerySet[FlowVersion]:
    return flow.versions.all()


def credential_list() -> QuerySet[Credential]:
    return Credential.objects.all()
