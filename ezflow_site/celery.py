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
    from celery.signals import task_postrun, worker_process_init, worker_ready, worker_shutdown

    from apps.core.worker import BeatThreadStep, HeartbeatStep, forget_inherited_connections, return_memory

    app.steps["worker"].add(HeartbeatStep)
    app.steps["worker"].add(BeatThreadStep)
    app.user_options["worker"].add(
        click.Option(["--beat-thread"], is_flag=True, default=False, help="Run the periodic scheduler in a thread of this worker.")
    )
    worker_process_init.connect(forget_inherited_connections, weak=False)
    task_postrun.connect(return_memory, weak=False)
    # Listening triggers (MQTT subscriptions): a supervisor thread in the worker's main process, after the pool forked.
    worker_ready.connect(_start_listeners, weak=False)
    worker_shutdown.connect(_stop_listeners, weak=False)


def _start_listeners(**_):
    from apps.runs.listeners import start_in_worker

    start_in_worker()


def _stop_listeners(**_):
    from apps.runs.listeners import stop_in_worker

    stop_in_worker()


_install_worker_parts(app)
