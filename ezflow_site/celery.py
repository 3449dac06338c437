import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")
# Django's system checks run with every migrate (ezflow_setup, deployments) and in the tests; run again at worker
# start they load every URL and view (GraphQL, OpenAPI...), which a worker never serves: tens of MB per worker.
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

app = CeleryApp("ezflow")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _install_worker_parts(app):
    import click
    from celery.signals import task_postrun, worker_process_init

    from apps.core.worker import BeatThreadStep, HeartbeatStep, forget_inherited_connections, return_memory

    app.steps["worker"].add(HeartbeatStep)
    app.steps["worker"].add(BeatThreadStep)
    app.user_options["worker"].add(
        click.Option(["--beat-thread"], is_flag=True, default=False, help="Run the periodic scheduler in a thread of this worker.")
    )
    worker_process_init.connect(forget_inherited_connections, weak=False)
    task_postrun.connect(return_memory, weak=False)


_install_worker_parts(app)
