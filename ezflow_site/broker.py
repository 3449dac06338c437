"""The embedded mode's message broker: kombu's filesystem transport, with messages that appear whole.

kombu's own transport creates the message file and then writes into it, while a consumer takes any file it sees:
a worker polling at that moment took an empty file, failed to decode it (the consumer loop stopped taking tasks)
and the message written after the move was deleted with it. Here a message is written under a name no consumer
matches and renamed into place, which is atomic on one file system. A file that still cannot be decoded is kept
beside the processed ones (`.broken`) and logged, never dropped silently, and the consumer goes on.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from queue import Empty
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger("ezflow.broker")

PARTIAL_SUFFIX = ".part"  # "<ms>_<uuid>.<queue>.msg.part" never matches the "<queue>.msg" a consumer looks for


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


class Transport(filesystem.Transport):
    Channel = Channel
