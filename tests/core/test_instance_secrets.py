"""Issue 12: no built-in SECRET_KEY. The embedded mode generates its keys once per data directory (owner-only, reused,
the same for processes starting together); a deployment without a random key does not start; credentials encrypted
under the key older versions derived from the built-in SECRET_KEY still decrypt."""

import json
import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography.fernet import Fernet, MultiFernet

from ezflow_site import instance_secrets
from ezflow_site.instance_secrets import KNOWN_DEFAULT_SECRET_KEYS, InsecureSecretKey, check_secret_key, load_or_create, resolve
from tests.support.stack import ROOT

OLD_DEFAULT = next(iter(KNOWN_DEFAULT_SECRET_KEYS))


def test_keys_are_generated_once_owner_only_and_reused(tmp_path):
    first = load_or_create(tmp_path)
    path = tmp_path / "secrets" / "keys.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(first["secret_key"]) >= 50 and first["secret_key"] not in KNOWN_DEFAULT_SECRET_KEYS
    assert len(first["credential_keys"]) == 1
    Fernet(first["credential_keys"][0].encode())  # a valid Fernet key
    assert load_or_create(tmp_path) == first
    assert load_or_create(tmp_path / "other") != first


def test_processes_starting_together_agree_on_one_key(tmp_path):
    script = "import sys, json; from pathlib import Path; from ezflow_site.instance_secrets import load_or_create; "
    script += "print(json.dumps(load_or_create(Path(sys.argv[1]))))"

    def start(_):
        return subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=True).stdout

    with ThreadPoolExecutor(6) as pool:
        seen = set(pool.map(start, range(6)))
    assert len(seen) == 1
    assert json.loads(seen.pop()) == json.loads((tmp_path / "secrets" / "keys.json").read_text())
    assert [p.name for p in (tmp_path / "secrets").iterdir()] == ["keys.json"]  # nothing left aside


def test_an_existing_installation_keeps_decrypting_credentials_under_the_old_derived_key(tmp_path):
    """Before issue 12, `make run` encrypted credentials with a key derived from the built-in SECRET_KEY."""
    (tmp_path / "pg").mkdir()  # an installation that already has a database
    old_cipher = Fernet(instance_secrets.derived_credential_key(OLD_DEFAULT).encode())
    stored_before = old_cipher.encrypt(b'{"token": "kept"}')

    keys = load_or_create(tmp_path)["credential_keys"]
    assert len(keys) == 2 and keys[1] == instance_secrets.derived_credential_key(OLD_DEFAULT)
    cipher = MultiFernet([Fernet(key.encode()) for key in keys])
    assert cipher.decrypt(stored_before) == b'{"token": "kept"}'
    # New and re-encrypted (rotate_credentials) values use the new random key only.
    with pytest.raises(Exception):  # noqa: B017  (cryptography's InvalidToken)
        old_cipher.decrypt(cipher.rotate(stored_before))


def test_the_derivation_is_the_one_credentials_use_without_keys(settings):
    from apps.core import crypto as credentials

    settings.EZFLOW_CREDENTIAL_KEYS = []
    settings.SECRET_KEY = OLD_DEFAULT
    credentials.reset_cipher_cache()
    try:
        token = credentials.encrypt({"password": "p"})
    finally:
        credentials.reset_cipher_cache()
    legacy = Fernet(instance_secrets.derived_credential_key(OLD_DEFAULT).encode())
    assert json.loads(legacy.decrypt(token.encode())) == {"password": "p"}


def test_the_environment_wins_and_a_deployment_never_generates(tmp_path):
    env = {"DJANGO_SECRET_KEY": "k" * 60, "EZFLOW_CREDENTIAL_KEYS": "a,b"}
    assert resolve(env, tmp_path, generate=True) == instance_secrets.Secrets("k" * 60, ["a", "b"], "environment")
    # A key from the environment without credential keys: credentials keep the key derived from it, as before.
    assert resolve({"DJANGO_SECRET_KEY": "k" * 60}, tmp_path, generate=True).credential_keys == []
    assert resolve({}, tmp_path, generate=False).source == "missing"
    assert not (tmp_path / "secrets").exists()
    assert resolve({}, tmp_path, generate=True).source == "file"


@pytest.mark.parametrize("key", ["", OLD_DEFAULT, "django-insecure-" + "x" * 50, "short-key"])
def test_weak_keys_are_refused_unless_debugging(key):
    with pytest.raises(InsecureSecretKey, match="DJANGO_SECRET_KEY"):
        check_secret_key(key, debug=False)
    check_secret_key(key, debug=True)


def settings_in_a_process(tmp_path, **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "EZFLOW_CREDENTIAL_KEYS", "REDIS_URL", "DJANGO_DEBUG"}}
    base.update(EZFLOW_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="ezflow_site.settings", **env)
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60)


def test_a_scale_out_deployment_without_a_random_key_does_not_start(tmp_path):
    missing = settings_in_a_process(tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    assert missing.returncode != 0 and "DJANGO_SECRET_KEY is not set" in missing.stderr
    default = settings_in_a_process(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", DJANGO_SECRET_KEY=OLD_DEFAULT)
    assert default.returncode != 0 and "publicly known default" in default.stderr
    assert not (tmp_path / "secrets").exists()  # a deployment's key is never made up on one machine

    good = settings_in_a_process(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", DJANGO_SECRET_KEY="r" * 50)
    assert good.returncode == 0, good.stderr
    debugging = settings_in_a_process(tmp_path, REDIS_URL="redis://127.0.0.1:1/0", DJANGO_DEBUG="1")
    assert debugging.returncode == 0, debugging.stderr


def test_the_embedded_mode_starts_with_the_data_directorys_keys(tmp_path):
    started = settings_in_a_process(tmp_path)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == load_or_create(tmp_path)["secret_key"]
    refused = settings_in_a_process(tmp_path, DJANGO_SECRET_KEY=OLD_DEFAULT)
    assert refused.returncode != 0 and "publicly known default" in refused.stderr
