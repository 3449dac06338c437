"""The embedded mode's message broker: kombu's filesystem transport, with messages that appear whole.

kombu's own transport creates the message file and then writes into it, while a consumer takes any file it sees:
a worker polling at that moment took an empty file, failed to decode it (the consumer loop stopped taking tasks)
and the message written after the move was deleted with it. Here a message is written under a name no consumer
matches and renamed into place, which is atomic on one file system. A file that still cannot be decoded is kept
beside the processed ones (`.broken`) and logged, never dropped silently, and the consumer goes on.

The exchange tables (which queue is bound to which exchange) had the same race when several processes start at
once: one created the table file empty and another read it before the first wrote it. They are changed under one
lock file per exchange and replaced by rename, so a reader always sees a whole table.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem, virtual
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger("ezflow.broker")

PARTIAL_SUFFIX = ".part"


def transport_options(folder: Path, *, polling_interval: float = 0.1) -> dict:
    """Celery's broker_transport_options for a broker folder (created if missing): one queue folder for in and out,
    and the control and processed folders beside it (on the same file system, as the renames need)."""
    for name in ("queue", "control", "processed"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
        "polling_interval": polling_interval,
    }  # "<ms>_<uuid>.<queue>.msg.part" never matches the "<queue>.msg" a consumer looks for


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL_SUFFIX
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue):
        wanted = f"{queue}.msg"
        # Always through the processed folder beside the queue: a rename on one file system, so exactly one consumer
        # wins a message (kombu's default, the system temp folder, may be another file system: copy, then delete).
        processed = self.processed_folder
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            taken = os.path.join(processed, name)
            try:
                shutil.move(os.path.join(self.data_folder_in, name), processed)
            except OSError:
                continue  # another consumer took it first
            try:
                with open(taken, "rb") as file:
                    payload = file.read()
            except OSError as exc:
                raise ChannelError(f"Cannot read file {taken!r} from queue.") from exc
            try:
                message = loads(bytes_to_str(payload))
            except ValueError:
                kept = os.path.join(self.processed_folder, name + ".broken")
                shutil.move(taken, kept)
                logger.error("broker message could not be read; kept for inspection", extra={"path": kept})
                continue
            if not self.store_processed:
                os.remove(taken)
            return message
        raise Empty()

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._change_table(exchange, lambda queues: queues if entry in queues else [entry, *queues])

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        virtual.Channel._delete(self, queue, exchange, routing_key, pattern, *args, **kwargs)
        entry = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        self._change_table(exchange, lambda queues: [q for q in queues if q != entry])

    def _change_table(self, exchange, change) -> None:
        table = self._exchange_file(exchange)
        self.control_folder.mkdir(exist_ok=True)
        try:
            with open(table.with_name(table.name + ".lock"), "ab") as guard:
                filesystem.lock(guard, filesystem.LOCK_EX)
                try:
                    try:
                        queues = [filesystem.exchange_queue_t(*q) for q in loads(bytes_to_str(table.read_bytes()))]
                    except FileNotFoundError:
                        queues = []
                    except ValueError:  # left half-written by kombu's own transport: every process binds again
                        logger.warning("broker exchange table could not be read; rebuilt", extra={"path": str(table)})
                        queues = []
                    changed = change(queues)
                    if changed != queues or not table.exists():
                        partial = table.with_name(f"{table.name}.{uuid.uuid4().hex}{PARTIAL_SUFFIX}")
                        partial.write_bytes(str_to_bytes(dumps(changed)))
                        os.replace(partial, table)
                finally:
                    filesystem.unlock(guard)
        except OSError as exc:
            raise ChannelError(f"Cannot open {table}") from exc


class Transport(filesystem.Transport):
    Channel = Channel
