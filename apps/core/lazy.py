"""A module imported on first use: heavy libraries that only some steps need (the Anthropic SDK, paramiko) stay out of
web processes and workers that never run those steps."""

from __future__ import annotations

import importlib


class LazyModule:
    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)
