from django.utils.translation import gettext_lazy as _

from .env import BASE_DIR

LANGUAGE_CODE = "en"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Organizations see times in their own zone; this is the default for new ones and the public site.
EZFLOW_DEFAULT_TIME_ZONE = "Asia/Seoul"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
# The same date and time format in every language (ezflow_site/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["ezflow_site.formats"]
