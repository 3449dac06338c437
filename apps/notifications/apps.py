from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"

    def ready(self):
        from apps.notifications import live_pages, receivers
        from apps.runs.events import run_finished
        from apps.runs.realtime.pages import live_pages as registry

        run_finished.connect(receivers.alerts_after_run, dispatch_uid="ezflow.notifications.alerts_after_run")
        registry.register(live_pages.NotificationsPage())
