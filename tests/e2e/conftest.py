import os

import pytest

from tests.support.stack import Stack


@pytest.fixture(scope="session")
def embedded_stack(django_db_setup):
    stack = Stack(mode="embedded").start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def redis_url(worker_id):
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: scale-out tests skipped")
    import redis

    # A Redis database of its own per xdist worker, emptied first, so parallel stacks never share a queue.
    index = 10 + (int(worker_id[2:]) if worker_id.startswith("gw") else 0)
    base = url.rsplit("/", 1)[0] if url.count("/") > 2 else url
    scoped = f"{base}/{index}"
    redis.Redis.from_url(scoped).flushdb()
    return scoped
