# The Celery app is created when Django loads its apps (ezflow_site.apps), not on import of this package: the
# launcher imports modules of this package too, and must not carry Celery and Django while it only supervises.


def __getattr__(name):
    if name == "celery_app":
        from .celery import app

        return app
    raise AttributeError(name)
