"""Events of the runs app (sent after commit with apps.core.events.send_on_commit; see docs/architecture.md)."""

from django.dispatch import Signal

# A run ended as success or failed (not a test run from the editor). Payload: schema, run (the Run, as saved).
run_finished = Signal()
