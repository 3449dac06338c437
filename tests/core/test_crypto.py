from io import StringIO

from django.core.management import call_command
from django.db import connection

from apps.core import crypto


def test_encrypted_values_round_trip_and_wrong_keys_are_a_clear_error(settings):
    from cryptography.fernet import Fernet

    try:
        token = crypto.encrypt({"token": "비밀-secret"})
        assert "secret" not in token and crypto.decrypt(token) == {"token": "비밀-secret"}
        settings.EZFLOW_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
        crypto.reset_cipher_cache()
        try:
            crypto.decrypt(token)
        except ValueError as refused:
            assert "cannot be decrypted" in str(refused)
        else:
            raise AssertionError("a value encrypted with another key must not open")
    finally:
        crypto.reset_cipher_cache()


def test_rotate_credentials_runs_every_registered_rotator_in_every_organization(data):
    first, second = data.create_organization(), data.create_organization()
    seen = []

    def rotate_widgets() -> int:
        seen.append(connection.schema_name)
        return 2

    crypto.register_rotator("test_widgets", rotate_widgets, label="widget secret(s)")
    try:
        out = StringIO()
        call_command("rotate_credentials", stdout=out)
    finally:
        crypto.unregister_rotator("test_widgets")
    assert {first.schema_name, second.schema_name} <= set(seen) and "public" not in seen
    assert out.getvalue().startswith("re-encrypted ") and "credential(s), " in out.getvalue()
    assert out.getvalue().rstrip().endswith(f"and {2 * len(seen)} widget secret(s)")
