from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def public_name(user) -> str:
    """How other organizations see a person on marketplace pages: their name, never their email address."""
    return (getattr(user, "name", "") or "").strip() or _("EZFlow member")
