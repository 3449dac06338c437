import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")

app = CeleryApp("ezflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _install_heartbeat(app):
    from apps.core.worker import HeartbeatStep

    app.steps["worker"].add(HeartbeatStep)


_install_heartbeat(app)
