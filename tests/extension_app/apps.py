from django.apps import AppConfig


class ExtensionAppConfig(AppConfig):
    name = "tests.extension_app"
    label = "extension_app"

    def ready(self):
        from apps.core.discovery import import_submodules

        import_submodules(f"{self.name}.extensions")
