"""Which requests are API calls: they are answered in the API's JSON error format, never with a page."""


def is_api_path(path: str) -> bool:
    return path.startswith("/api/") or path.startswith("/graphql")
