import hashlib
import hmac
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.errors import AccountsError, LoginFailed
from apps.accounts.models import ApiToken, Membership, Organization, User
from apps.accounts.selectors import membership_get

TOKEN_PREFIX = "ezf"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(*, user: User, organization: Organization, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its plaintext, which is shown once and never stored."""
    name = (name or "").strip() or _("API token")
    if len(name) > 100:
        raise AccountsError(_("The token name can be at most 100 characters."), field="name", code="invalid")
    if membership_get(user=user, organization=organization) is None:
        raise LoginFailed(_("You are not a member of this organization."))
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, organization=organization, name=name, prefix=prefix, secret_hash=_hash(secret))
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def api_token_authenticate(*, raw: str, organization: Organization) -> tuple[User, ApiToken, Membership]:
    invalid = LoginFailed(_("This API token is not valid for this organization."), code="invalid_token")
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        raise invalid
    _scheme, prefix, secret = parts
    token = ApiToken.objects.select_related("user").filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise invalid
    if token.organization_id != organization.pk:
        raise invalid
    membership = membership_get(user=token.user, organization=organization)
    if membership is None:
        raise invalid
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    membership.organization = organization
    return token.user, token, membership


def api_token_revoke(*, token: ApiToken, user: User) -> None:
    if token.user_id != user.pk:
        raise LoginFailed(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
