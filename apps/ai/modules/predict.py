"""Items through one version of a module: ONNX in the limited child (runner.Session) or a model server (remote).
Used by the step `ai.module`, the module page's test form and the API; pure of Django except for reading the model
bytes lazily through `model_bytes`."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from apps.ai.modules import describe, remote
from apps.flows.nodes.builtin.common import get_path


@dataclass
class Version:
    """What predicting needs of a stored version (AiModuleVersion or the engine's LocalHost copy)."""

    module: str
    number: int
    kind: str
    spec: dict
    signature: dict
    sha256: str = ""
    endpoint: dict = field(default_factory=dict)
    model_bytes: Callable[[], bytes] | bytes | None = None


class Predictor:
    """Keeps one child process for a whole step; `close` gives it back to the worker's warm pool."""

    def __init__(self, ctx, *, warm: bool, headers: dict | None = None, secret_headers=frozenset()):
        self.ctx = ctx
        self.warm = warm
        self.headers = headers or {}
        self.secret_headers = secret_headers
        self._session = None

    def _infer(self, version: Version, inputs: dict) -> dict:
        if version.kind == "http":
            timeout = max(min(30.0, self.ctx.seconds_left()), 1.0)
            return remote.infer(
                self.ctx, version.endpoint, inputs, headers=self.headers, secret_headers=self.secret_headers, timeout=timeout
            )
        if self._session is None:
            from apps.ai.modules.runner import Session

            self._session = Session(warm=self.warm)
        return self._session.run(sha=version.sha256, model_bytes=version.model_bytes, inputs=inputs)

    def predict(self, version: Version, items: list[tuple[int, dict]]) -> list[tuple[dict, float]]:
        """(result, milliseconds) per item, in order. A batch's time is shared equally by its items."""
        spec, signature = version.spec, version.signature
        batched = describe.batches(signature, spec) and len(items) > 1
        groups = [items[i : i + describe.BATCH] for i in range(0, len(items), describe.BATCH)] if batched else [[pair] for pair in items]
        found: list[tuple[dict, float]] = []
        for group in groups:
            if hasattr(self.ctx, "check_deadline"):
                self.ctx.check_deadline()
            inputs = describe.inputs_for(spec, group, get_path)
            started = time.perf_counter()
            outputs = self._infer(version, inputs)
            spent = self._session.last_ms if version.kind != "http" else (time.perf_counter() - started) * 1000
            elapsed = spent / len(group)
            for row in range(len(group)):
                sliced = {name: describe.row_of(value, row, batched) for name, value in outputs.items()}
                if not batched and spec["input"] != "tensor":
                    sliced = {name: describe.row_of(value, 0, True) for name, value in sliced.items()}
                result = describe.result(spec, signature.get("outputs") or [], sliced)
                found.append(({**result, "module": version.module, "version": version.number}, round(elapsed, 3)))
        return found

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None


def goes_to_candidate(share: int, *, seed: str, index: int) -> bool:
    """The same item of the same run always goes the same way (a replayed run compares the same items)."""
    if share <= 0:
        return False
    if share >= 100:
        return True
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < share
