from django.db import models


class PasswordResetRequest(models.Model):
    """One “forgot password” request, kept for its rate limits only: by address asked for (a hash, so the table
    lists no emails, whether an account exists or not) and by the caller's IP address."""

    email_hash = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"password reset request at {self.created_at:%Y-%m-%d %H:%M}"
