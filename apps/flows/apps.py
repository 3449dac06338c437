from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "apps.flows"
    label = "flows"

    def ready(self):
        from apps.core.crypto import register_rotator
        from apps.flows.services.credentials import credentials_rotate

        register_rotator("credentials", credentials_rotate, label="credential(s)")
