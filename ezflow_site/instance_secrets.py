"""The signing key and the credential encryption keys: from the environment, or generated once per data directory.

A deployment (scale-out) sets DJANGO_SECRET_KEY (and EZFLOW_CREDENTIAL_KEYS) in the environment, the same on every
machine. The embedded mode (`make run`, tests, a developer's manage.py) generates random ones on first start into
`<data dir>/secrets/keys.json`, readable by the owner only, and reuses them on every start after. Imported by the
settings: the standard library only (and Django's exception class).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FILE = Path("secrets") / "keys.json"

# Keys that were ever written in this repository: anyone can sign sessions and tickets with them.
KNOWN_DEFAULT_SECRET_KEYS = frozenset({"dev-only-insecure-key-change-me-in-production-0123456789"})
MIN_SECRET_KEY_LENGTH = 32


class InsecureSecretKey(ImproperlyConfigured):
    pass


@dataclass(frozen=True)
class Secrets:
    secret_key: str
    credential_keys: list[str]
    source: str  # "environment", "file" or "missing"


def derived_credential_key(secret_key: str) -> str:
    """The credential key older versions derived from SECRET_KEY when EZFLOW_CREDENTIAL_KEYS was empty."""
    return base64.urlsafe_b64encode(hashlib.sha256(f"ezflow-credentials:{secret_key}".encode()).digest()).decode()


def _generate(data_dir: Path) -> dict:
    # A Fernet key is 32 random bytes in URL-safe base64; made here so the launcher does not load cryptography.
    keys = [base64.urlsafe_b64encode(os.urandom(32)).decode()]
    if (data_dir / "pg").exists():
        # An existing installation encrypted its credentials with the key derived from the old built-in
        # SECRET_KEY: keep that key for decrypting only (the first key encrypts) until `rotate_credentials` ran.
        keys += [derived_credential_key(key) for key in sorted(KNOWN_DEFAULT_SECRET_KEYS)]
    return {"secret_key": secrets.token_urlsafe(50), "credential_keys": keys}


def load_or_create(data_dir: Path) -> dict:
    """The data directory's keys, generated on first use. Safe when several processes start at once: the file
    appears complete or not at all (written aside, then linked into place), and the first one to link wins."""
    path = data_dir / FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            json.dump(_generate(data_dir), handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: everyone uses its keys
            os.link(aside, path)
    finally:
        os.unlink(aside)
    return json.loads(path.read_text())


def resolve(environ, data_dir: Path, *, generate: bool) -> Secrets:
    """DJANGO_SECRET_KEY and EZFLOW_CREDENTIAL_KEYS from the environment; when the secret key is not there and
    `generate` is allowed (embedded mode, or debug), the data directory's keys."""
    secret_key = environ.get("DJANGO_SECRET_KEY", "")
    credential_keys = [key for key in environ.get("EZFLOW_CREDENTIAL_KEYS", "").split(",") if key.strip()]
    if secret_key:
        # Credentials keep the key derived from this SECRET_KEY when no credential key is set (apps/core/crypto.py).
        return Secrets(secret_key, credential_keys, "environment")
    if not generate:
        return Secrets("", credential_keys, "missing")
    stored = load_or_create(data_dir)
    return Secrets(stored["secret_key"], credential_keys or list(stored["credential_keys"]), "file")


def environment_for_children(environ, data_dir: Path) -> dict:
    """What the launcher exports so that every process it starts (web, worker, beat, pytest and the processes tests
    start) uses the same keys even when they look at another data directory."""
    if environ.get("DJANGO_SECRET_KEY"):
        return {}
    found = resolve(environ, data_dir, generate=True)
    return {"DJANGO_SECRET_KEY": found.secret_key, "EZFLOW_CREDENTIAL_KEYS": ",".join(found.credential_keys)}


def check_secret_key(secret_key: str, *, debug: bool) -> None:
    """Refuses to run a non-debug deployment with a key an attacker could know (sessions, realtime tickets, password
    reset links and, without EZFLOW_CREDENTIAL_KEYS, credential encryption all depend on it)."""
    if debug:
        return
    if not secret_key:
        problem = "DJANGO_SECRET_KEY is not set"
    elif secret_key in KNOWN_DEFAULT_SECRET_KEYS or secret_key.startswith("django-insecure-"):
        problem = "DJANGO_SECRET_KEY is a publicly known default"
    elif len(secret_key) < MIN_SECRET_KEY_LENGTH:
        problem = f"DJANGO_SECRET_KEY is shorter than {MIN_SECRET_KEY_LENGTH} characters"
    else:
        return
    raise InsecureSecretKey(
        f"{problem}. EZFlow will not start without a random secret key: set the same DJANGO_SECRET_KEY on every web, "
        "worker and beat process, e.g. the output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`, "
        "and EZFLOW_CREDENTIAL_KEYS to a Fernet key (see docs/security.md). The embedded mode (`make run`) generates "
        "both into its data directory by itself."
    )
