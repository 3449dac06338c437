"""An app installed only in tests, proving that one new file in one app adds a step, a trigger kind (and, once
merged, a credential kind) without touching any other module. See README.md in this folder."""
