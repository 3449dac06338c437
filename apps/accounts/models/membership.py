from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.accounts.roles import Role


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.EDITOR)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("joined"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_organization")]
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.user} @ {self.organization} ({self.role})"
