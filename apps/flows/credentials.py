"""Kept so older imports keep working: credential kinds live in apps.flows.credential_kinds, encryption at rest in
apps.core.crypto."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from apps.core.crypto import decrypt, encrypt, reset_cipher_cache, rotate
from apps.flows import credential_kinds
from apps.flows.credential_kinds import CredentialKind


class _Kinds(Mapping):
    """A live, read-only view of the registry by key."""

    def __getitem__(self, key: str) -> CredentialKind:
        kind = credential_kinds.get(key)
        if kind is None:
            raise KeyError(key)
        return kind

    def __iter__(self) -> Iterator[str]:
        return iter([kind.key for kind in credential_kinds.all_kinds()])

    def __len__(self) -> int:
        return len(credential_kinds.all_kinds())


CREDENTIAL_TYPES = _Kinds()

__all__ = ["CREDENTIAL_TYPES", "decrypt", "encrypt", "reset_cipher_cache", "rotate"]
