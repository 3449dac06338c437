"""What a live socket can subscribe to: page types keyed by stable strings, each saying who may join, which
channel group carries its events and what state the subscriber is told on joining.

The runs app registers its own pages (a run, a flow's runs, the run list) in RunsConfig.ready(); higher apps add
theirs (the notifications bell) the same way, so the consumer never lists page types.
"""

from __future__ import annotations

from apps.runs.realtime.groups import group_name


class LivePage:
    key: str
    needs_id: bool = False  # subscriptions name a positive integer id (a run, a flow)

    def group(self, *, schema: str, user, object_id: int | None) -> str:
        return group_name(schema, self.key, object_id if self.needs_id else None)

    def may_see(self, *, user, membership, object_id: int | None) -> bool:
        """Runs inside the organization's schema; False for 'not there' and 'not yours' alike."""
        return True

    def current_state(self, *, user, object_id: int | None) -> dict:
        """Read right after joining the group: what the page compares with what it rendered."""
        return {}


class LivePageRegistry:
    def __init__(self):
        self._pages: dict[str, LivePage] = {}

    def register(self, page: LivePage) -> LivePage:
        existing = self._pages.get(page.key)
        if existing is not None and type(existing) is not type(page):
            raise ValueError(f"live page {page.key!r} is already registered")
        self._pages[page.key] = page
        return page

    def get(self, key) -> LivePage | None:
        return self._pages.get(key) if isinstance(key, str) else None


live_pages = LivePageRegistry()


class RunPage(LivePage):
    key = "run"
    needs_id = True

    def may_see(self, *, user, membership, object_id):
        from apps.runs.models import Run

        return Run.objects.filter(pk=object_id).exists()

    def current_state(self, *, user, object_id):
        from apps.runs.selectors import run_seq

        return {"seq": run_seq(run_id=object_id)}


class FlowRunsPage(LivePage):
    key = "flow"
    needs_id = True

    def may_see(self, *, user, membership, object_id):
        from apps.flows.models import Flow

        return Flow.objects.filter(pk=object_id).exists()

    def current_state(self, *, user, object_id):
        from apps.runs.selectors import run_feed_changed

        return {"changed": run_feed_changed(flow_id=object_id)}


class RunListPage(LivePage):
    key = "runs"

    def current_state(self, *, user, object_id):
        from apps.runs.selectors import run_feed_changed

        return {"changed": run_feed_changed(flow_id=None)}
