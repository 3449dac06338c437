"""Celery and channel layers: Redis when REDIS_URL is set (scale-out), otherwise embedded transports."""

from .env import DATA_DIR, env

REDIS_URL = env.str("REDIS_URL", default="")
EZFLOW_MODE = "scale-out" if REDIS_URL else "embedded"

if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport, fixed so that a Redis restart does not stop the workers (see there).
    CELERY_BROKER_TRANSPORT = "ezflow_site.redis_broker:Transport"
    # A publish (a webhook's run) does not hang on an unreachable Redis: the run row is the outbox, and the
    # maintenance task publishes it again. Runs do not rely on the visibility timeout: their lease brings back a
    # killed worker's run within seconds (apps/runs/lease.py).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 10}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
else:
    # kombu's filesystem transport lets a separate worker process share the queue without a server.
    from ezflow_site.broker import transport_options

    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "ezflow_site.broker:Transport"  # kombu's, with atomic message files (see there)
    CELERY_BROKER_TRANSPORT_OPTIONS = transport_options(DATA_DIR / "broker")
    # Cross-process WebSocket events without a Redis server: PostgreSQL LISTEN/NOTIFY via channels-postgres.
    from .database import DATABASES as _databases

    _db = _databases["default"]
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "apps.runs.realtime.layers.EZFlowPostgresChannelLayer",  # channels-postgres, cheaper group sends
            "CONFIG": {
                "NAME": _db["NAME"],
                "USER": _db.get("USER", ""),
                "PASSWORD": _db.get("PASSWORD", ""),
                "HOST": _db.get("HOST", ""),
                "PORT": _db.get("PORT", ""),
                "TIME_ZONE": None,
                "OPTIONS": {},
                "CONN_MAX_AGE": 0,
                "CONN_HEALTH_CHECKS": False,
                "AUTOCOMMIT": True,
                "ATOMIC_REQUESTS": False,
                "expiry": 30,
            },
        }
    }

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
EZFLOW_WORKER_HEARTBEAT_SECONDS = env.float("EZFLOW_WORKER_HEARTBEAT_SECONDS", default=10.0)  # tests beat faster
EZFLOW_WORKER_STALE_AFTER_SECONDS = 45

# Queues (ezflow_site/queues.py routes tasks to them; ezflow_site/processes.py starts workers on them):
#   runs       runs whose steps are all quick (no waits, sleeps or child processes)
#   runs_slow  runs with a blocking step (code step, short in-place waits): never ahead of quick runs
#   maintenance  beat's periodic tasks (scheduler tick, stuck runs, pruning, alerts), never behind runs
#   default    everything else (emails, alert checks)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = ("ezflow_site.queues.route_task",)
EZFLOW_QUEUES = ("runs", "runs_slow", "maintenance", "default")

