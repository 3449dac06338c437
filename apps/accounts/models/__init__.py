from .api_token import ApiToken
from .handoff import LoginHandoff
from .invitation import Invitation
from .membership import Membership
from .organization import Domain, Organization
from .password_reset import PasswordResetRequest
from .user import User

__all__ = ["ApiToken", "Domain", "Invitation", "LoginHandoff", "Membership", "Organization", "PasswordResetRequest", "User"]
