import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Marketplace tests create many people (raters, commenters); password strength is tested in tests/accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
