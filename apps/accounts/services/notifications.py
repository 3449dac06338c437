from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Invitation
from apps.accounts.selectors import organization_zone
from apps.accounts.services.invitations import invitation_url


def invitation_email_send(*, invitation_id: int) -> bool:
    invitation = Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_pending:
        return False
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by.display_name if invitation.invited_by else "EZFlow",
        "url": invitation_url(invitation),
        "role": invitation.get_role_display(),
    }
    subject = _("%(inviter)s invited you to %(organization)s on EZFlow") % {
        "inviter": context["inviter"],
        "organization": invitation.organization.name,
    }
    # Times in the organization's zone, written as on its members page (one format everywhere).
    with timezone.override(organization_zone(invitation.organization)):
        text, html = render_to_string("emails/invitation.txt", context), render_to_string("emails/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True


def password_reset_email_send(*, user_id: int, host: str) -> bool:
    from django.conf import settings

    from apps.accounts.models import User
    from apps.accounts.services.password_reset import password_reset_link

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    context = {"url": password_reset_link(user=user, host=host), "minutes": settings.PASSWORD_RESET_TIMEOUT // 60}
    message = EmailMultiAlternatives(
        _("Set a new EZFlow password"), render_to_string("emails/password_reset.txt", context), to=[user.email]
    )
    message.send()
    return True
