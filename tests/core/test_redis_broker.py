"""Workers survive a Redis restart (issue 12, break 13): kombu's Redis transport crashed with
AttributeError("'NoneType' object has no attribute 'hostname'") when a channel restored its unacknowledged messages
after its connection had been closed; ezflow_site.redis_broker keeps the channel's connection settings."""

import os

import pytest
from kombu import Connection, Exchange, Queue

pytestmark = pytest.mark.scaleout


@pytest.fixture
def redis_url():
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: Redis broker tests skipped")
    import redis

    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    scoped = f"{url.rsplit('/', 1)[0] if url.count('/') > 2 else url}/{8 + int(worker[2:])}"  # the e2e stacks use 10 and up
    redis.Redis.from_url(scoped).flushdb()
    return scoped


QUEUE = Queue("restart-test", Exchange("restart-test"), "restart-test")


def deliver_then_lose_the_connection(url: str, transport: str | None):
    """What the worker's consumer goes through when Redis restarts: a message delivered and not acknowledged yet,
    the connection closed (the transport forgets its settings), then the channel closed, which restores it."""
    connection = Connection(url, transport=transport)
    channel = connection.channel()
    QUEUE(channel).declare()
    connection.Producer(channel).publish({"run": 7}, exchange=QUEUE.exchange, routing_key="restart-test", declare=[QUEUE])
    assert QUEUE(channel).get(no_ack=False).payload == {"run": 7}
    connection._do_close_transport()
    channel.close()


def test_kombus_own_transport_has_the_bug_this_works_around(redis_url):
    with pytest.raises(AttributeError, match="hostname"):
        deliver_then_lose_the_connection(redis_url, None)


def test_the_unacknowledged_message_is_restored_and_nothing_crashes(redis_url):
    deliver_then_lose_the_connection(redis_url, "ezflow_site.redis_broker:Transport")
    with Connection(redis_url, transport="ezflow_site.redis_broker:Transport") as connection:
        message = QUEUE(connection.channel()).get(no_ack=True)
    assert message is not None and message.payload == {"run": 7}


def test_scale_out_settings_select_it():
    from django.conf import settings as django_settings

    if not django_settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    assert django_settings.CELERY_BROKER_TRANSPORT == "ezflow_site.redis_broker:Transport"
