from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "apps.flows"
    label = "flows"

    def ready(self):
        from django.conf import settings

        from apps.core.discovery import import_submodules
        from apps.flows.engine.schema import set_step_timeout_limit

        set_step_timeout_limit(settings.EZFLOW_MAX_STEP_TIMEOUT_SECONDS)

        # Trigger kinds first: a trigger step is checked against its kind when it registers.
        import_submodules("apps.flows.triggers.builtin")
        import_submodules("apps.flows.nodes.builtin")
        import apps.flows.credential_kinds.builtin  # noqa: F401  (registers the built-in credential kinds)
        from apps.core.crypto import register_rotator
        from apps.flows.services.credentials import credentials_rotate

        register_rotator("credentials", credentials_rotate, label="credential(s)")

        from apps.flows import dashboard

        dashboard.register()
