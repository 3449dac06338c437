from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def public_name(user) -> str:
    """How other organizations see a person on marketplace pages: their name, never their email address."""
    return (getattr(user, "name", "") or "").strip() or _("EZFlow member")


@register.filter
def credential_icon(kind: str) -> str:
    """The service's small icon (an SVG address), or "" when the kind has none."""
    from apps.flows import credential_kinds

    found = credential_kinds.get(kind)
    return credential_kinds.icon_url(found.icon) if found else ""


@register.filter
def credential_label(kind: str) -> str:
    """A credential type in words ("Slack incoming webhook"), not its key (slack_webhook)."""
    from apps.flows import credential_kinds

    found = credential_kinds.get(kind)
    return credential_kinds.label_text(found.label) if found else kind


@register.filter
def markdown(text: str):
    """Markdown written by a publisher (descriptions, changelogs), sanitised by nh3 before it is marked safe."""
    from django.utils.safestring import mark_safe

    from apps.marketplace.markdown import render_markdown

    return mark_safe(render_markdown(text or ""))  # noqa: S308 (sanitised)
