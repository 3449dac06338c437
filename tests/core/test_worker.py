"""Worker parts: memory given back after a task, a threads worker over its limit stops to be replaced."""

import threading

import pytest
from celery.worker import state

from apps.core import worker


@pytest.fixture
def resident(monkeypatch, settings):
    settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD = 400_000
    sizes = {"kb": 0}
    trims = []
    monkeypatch.setattr(worker, "_resident_kb", lambda: sizes["kb"])
    monkeypatch.setattr(worker._libc, "malloc_trim", lambda pad: trims.append(pad), raising=False)
    monkeypatch.setattr(state, "should_stop", None)
    return sizes, trims


def in_pool_thread(function):
    thread = threading.Thread(target=function)
    thread.start()
    thread.join()


def test_a_small_worker_is_left_alone(resident):
    sizes, trims = resident
    sizes["kb"] = 150_000
    in_pool_thread(worker.return_memory)
    assert trims == [] and state.should_stop is None


def test_a_grown_worker_gives_memory_back_and_keeps_running_when_that_is_enough(resident):
    sizes, trims = resident
    sizes["kb"] = 300_000
    in_pool_thread(worker.return_memory)
    assert trims == [0] and state.should_stop is None


def test_a_threads_worker_still_over_its_limit_stops_warmly_to_be_replaced(resident):
    sizes, trims = resident
    sizes["kb"] = 500_000
    in_pool_thread(worker.return_memory)
    assert trims == [0] and state.should_stop == 0  # a warm shutdown: running tasks finish, the launcher restarts it


def test_a_prefork_pool_process_is_left_to_celery_s_own_limit(resident):
    sizes, trims = resident
    sizes["kb"] = 500_000
    worker.return_memory()  # pool processes run tasks in their main thread; worker_max_memory_per_child replaces them
    assert trims == [0] and state.should_stop is None
