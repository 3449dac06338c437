"""Saving and resetting a flow's state kept between runs (n8n's `$getWorkflowStaticData`; engine/flow_state.py)."""

from __future__ import annotations

import logging

from django.db import transaction

from apps.flows.engine.flow_state import MAX_BYTES, merged, state_size
from apps.flows.models import Flow, FlowSavedState

logger = logging.getLogger(__name__)


def flow_state_save(*, flow_id: int, changes: dict) -> bool:
    """Applies a finished run's changes to the flow's saved state under a row lock, so runs finishing at the same time
    each apply theirs to what the other saved (engine.flow_state.merged). False when nothing was saved."""
    if not changes or not flow_id:
        return False
    with transaction.atomic():
        FlowSavedState.objects.bulk_create([FlowSavedState(flow_id=flow_id)], ignore_conflicts=True)
        row = FlowSavedState.objects.select_for_update().filter(flow_id=flow_id).first()
        if row is None:  # the flow was deleted while the run ran
            return False
        data = merged(row.data, changes)
        if state_size(data) > MAX_BYTES:
            # Each run's own state was checked when a step changed it; only two runs' changes together get here.
            logger.warning("flow state not saved: over %s bytes", MAX_BYTES, extra={"flow_id": flow_id})
            return False
        row.data = data
        row.save(update_fields=["data", "updated_at"])
    return True


def flow_state_reset(*, flow: Flow) -> None:
    FlowSavedState.objects.filter(flow=flow).delete()
