from django.db.models import QuerySet

from apps.runs.models import Run


def run_list(*, flow_id=None, status=None, trigger=None) -> QuerySet[Run]:
    runs = Run.objects.select_related("flow", "version")
    if flow_id and str(flow_id).isdigit():
        runs = runs.filter(flow_id=int(flow_id))
    if status:
        runs = runs.filter(status=status)
    if trigger:
        runs = runs.filter(trigger=trigger)
    return runs
