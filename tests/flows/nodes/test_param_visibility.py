"""Parameters that apply only for some choices declare it (`show_if`); the editor hides them otherwise."""

from __future__ import annotations

from apps.flows.nodes.registry import registry


def _params(key: str) -> dict:
    return {p["name"]: p for p in registry.get(key).describe()["parameters"]}


def test_webhook_secret_fields_apply_only_when_requests_are_checked():
    params = _params("trigger.webhook")
    assert params["auth_header"]["show_if"] == {"auth": ["header"]}
    assert params["secret"]["show_if"] == {"auth": ["header", "hmac"]}
    assert "show_if" not in params["auth"]


def test_pagination_fields_apply_only_when_pagination_is_on():
    params = _params("net.http")
    assert params["next_url_field"]["show_if"] == {"pagination": ["next_url"]}
    assert params["page_param"]["show_if"] == {"pagination": ["page_param"]}
    for name in ("results_field", "max_pages"):
        assert params[name]["show_if"] == {"pagination": ["next_url", "page_param"]}


def test_every_show_if_names_a_sibling_select_and_its_options():
    """A condition on a parameter that does not exist, or on a value it cannot have, would hide a field forever."""

    def check(params: list[dict], where: str) -> None:
        siblings = {p["name"]: p for p in params}
        for p in params:
            for name, values in (p.get("show_if") or {}).items():
                assert name in siblings and name != p["name"], f"{where}.{p['name']} depends on unknown {name!r}"
                sibling = siblings[name]
                allowed = [o["value"] for o in sibling.get("options") or []] if sibling["type"] == "select" else None
                if sibling["type"] == "boolean":
                    allowed = [True, False]
                if allowed is not None:
                    assert set(values) <= set(allowed), f"{where}.{p['name']}: {values} not among {allowed}"
            check(p.get("item_fields") or [], f"{where}.{p['name']}")

    for spec in registry.all():
        check(spec.describe()["parameters"], spec.key)
