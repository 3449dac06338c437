from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"

    def ready(self):
        from apps.core.crypto import register_rotator
        from apps.notifications.services.rules import alert_rules_rotate_secrets

        register_rotator("alert_slack_addresses", alert_rules_rotate_secrets, label="alert Slack address(es)")
