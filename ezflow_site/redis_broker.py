"""The scale-out broker: kombu's Redis transport, surviving a Redis restart.

When Redis goes away, Celery closes the broker connection, and kombu's `Connection._do_close_transport` clears
the transport's `client` (the connection settings). Closing the channel afterwards restores the messages it
delivered but that were not acknowledged yet, which needs a new Redis connection pool, whose settings kombu
reads from that cleared `client`: `AttributeError: 'NoneType' object has no attribute 'hostname'` (kombu 5.7,
transport/redis.py `Channel._connparams`). The error is not one of the transport's connection errors, so the worker
exited ("Unrecoverable error") instead of reconnecting.

Here each channel keeps the connection settings it was opened with and uses them once the transport has lost its
own, so the restore succeeds when Redis is back, and a restore that fails because Redis is still away is logged and
left to the next owner of the messages (they stay in Redis' unacked set; runs are also brought back by their
lease, apps/runs/lease.py). Selected by settings (CELERY_BROKER_TRANSPORT) whenever REDIS_URL is set.
"""

from __future__ import annotations

import logging

from kombu.transport import redis

logger = logging.getLogger("ezflow.broker")


class QoS(redis.QoS):
    def restore_unacked(self, client=None):
        try:
            return super().restore_unacked(client)
        except self.channel.connection_errors:
            logger.warning("unacknowledged messages not restored now (Redis unavailable); they stay in Redis", exc_info=True)
            return None


class Channel(redis.Channel):
    QoS = QoS

    def __init__(self, *args, **kwargs):
        connection = args[0] if args else kwargs["connection"]
        self._conninfo = connection.client  # kept: the transport forgets it when its connection closes
        super().__init__(*args, **kwargs)

    def _connparams(self, asynchronous=False):
        if self.connection.client is not None or self._conninfo is None:
            return super()._connparams(asynchronous=asynchronous)
        transport = self.connection
        transport.client = self._conninfo
        try:
            return super()._connparams(asynchronous=asynchronous)
        finally:
            transport.client = None


class Transport(redis.Transport):
    Channel = Channel

    @property
    def supports_batch_publish(self):
        if self.client is None:  # closed: nothing is published through it any more
            return False
        return super().supports_batch_publish
