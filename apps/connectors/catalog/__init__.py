"""One module or package per service; importing it registers what the service adds (see docs/extending.md)."""
