from .env import env

# JSON lines by default (organization, flow, run and node ids included); EZFLOW_LOG_FORMAT=plain for reading by eye.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "apps.core.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": env.str("EZFLOW_LOG_FORMAT", default="json")}},
    "root": {"handlers": ["console"], "level": env.str("EZFLOW_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        # httpx logs each request's full address at INFO: keys that services take in the query (data.go.kr's
        # serviceKey) would reach the logs.
        "httpx2": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
    },
}
