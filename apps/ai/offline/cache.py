"""Models loaded once per process, on first use: a web process that only shows the step catalogue never pays for
them, and a worker's threads share one copy."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

_loaded: dict[str, Any] = {}
_lock = threading.Lock()


def model(name: str, load: Callable[[], Any]) -> Any:
    found = _loaded.get(name)
    if found is not None:
        return found
    with _lock:  # two threads asking at once load it once
        found = _loaded.get(name)
        if found is None:
            found = _loaded[name] = load()
    return found


def loaded() -> list[str]:
    return sorted(_loaded)
