"""The document steps; importing a module registers its steps (see docs/extending.md)."""
