from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"

    def ready(self):
        from apps.core.crypto import register_rotator
        from apps.flows.events import credential_needs_reconnect
        from apps.notifications import live_pages, receivers
        from apps.notifications.services.rules import alert_rules_rotate_secrets
        from apps.runs.events import run_finished
        from apps.runs.realtime.pages import live_pages as registry

        run_finished.connect(receivers.alerts_after_run, dispatch_uid="ezflow.notifications.alerts_after_run")
        credential_needs_reconnect.connect(receivers.credential_alert, dispatch_uid="ezflow.notifications.credential_alert")
        registry.register(live_pages.NotificationsPage())
        register_rotator("alert_slack_addresses", alert_rules_rotate_secrets, label="alert Slack address(es)")
