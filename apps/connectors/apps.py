from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    """Services EZFlow talks to (Kakao, Naver, Toss, public data, Google, ...): one package per service under
    `catalog/`, each registering its steps, trigger kinds and credential kinds through the flows registries."""

    name = "apps.connectors"
    label = "connectors"

    def ready(self):
        from apps.core.discovery import import_submodules

        import_submodules(f"{self.name}.catalog")

        from apps.connectors.catalog.telegram import keep_webhook_in_step
        from apps.flows.events import flow_live_changed

        flow_live_changed.connect(keep_webhook_in_step, dispatch_uid="ezflow.connectors.telegram_webhook")