# Runs executing at once per organization (all workers together); a run over the limit goes back to its queue
# for a few seconds instead of taking a worker slot. One organization's burst cannot occupy every worker.
EZFLOW_WORKER_CONCURRENCY = env.int("EZFLOW_WORKER_CONCURRENCY", default=4)
EZFLOW_ORG_MAX_CONCURRENT_RUNS = env.int(
    "EZFLOW_ORG_MAX_CONCURRENT_RUNS", default=4 if REDIS_URL else max(EZFLOW_WORKER_CONCURRENCY - 1, 1)
)
# Runs with blocking steps executing at once on the whole platform (0 = no limit). Embedded mode has one worker
# for every queue, so half of its slots stay free for quick runs; scale-out gives runs_slow its own workers.
EZFLOW_BLOCKING_RUNS_MAX = env.int("EZFLOW_BLOCKING_RUNS_MAX", default=0 if REDIS_URL else max(EZFLOW_WORKER_CONCURRENCY // 2, 1))
# How long a deferred run waits before it asks for a slot again (grows with each deferral, up to the maximum).
EZFLOW_RUN_DEFER_SECONDS = env.float("EZFLOW_RUN_DEFER_SECONDS", default=1.0)
EZFLOW_RUN_DEFER_MAX_SECONDS = env.float("EZFLOW_RUN_DEFER_MAX_SECONDS", default=5.0)
# The longest any step may run, whatever its own timeout setting says (a code step's child process included):
# a worker slot is never held for longer by one step.
EZFLOW_MAX_STEP_TIMEOUT_SECONDS = env.int("EZFLOW_MAX_STEP_TIMEOUT_SECONDS", default=900)
# A prefork pool process that grew beyond this (kB) after a task is replaced by a fresh one (large outputs).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("EZFLOW_WORKER_MAX_MEMORY_KB", default=400_000)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("EZFLOW_WORKER_MAX_TASKS_PER_CHILD", default=1000)
CELERY_BEAT_SCHEDULE = {
    "scheduler-tick": {"task": "runs.scheduler_tick", "schedule": env.float("EZFLOW_SCHEDULER_SECONDS", default=5.0)},
    # polling triggers (apps/runs/services/polling.py): apart from schedules, so a slow feed never delays them
    "polling-tick": {"task": "runs.polling_tick", "schedule": env.float("EZFLOW_POLLING_SECONDS", default=15.0)},
    # the runs' outbox relay and lease check (apps/runs/services/scheduler.py requeue_stuck_runs)
    "maintain-runs": {"task": "runs.maintain", "schedule": env.float("EZFLOW_REQUEUE_SECONDS", default=5.0)},
    "prune-runs": {"task": "runs.prune", "schedule": 3600.0},
    "alerts": {"task": "notifications.periodic", "schedule": env.float("EZFLOW_ALERT_CHECK_SECONDS", default=30.0)},
    "marketplace-trending": {"task": "marketplace.trending_refresh", "schedule": 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
# Successful runs of flows with history off are counted in memory and written this often (apps/runs/services/tally.py).
EZFLOW_TALLY_FLUSH_SECONDS = env.float("EZFLOW_TALLY_FLUSH_SECONDS", default=1.0)
# A queued run untouched this long is queued again (safe: one advisory lock per run).
EZFLOW_STUCK_RUN_SECONDS = env.int("EZFLOW_STUCK_RUN_SECONDS", default=120)
# Leases (apps/runs/lease.py): a running run's worker renews it every third of this; once it lapses (the worker
# died) the maintenance task queues the run again. A queued run is published again when no worker took it within
# EZFLOW_RUN_QUEUED_LEASE_SECONDS (its publish failed or the broker lost it), then less and less often as it ages.
# Listening triggers (MQTT subscriptions, apps/runs/listeners.py): a supervisor thread in each worker keeps their
# connections; it looks for triggers switched on or off this often.
EZFLOW_LISTENERS_ENABLED = env.bool("EZFLOW_LISTENERS_ENABLED", default=True)
EZFLOW_LISTENER_SYNC_SECONDS = env.float("EZFLOW_LISTENER_SYNC_SECONDS", default=5.0)
EZFLOW_RUN_LEASE_SECONDS = env.float("EZFLOW_RUN_LEASE_SECONDS", default=15.0)
EZFLOW_RUN_QUEUED_LEASE_SECONDS = env.float("EZFLOW_RUN_QUEUED_LEASE_SECONDS", default=10.0)
# Runs the maintenance task queues again at most per pass (all organizations together).
EZFLOW_REQUEUE_BATCH = env.int("EZFLOW_REQUEUE_BATCH", default=1000)
# A run left unfinished this many times (worker killed, out of memory...) fails instead of starting again.
EZFLOW_RUN_MAX_RESTARTS = env.int("EZFLOW_RUN_MAX_RESTARTS", default=3)
# Repeated alerts with the same cause join one notification; email and Slack for it at most once per window.
EZFLOW_ALERT_WINDOW_SECONDS = env.int("EZFLOW_ALERT_WINDOW_SECONDS", default=900)
