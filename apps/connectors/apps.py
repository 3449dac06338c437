from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    """Services EZFlow talks to (Kakao, Naver, Toss, public data, Google, ...): one package per service under
    `catalog/`, each registering its steps, trigger kinds and credential kinds through the flows registries."""

    name = "apps.connectors"
    label = "connectors"

    def ready(self):
        from apps.core.discovery import import_submodules

        import_submodules(f"{self.name}.catalog")
