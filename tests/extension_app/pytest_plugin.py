"""Adds the extension test app to INSTALLED_APPS before pytest-django sets Django up (it does so before any
conftest is read, hence a plugin named in pyproject.toml's addopts). The product's settings never list it."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ezflow_site.settings")

from django.conf import settings  # noqa: E402

if "tests.extension_app" not in settings.INSTALLED_APPS:
    settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "tests.extension_app"]
