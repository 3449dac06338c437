from .env import BASE_DIR, DATA_DIR, env

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Every organization lives at http://<slug>.<EZFLOW_BASE_DOMAIN>:<EZFLOW_PORT>.
EZFLOW_BASE_DOMAIN = env.str("EZFLOW_BASE_DOMAIN", default="localhost")
EZFLOW_PORT = env.int("EZFLOW_PORT", default=8000)
EZFLOW_SCHEME = env.str("EZFLOW_SCHEME", default="http")
EZFLOW_DATA_DIR = DATA_DIR

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=[EZFLOW_BASE_DOMAIN, f".{EZFLOW_BASE_DOMAIN}", "127.0.0.1"],
)
CSRF_TRUSTED_ORIGINS = env.list(
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    default=[f"{EZFLOW_SCHEME}://*.{EZFLOW_BASE_DOMAIN}:{EZFLOW_PORT}", f"{EZFLOW_SCHEME}://{EZFLOW_BASE_DOMAIN}:{EZFLOW_PORT}"],
)

SHARED_APPS = [
    "django_tenants",
    "apps.accounts",
    "apps.core",
    "apps.marketplace",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "channels",
    "channels_postgres",
    "ezflow_site.apps.SiteConfig",  # creates the Celery app (ezflow_site/celery.py)
]
# The admin log lives per organization so that tenant admins see only their own history.
TENANT_APPS = [
    "django.contrib.admin",
    "apps.flows",
    "apps.runs",
    "apps.assistant",
    "apps.notifications",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

MIDDLEWARE = [
    "apps.core.middleware.HealthCheckBypassMiddleware",
    "django_tenants.middleware.main.TenantMainMiddleware",
    "apps.core.logs.LogContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "apps.accounts.middleware.OrganizationStatusMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "apps.core.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.MembershipMiddleware",
    "apps.accounts.middleware.OrganizationTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ezflow_site.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "ezflow_site.urls_public"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.accounts.context_processors.ezflow",
            ],
        },
    },
]

WSGI_APPLICATION = "ezflow_site.wsgi.application"
ASGI_APPLICATION = "ezflow_site.asgi.application"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise serves from the finders in development; the folder must exist
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = EZFLOW_SCHEME == "https"
CSRF_COOKIE_SECURE = EZFLOW_SCHEME == "https"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_FAILURE_VIEW = "apps.core.views.csrf_failure"

# Fernet keys for credentials at rest, newest first (rotation: add a new key in front, run
# `manage.py rotate_credentials`, then drop the old one). Without it a key is derived from SECRET_KEY.
EZFLOW_CREDENTIAL_KEYS = env.list("EZFLOW_CREDENTIAL_KEYS", default=[])
# OAuth2 clients the platform registered with providers, by credential kind:
# {"oauth2_kind_key": {"client_id": "...", "client_secret": "..."}}. An organization may type its own instead.
EZFLOW_OAUTH_CLIENTS = env.json("EZFLOW_OAUTH_CLIENTS", default={})

# Bearer token for GET /metrics (Prometheus); metrics are off (404) while it is empty.
EZFLOW_METRICS_TOKEN = env.str("EZFLOW_METRICS_TOKEN", default="")
