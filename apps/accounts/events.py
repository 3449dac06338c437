"""Events of the accounts app (sent after commit with apps.core.events.send_on_commit; see docs/architecture.md)."""

from django.dispatch import Signal

# A person lost access to one organization (membership deactivated). Payload: schema, user_id.
membership_revoked = Signal()
# An organization was suspended. Payload: schema.
organization_suspended = Signal()
# A person's session(s) ended: a sign-out (session_key given) or a new password / deactivated account (None).
# Payload: schemas (the organizations concerned), user_id, session_key.
sessions_ended = Signal()
