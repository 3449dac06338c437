"""Model providers, one module each, registered by stable key (see registry.py)."""
