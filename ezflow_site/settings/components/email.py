from .env import DATA_DIR, env

# EMAIL_URL (smtp://user:pass@host:587, or smtp://127.0.0.1:1025) selects a real SMTP server;
# without it mail is written to files under .data/mail so that the embedded mode needs no server.
if env.str("EMAIL_URL", default=""):
    globals().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("EZFLOW_MAIL_DIR", default=str(DATA_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="EZFlow <no-reply@ezflow.localhost>")
