"""SECRET_KEY and the credential encryption keys (ezflow_site/instance_secrets.py; docs/security.md)."""

import os

from ezflow_site import instance_secrets

from .base import DEBUG
from .env import DATA_DIR
from .queue import EZFLOW_MODE

_found = instance_secrets.resolve(os.environ, DATA_DIR, generate=EZFLOW_MODE == "embedded" or DEBUG)
instance_secrets.check_secret_key(_found.secret_key, debug=DEBUG)
SECRET_KEY = _found.secret_key
# Fernet keys for credentials at rest, newest first: the first encrypts, all decrypt (rotation: docs/security.md).
# Empty only when DJANGO_SECRET_KEY comes from the environment without them: a key is then derived from SECRET_KEY.
EZFLOW_CREDENTIAL_KEYS = _found.credential_keys
