from django.apps import AppConfig


class RunsConfig(AppConfig):
    name = "apps.runs"
    label = "runs"

    def ready(self):
        from apps.flows.triggers.registry import trigger_kinds
        from apps.runs.services.scheduler import schedule_remove, schedule_sync

        # Scheduled flows are started by this app's scheduler; flows only announces that a flow changed.
        trigger_kinds.get("schedule").connect(sync=schedule_sync, remove=schedule_remove)
