import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from apps.runs.realtime.consumer import LiveConsumer  # noqa: E402
from apps.runs.webhooks.asgi import WebhookRoute  # noqa: E402

# Everything imported so far lives as long as the process: keep it out of the cyclic garbage collector, whose full
# passes over Django's object graph showed up as latency spikes under load (see bench/README.md, webhook).
gc.collect()
gc.freeze()

application = ProtocolTypeRouter(
    {
        # /webhook/ calls skip Django's middleware stack (see apps.runs.webhooks.asgi); everything else is Django.
        "http": WebhookRoute(django_asgi_app),
        # The organization and the person are resolved inside the consumer (see apps.runs.realtime.auth).
        "websocket": AllowedHostsOriginValidator(URLRouter([path("ws/", LiveConsumer.as_asgi())])),
    }
)
