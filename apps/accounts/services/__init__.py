"""Services of the accounts app. Importing them also connects the account signals (apps.accounts.signals)."""

from apps.accounts import signals as _signals  # noqa: F401
