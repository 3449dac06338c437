"""Events of the flows app (see docs/architecture.md).

`flow_live_changed` is sent inside the transaction that changed the flow (apps.core.events.send_in_transaction):
what it keeps in step (the scheduler's index) must commit or roll back with the flow itself.
"""

from django.dispatch import Signal

# What starts the flow may have changed: published, turned on/off, time zone changed, or deleted.
# Payload: flow (the locked, saved Flow), deleted (bool).
flow_live_changed = Signal()

# An OAuth2 service refused to renew a credential's token: it is now "needs reconnect" and every step using it fails
# until an admin reconnects it. Sent after commit. Payload: schema, credential_id, name, type, reason.
credential_needs_reconnect = Signal()
