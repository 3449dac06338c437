"""One browser session for one item: the login read from its credential, the actions run in a child process
(apps/browser/runner.py), the files it kept stored in the run's file storage (ctx.file_save), and the answer turned into an item or a
NodeError with the screenshot of the moment it failed. The login's password never leaves this module: it is sent to
the child on its standard input and removed from everything that comes back."""

from __future__ import annotations

from apps.browser import actions as A
from apps.browser.runner import Outcome, run_session
from apps.flows.engine.errors import NodeError

LOGIN_KIND = "website_login"
MASK = "********"


def login_for(ctx, credential_id, actions: list[dict]) -> dict | None:
    if not any(step["action"] in A.USES_LOGIN for step in actions):
        return None
    data = ctx.credential(credential_id, LOGIN_KIND)
    return {"username": str(data.get("username") or ""), "password": str(data.get("password") or "")}


def _scrub(value, secrets: tuple[str, ...]):
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, MASK)
        return value
    if isinstance(value, list):
        return [_scrub(entry, secrets) for entry in value]
    if isinstance(value, dict):
        return {key: _scrub(entry, secrets) for key, entry in value.items()}
    return value


def run_actions(ctx, actions: list[dict], *, credential_id=None, action_timeout: float = 30.0) -> tuple[dict, Outcome]:
    """Runs the checked `actions`; returns the page's values (files as file references) and the raw outcome."""
    login = login_for(ctx, credential_id, actions)
    secrets = tuple(s for s in ((login or {}).get("password", ""),) if len(s) >= 3)
    outcome = run_session(
        actions=actions,
        login=login,
        allow_hosts=ctx.host.http_allow_hosts,
        seconds=ctx.seconds_left(),
        action_timeout=min(float(action_timeout), max(ctx.seconds_left(), 1.0)),
    )
    answer = _scrub(outcome.answer, secrets)
    if not answer.get("ok"):
        raise _failure(ctx, answer, outcome)
    values = dict(answer.get("values") or {})
    for name, described in (answer.get("files") or {}).items():
        values[name] = ctx.file_save(outcome.files[name], name=described["name"], mime_type=described["mime_type"])
    result = {"url": answer.get("url", ""), "title": answer.get("title", ""), **values}
    if answer.get("blocked"):
        result["blocked_requests"] = answer["blocked"]
    if answer.get("dialogs"):
        result["dialogs"] = answer["dialogs"]
    return result, outcome


def _failure(ctx, answer: dict, outcome: Outcome) -> NodeError:
    values = {key: str(value) for key, value in (answer.get("values") or {}).items()}
    detail = str(answer.get("detail") or "")
    if answer.get("url"):
        detail = f"{detail}\nPage: {answer['url']}".strip()
    error = NodeError(
        answer.get("template") or "The browser step failed.", code=answer.get("code") or "browser_failed", detail=detail, values=values
    )
    if outcome.failure_screenshot:
        try:
            shot = ctx.file_save(outcome.failure_screenshot, name="failure.png", mime_type="image/png")
        except NodeError:  # no room for it (the organization's file limits): the error itself matters more
            shot = None
        if shot is not None:
            error.values["screenshot"] = shot  # the run page shows it with the error
    return error
