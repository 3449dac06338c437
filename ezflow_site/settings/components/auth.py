from datetime import timedelta

from .env import env

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"

# Lockout after repeated wrong passwords for the same email from the same address.
AXES_FAILURE_LIMIT = env.int("EZFLOW_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("EZFLOW_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# We call authenticate(username=<email>); axes would otherwise look for the "email" key.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "apps.accounts.views.lockout_response"
AXES_VERBOSE = False

EZFLOW_INVITATION_MAX_AGE = timedelta(days=env.int("EZFLOW_INVITATION_DAYS", default=7))
EZFLOW_HANDOFF_MAX_AGE_SECONDS = 120

# “Forgot your password?” links (apps/accounts/services/password_reset.py): valid for an hour, and used once (the
# token is bound to the password it replaces). Requests per address and per IP address per hour.
PASSWORD_RESET_TIMEOUT = env.int("EZFLOW_PASSWORD_RESET_SECONDS", default=3600)
EZFLOW_PASSWORD_RESET_PER_EMAIL = env.int("EZFLOW_PASSWORD_RESET_PER_EMAIL", default=3)
EZFLOW_PASSWORD_RESET_PER_IP = env.int("EZFLOW_PASSWORD_RESET_PER_IP", default=20)
