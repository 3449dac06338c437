"""What the dashboard shows beyond the organization itself, contributed by the apps that know it.

The dashboard belongs to accounts, the lowest app with pages; flows, runs, the marketplace and the assistant sit
above it and register from their `ready()`:

- `first_steps`: the path a new organization follows (create a flow, test it, turn it on). Each step says from
  the organization's own data whether it is done, so the progress is what the organization did, not what someone
  clicked away.
- `start_choices`: the ways to create a first flow (a template, a sentence, a blank flow).
- `panels`: further sections (recent runs and failures).

Every callable runs inside the organization's schema with the request; none may raise for an empty organization.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FirstStep:
    key: str
    order: int
    title: str  # lazy translations
    help: str
    done: Callable[[object], bool]  # (request) -> is this step done in this organization?
    link: Callable[[object], str | None] = field(default=lambda request: None)  # where to do it next
    link_label: str = ""


@dataclass(frozen=True)
class StartChoice:
    key: str
    order: int
    title: str
    help: str
    url: str = ""  # a link, or
    template: str = ""  # a form of its own (the assistant's sentence box)
    link_label: str = ""


@dataclass(frozen=True)
class DashboardPanel:
    key: str
    order: int
    template: str
    context: Callable[[object], dict | None]  # None: nothing to show


class DashboardRegistry:
    def __init__(self):
        self._items: dict[str, dict[str, object]] = {"steps": {}, "choices": {}, "panels": {}}

    def _add(self, kind: str, item):
        # Keyed by a stable string: registering a key again (an app's ready() run twice) replaces it.
        self._items[kind][item.key] = item
        return item

    def add_step(self, step: FirstStep) -> FirstStep:
        return self._add("steps", step)

    def add_choice(self, choice: StartChoice) -> StartChoice:
        return self._add("choices", choice)

    def add_panel(self, panel: DashboardPanel) -> DashboardPanel:
        return self._add("panels", panel)

    def steps(self) -> list[FirstStep]:
        return sorted(self._items["steps"].values(), key=lambda item: item.order)

    def choices(self) -> list[StartChoice]:
        return sorted(self._items["choices"].values(), key=lambda item: item.order)

    def panels(self) -> list[DashboardPanel]:
        return sorted(self._items["panels"].values(), key=lambda item: item.order)


dashboard = DashboardRegistry()


def first_steps_view(request) -> dict:
    """The path with each step's state: done, the next one to do (with its link), or later."""
    steps, next_found = [], False
    for step in dashboard.steps():
        done = bool(step.done(request))
        current = not done and not next_found
        next_found = next_found or current
        steps.append(
            {
                "key": step.key,
                "title": step.title,
                "help": step.help,
                "state": "done" if done else ("current" if current else "todo"),
                "link": step.link(request) if current else None,
                "link_label": step.link_label,
            }
        )
    done_count = sum(1 for step in steps if step["state"] == "done")
    return {"steps": steps, "done": done_count, "total": len(steps), "complete": bool(steps) and done_count == len(steps)}


def panels_view(request) -> list[dict]:
    shown = []
    for panel in dashboard.panels():
        context = panel.context(request)
        if context is not None:
            shown.append({"key": panel.key, "template": panel.template, "context": context})
    return shown
