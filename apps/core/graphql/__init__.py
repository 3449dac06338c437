"""The one GraphQL endpoint: a root schema composed from every app's contribution (registry.py), the base mutation
with its typed errors (mutations.py, errors.py), the document limits (limits.py) and the view (view.py)."""
