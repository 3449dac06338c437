"""The host of a recorded run: the flow host plus cancellation, which the run's row says."""

from __future__ import annotations

import time

from apps.flows.host import FlowHost


class RunHost(FlowHost):
    def __init__(self, *, organization, run=None):
        super().__init__(organization=organization)
        self.run = run
        self._checked_at = time.monotonic()  # the run start already checked; the next look is in half a second
        self._cancelled = False

    def for_subflow(self) -> RunHost:
        return RunHost(organization=self.organization, run=self.run)

    def is_cancelled(self) -> bool:
        # Checked between nodes; at most twice a second so long linear flows don't pay a query per node.
        if self.run is None or self._cancelled:
            return self._cancelled
        now = time.monotonic()
        if now - self._checked_at >= 0.5:
            self._checked_at = now
            from apps.runs.models import Run

            self._cancelled = Run.objects.filter(pk=self.run.pk, cancel_requested=True).exists()
        return self._cancelled
