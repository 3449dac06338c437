"""Extra sections higher apps add to the run page, the run API and the monitoring page, keyed by stable strings.

The runs app knows no app above it; an app registers a `RunSection` from its AppConfig.ready() (the AI app adds its
usage and cost this way). Every callable runs inside the organization's schema, so it only ever reads that
organization's rows; returning None leaves the section out (nothing to show).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RunSection:
    key: str
    # Rendered with `section` (what the callable returned) next to the page's own context.
    run_template: str | None = None
    for_run: Callable[[Any], dict | None] | None = None
    # The run's JSON in the API (`extensions.<key>`); plain JSON values only.
    for_api: Callable[[Any], Any] | None = None
    monitoring_template: str | None = None
    # Called with flow (a Flow or None for the whole organization) and organization.
    for_monitoring: Callable[..., dict | None] | None = None


@dataclass(frozen=True)
class RenderedSection:
    key: str
    template: str
    data: dict


class RunSectionRegistry:
    def __init__(self) -> None:
        self._sections: dict[str, RunSection] = {}

    def register(self, section: RunSection) -> RunSection:
        existing = self._sections.get(section.key)
        if existing is not None and existing != section:
            raise ValueError(f"run section {section.key!r} is already registered")
        self._sections[section.key] = section
        return section

    def unregister(self, key: str) -> None:
        self._sections.pop(key, None)

    def all(self) -> list[RunSection]:
        return list(self._sections.values())

    def for_run(self, run) -> list[RenderedSection]:
        shown = []
        for section in self.all():
            if section.for_run is None or section.run_template is None:
                continue
            data = section.for_run(run)
            if data is not None:
                shown.append(RenderedSection(section.key, section.run_template, data))
        return shown

    def for_api(self, run) -> dict:
        return {section.key: section.for_api(run) for section in self.all() if section.for_api is not None}

    def for_monitoring(self, *, flow, organization) -> list[RenderedSection]:
        shown = []
        for section in self.all():
            if section.for_monitoring is None or section.monitoring_template is None:
                continue
            data = section.for_monitoring(flow=flow, organization=organization)
            if data is not None:
                shown.append(RenderedSection(section.key, section.monitoring_template, data))
        return shown


run_sections = RunSectionRegistry()
