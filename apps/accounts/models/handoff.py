from django.db import models


class LoginHandoff(models.Model):
    """Marks a one-time sign-in link (public host → organization host) as used."""

    nonce = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(auto_now_add=True)
