from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The composition root as an app: every Django process (web, worker, tests) gets the Celery app when it loads,
    so tasks queued from anywhere use EZFlow's broker settings."""

    name = "ezflow_site"
    label = "ezflow_site"

    def ready(self):
        from ezflow_site import celery  # noqa: F401
