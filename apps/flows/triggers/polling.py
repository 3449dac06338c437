"""The base of triggers that ask another system for new items every few minutes ("a new row", "a new e-mail").

A polling step (`trigger_kind = "polling"`, or a subclass kind of its own) declares an integer parameter with the
interval in minutes (`interval_param`) and implements
    poll(parameters: dict, state: dict, host) -> list[dict]    the items the other system returns now
    dedupe_key(item: dict) -> str                                what makes an item the same item next time
How it is wired (by the runs app, from its receiver of the flows event `flow_live_changed`, as the scheduler is for
schedules, when the first connector needs it): the receiver keeps a row per active flow in the scheduler's index, due every
`interval_seconds(parameters)`; each tick calls the step's `poll`, passes the result
through `new_items` with the state stored on that row, starts one run with the fresh items (none: no run) and stores
the new state in the same transaction as the run, so a crash neither loses nor repeats an item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.flows.triggers.registry import Issue, TriggerKind, TriggerSummary


class PollingTriggerKind(TriggerKind):
    key = "polling"
    interval_param = "interval_minutes"
    default_minutes = 5
    minimum_minutes = 1
    maximum_minutes = 24 * 60
    remembered_keys = 1000  # the newest keys kept in the state; older items are not polled again in practice

    def interval_minutes(self, parameters: dict) -> int:
        value = parameters.get(self.interval_param, self.default_minutes)
        return value if isinstance(value, int) and not isinstance(value, bool) else self.default_minutes

    def interval_seconds(self, parameters: dict) -> int:
        return self.interval_minutes(parameters) * 60

    def validate(self, node: dict) -> list[Issue]:
        value = (node.get("parameters") or {}).get(self.interval_param, self.default_minutes)
        if not isinstance(value, int) or isinstance(value, bool) or not self.minimum_minutes <= value <= self.maximum_minutes:
            return [
                Issue("bad_poll_interval", f"parameters.{self.interval_param}", {"min": self.minimum_minutes, "max": self.maximum_minutes})
            ]
        return []

    def problem_message(self, code: str, params: dict) -> str | None:
        if code == "bad_poll_interval":
            return _("Check for new items every %(min)s to %(max)s minutes.") % params
        return None

    def summary(self, *, node, node_type, flow, organization) -> TriggerSummary:
        summary = super().summary(node=node, node_type=node_type, flow=flow, organization=organization)
        minutes = self.interval_minutes(node.get("parameters") or {})
        summary.description = ngettext("Checks for new items every minute.", "Checks for new items every %(minutes)s minutes.", minutes) % {
            "minutes": minutes
        }
        return summary

    def new_items(self, items: Iterable[dict], state: dict, key: Callable[[dict], str]) -> tuple[list[dict], dict]:
        """The items not seen before (in their order, each once) and the state to store for the next poll. The first
        poll only remembers what is there: a new flow starts with what arrives after it was switched on."""
        seen = list(state.get("seen") or [])
        known = set(seen)
        fresh = []
        for item in items:
            item_key = str(key(item))
            if item_key in known:
                continue
            known.add(item_key)
            seen.append(item_key)
            fresh.append(item)
        new_state = {"seen": seen[-self.remembered_keys :], "primed": True}
        return (fresh if state.get("primed") else []), new_state
