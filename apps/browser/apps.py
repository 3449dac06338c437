from django.apps import AppConfig


class BrowserConfig(AppConfig):
    """Steps that drive a headless Chromium on the worker (open, click, type, read, screenshot, download, a sequence
    of these in one session) and the "website login" credential kind (docs/browser.md)."""

    name = "apps.browser"
    label = "browser"
    verbose_name = "Browser"

    def ready(self):
        from apps.browser import credential_kinds  # noqa: F401
        from apps.core.discovery import import_submodules

        import_submodules(f"{self.name}.nodes.builtin")

        from celery.signals import task_prerun

        from apps.browser.runner import mark_worker

        # Only processes that run tasks keep a warm browser between sessions (apps/browser/runner.py).
        task_prerun.connect(mark_worker, weak=False)
