"""The embedded broker (kombu's filesystem transport with atomic message files) neither loses nor repeats a message
while producers and consumers in other processes work on the same folder."""

import multiprocessing
import os
from pathlib import Path

import pytest
from kombu import Connection

from ezflow_site.broker import PARTIAL_SUFFIX, Transport, transport_options

MESSAGES = 1500


def connection(folder: Path) -> Connection:
    return Connection("filesystem://", transport=Transport, transport_options=transport_options(folder, polling_interval=0.01))


def produce(folder: str, start: int, count: int) -> None:
    with connection(Path(folder)) as conn:
        queue = conn.SimpleQueue("default")
        for number in range(start, start + count):
            queue.put({"n": number, "padding": "x" * 2000})  # big enough that a write is not instant
        queue.close()


def consume(folder: str, results, stop) -> None:
    with connection(Path(folder)) as conn:
        queue = conn.SimpleQueue("default")
        received = []
        while True:
            try:
                message = queue.get(timeout=0.05)
            except queue.Empty:
                if stop.is_set() and not any(name.endswith(".msg") for name in os.listdir(Path(folder) / "queue")):
                    break
                continue
            received.append(message.payload["n"])
            message.ack()
        queue.close()
        results.put(received)


def test_two_producers_and_two_consumers_in_other_processes_deliver_each_message_exactly_once(tmp_path):
    context = multiprocessing.get_context("spawn")
    results, stop = context.Queue(), context.Event()
    consumers = [context.Process(target=consume, args=(str(tmp_path), results, stop)) for _ in range(2)]
    producers = [context.Process(target=produce, args=(str(tmp_path), start, MESSAGES)) for start in (0, MESSAGES)]
    for process in consumers + producers:
        process.start()
    for process in producers:
        process.join(60)
        assert process.exitcode == 0
    stop.set()
    received = results.get(timeout=60) + results.get(timeout=60)
    for process in consumers:
        process.join(30)
        assert process.exitcode == 0  # kombu's own transport: JSONDecodeError on a file caught half-written
    assert sorted(received) == list(range(2 * MESSAGES))
    assert not list((tmp_path / "processed").iterdir())


def bind(folder: str, start) -> None:
    start.wait()
    with connection(Path(folder)) as conn:
        conn.SimpleQueue("default").close()


def test_processes_starting_at_once_bind_their_queue_without_reading_a_half_written_table(tmp_path):
    """Web processes and workers declare the queue when they start; kombu's own transport let one of them read the
    exchange table while another was creating it (empty) and fail to start."""
    context = multiprocessing.get_context("fork")
    for attempt in range(6):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        start = context.Barrier(6)
        binders = [context.Process(target=bind, args=(str(folder), start)) for _ in range(6)]
        for process in binders:
            process.start()
        for process in binders:
            process.join(30)
        assert [process.exitcode for process in binders] == [0] * 6, attempt
        with connection(folder) as conn:
            assert [q.queue for q in conn.default_channel.get_table("default")] == ["default"]


def test_a_message_being_written_is_not_taken_and_an_unreadable_one_is_kept(tmp_path, caplog):
    queue_folder = tmp_path / "queue"
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("default")
        # What a producer holds while it writes: never taken.
        (queue_folder / f"1_a.default.msg{PARTIAL_SUFFIX}").write_bytes(b"")
        with pytest.raises(queue.Empty):
            queue.get(timeout=0.1)
        # An unreadable message (kombu's own transport left empty ones) is kept aside, and the next one delivered.
        (queue_folder / "0_b.default.msg").write_bytes(b"")
        queue.put({"n": 1})
        assert queue.get(timeout=1).payload == {"n": 1}
        queue.close()
    assert (tmp_path / "processed" / "0_b.default.msg.broken").exists()
    assert "could not be read" in caplog.text


def test_an_empty_exchange_table_left_by_kombus_transport_is_rebuilt(tmp_path):
    (tmp_path / "control").mkdir()
    (tmp_path / "control" / "default.exchange").write_bytes(b"")  # what kombu's transport showed while creating it
    Transport.global_state.clear()  # as in a process starting now (bindings are remembered per process)
    with connection(tmp_path) as conn:
        queue = conn.SimpleQueue("default")
        queue.put({"n": 2})
        assert queue.get(timeout=1).payload == {"n": 2}
        queue.close()
