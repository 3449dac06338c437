from csp.constants import NONCE

from .env import BASE_DIR, DATA_DIR, env

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
# Browsers send an Origin without the scheme's default port (https://acme.example.com), so the port is named only
# when it is another one.
_ORIGIN_PORT = "" if {"http": 80, "https": 443}.get(EZFLOW_SCHEME) == EZFLOW_PORT else f":{EZFLOW_PORT}"
CSRF_TRUSTED_ORIGINS = env.list(
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    default=[f"{EZFLOW_SCHEME}://*.{EZFLOW_BASE_DOMAIN}{_ORIGIN_PORT}", f"{EZFLOW_SCHEME}://{EZFLOW_BASE_DOMAIN}{_ORIGIN_PORT}"],
)
# Behind a proxy that terminates TLS (an ingress, a load balancer) and sets X-Forwarded-Proto: docs/deployment.md.
if env.bool("EZFLOW_TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

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
    "csp",
    "ezflow_site.apps.SiteConfig",  # creates the Celery app (ezflow_site/celery.py)
]
# The admin log lives per organization so that tenant admins see only their own history.
TENANT_APPS = [
    "django.contrib.admin",
    "apps.files",
    "apps.flows",
    "apps.runs",
    "apps.connectors",
    "apps.ai",
    "apps.documents",
    "apps.browser",
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
    "apps.core.csp.EZFlowCSPMiddleware",
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

# OAuth2 clients the platform registered with providers, by credential kind:
# {"oauth2_kind_key": {"client_id": "...", "client_secret": "..."}}. An organization may type its own instead.
EZFLOW_OAUTH_CLIENTS = env.json("EZFLOW_OAUTH_CLIENTS", default={})
# Base addresses of connector services by service key ({"kakao": "https://kapi.kakao.com", ...}); a service not named
# here uses its real address (apps/connectors/http.py). Tests point them at local fakes.
EZFLOW_CONNECTOR_BASE_URLS = env.json("EZFLOW_CONNECTOR_BASE_URLS", default={})
# Hosted forms (apps/connectors/form_pages.py): accepted submissions per visitor (IP address) and per form, each in a
# window of EZFLOW_FORM_WINDOW_SECONDS; the largest request body a form accepts.
EZFLOW_FORM_PER_VISITOR = env.int("EZFLOW_FORM_PER_VISITOR", default=10)
EZFLOW_FORM_PER_FORM = env.int("EZFLOW_FORM_PER_FORM", default=300)
EZFLOW_FORM_WINDOW_SECONDS = env.int("EZFLOW_FORM_WINDOW_SECONDS", default=600)
EZFLOW_FORM_MAX_BODY_BYTES = env.int("EZFLOW_FORM_MAX_BODY_BYTES", default=256 * 1024)

# Content-Security-Policy (apps/core/csp.py adds the page's own ws:// and wss:// origin to connect-src).
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF, NONCE],
        "style-src": [_SELF, NONCE],
        "style-src-attr": ["'unsafe-inline'"],  # widths of bars and timelines; cannot run code or select elements
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF, "data:"],
        "connect-src": [_SELF],
        "worker-src": [_SELF],
        "manifest-src": [_SELF],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "frame-ancestors": [_NONE],
        # Forms post to this site; sign-up and sign-in then continue on the organization's own host.
        "form-action": [_SELF, *CSRF_TRUSTED_ORIGINS],
    }
}

# Bearer token for GET /metrics (Prometheus); metrics are off (404) while it is empty.
EZFLOW_METRICS_TOKEN = env.str("EZFLOW_METRICS_TOKEN", default="")
