from django.apps import AppConfig


class AiConfig(AppConfig):
    """Steps that ask language models (Anthropic, any OpenAI-compatible server), their credential kinds, the model
    providers' registry and the usage and budget of each organization (docs/ai.md)."""

    name = "apps.ai"
    label = "ai"
    verbose_name = "AI"

    def ready(self):
        from apps.core.discovery import import_submodules

        import_submodules(f"{self.name}.providers")
        from apps.ai import credential_kinds  # noqa: F401

        import_submodules(f"{self.name}.nodes.builtin")
        from apps.core.graphql.registry import graphql_registry

        graphql_registry.contribute(self.label, "apps.ai.graphql.schema")
        from apps.ai.run_sections import SECTION
        from apps.runs.sections import run_sections

        run_sections.register(SECTION)
        from apps.ai.streaming import AiStreamPage
        from apps.runs.realtime.pages import live_pages

        live_pages.register(AiStreamPage())
        from celery.signals import task_prerun

        from apps.ai.modules.runner import mark_worker

        # Any process that executes Celery tasks (a threads worker, each prefork pool process) keeps its ONNX children
        # warm; Django may be set up while the worker's start signals are being sent, so a task's start is the mark.
        task_prerun.connect(mark_worker, weak=False)
