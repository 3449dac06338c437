import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

# WebSocket routes (live run status) join this router with the monitoring work.
application = ProtocolTypeRouter({"http": django_asgi_app})
