from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "apps.assistant"
    label = "assistant"

    def ready(self):
        from apps.assistant.live_pages import AssistantPage
        from apps.runs.realtime.pages import live_pages

        live_pages.register(AssistantPage())

        from apps.assistant import dashboard

        dashboard.register()
