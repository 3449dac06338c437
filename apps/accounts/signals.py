"""Open WebSockets end with the session: signing out, a new password or a deactivated account closes them.

Connected in AccountsConfig.ready(). Sockets belong to the runs app, a higher layer: this only sends the
`sessions_ended` event after the change is committed, and the runs app closes them.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model, user_logged_out
from django.db.models.signals import post_save
from django.dispatch import receiver

from apps.accounts.events import sessions_ended
from apps.core.events import send_on_commit


@receiver(user_logged_out, dispatch_uid="ezflow.accounts.close_sockets_on_logout")
def close_sockets_on_logout(sender, request, user, **kwargs):
    tenant = getattr(request, "tenant", None)
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if user is None or tenant is None or getattr(tenant, "is_public", True) or not session_key:
        return
    send_on_commit(sessions_ended, schemas=[tenant.schema_name], user_id=user.pk, session_key=session_key)


@receiver(post_save, sender=get_user_model(), dispatch_uid="ezflow.accounts.close_sockets_on_account_change")
def close_sockets_on_account_change(sender, instance, created, update_fields=None, **kwargs):
    if created:
        return
    # set_password() keeps the new password in `_password` until save() has finished (post_save included).
    password_changed = getattr(instance, "_password", None) is not None
    deactivated = not instance.is_active
    if update_fields is not None:
        password_changed = password_changed and "password" in update_fields
        deactivated = deactivated and "is_active" in update_fields
    if not (password_changed or deactivated):
        return
    from apps.accounts.models import Membership

    schemas = list(Membership.objects.filter(user_id=instance.pk).values_list("organization__schema_name", flat=True).distinct())
    if schemas:
        send_on_commit(sessions_ended, schemas=schemas, user_id=instance.pk, session_key=None)
