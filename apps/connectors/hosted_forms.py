"""The hosted form of a "Form submitted" trigger: its fields as the person defined them on the step, and the check of
a visitor's answers against them. Pure Python (the page and the trigger kind both use it); messages are gettext_noop
templates said in the visitor's language by the page."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from apps.flows.engine.errors import gettext_noop

FIELD_TYPES = ("text", "long_text", "number", "email", "date", "select", "checkbox")
MAX_FIELDS = 50
MAX_OPTIONS = 100
MAX_LENGTH = {"text": 1_000, "long_text": 10_000, "email": 254, "number": 40, "date": 10, "select": 500, "checkbox": 10}
MAX_LABEL = 200
RESERVED_KEYS = frozenset({"submitted_at"})
# What the person writes as a label becomes the answer's name when they leave the name empty: letters (Hangul too),
# digits and underscores, so `{{ json.이름 }}` and `{{ json.email }}` work in later steps.
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    type: str = "text"
    required: bool = False
    help: str = ""
    options: tuple[str, ...] = ()


@dataclass
class FormProblem:
    """A problem with the form's definition (for the editor) or an answer (for the visitor): a gettext_noop template."""

    key: str
    template: str
    values: dict = field(default_factory=dict)


def key_for(label: str) -> str:
    return _NOT_WORD.sub("_", str(label or "").strip().lower()).strip("_")[:60]


def split_options(raw) -> tuple[str, ...]:
    if isinstance(raw, (list, tuple)):
        parts = [str(p) for p in raw]
    else:
        text = str(raw or "")
        parts = text.splitlines() if "\n" in text else text.split(",")
    seen, out = set(), []
    for part in (p.strip() for p in parts):
        if part and part not in seen:
            seen.add(part)
            out.append(part[:500])
    return tuple(out[:MAX_OPTIONS])


def form_fields(parameters: dict) -> list[FormField]:
    """The fields as defined on the step, normalised (types defaulted, names derived from labels)."""
    out = []
    for raw in (parameters or {}).get("fields") or []:
        if not isinstance(raw, dict):
            continue
        label = str(raw.get("label") or "").strip()[:MAX_LABEL]
        kind = raw.get("type") if raw.get("type") in FIELD_TYPES else "text"
        out.append(
            FormField(
                key=key_for(raw.get("key") or label),
                label=label,
                type=kind,
                required=raw.get("required") is True,
                help=str(raw.get("help") or "").strip()[:500],
                options=split_options(raw.get("options")) if kind == "select" else (),
            )
        )
    return out[:MAX_FIELDS]


def definition_problems(parameters: dict) -> list[FormProblem]:
    """What keeps the form from being shown: no field, a field without a label, two answers with one name, a choice
    without options, a redirect that is not an http(s) address."""
    raw_fields = (parameters or {}).get("fields") or []
    problems = []
    if not isinstance(raw_fields, list) or not raw_fields:
        return [FormProblem("fields", gettext_noop("Add at least one field to the form."))]
    if len(raw_fields) > MAX_FIELDS:
        problems.append(FormProblem("fields", gettext_noop("A form has at most %(max)s fields."), {"max": MAX_FIELDS}))
    names: set[str] = set()
    for number, item in enumerate(form_fields(parameters), start=1):
        if not item.label or not item.key:
            problems.append(FormProblem("fields", gettext_noop("Field %(number)s needs a label."), {"number": number}))
            continue
        if item.key in RESERVED_KEYS:
            problems.append(
                FormProblem("fields", gettext_noop("The name “%(name)s” is kept for the form itself; choose another."), {"name": item.key})
            )
        if item.key in names:
            problems.append(
                FormProblem("fields", gettext_noop("Two fields have the name “%(name)s”; give one another name."), {"name": item.key})
            )
        names.add(item.key)
        if item.type == "select" and not item.options:
            problems.append(FormProblem("fields", gettext_noop("The choice field “%(label)s” needs options."), {"label": item.label}))
    if (parameters or {}).get("after") == "redirect":
        target = str((parameters or {}).get("redirect_url") or "").strip()
        if not redirect_allowed(target):
            problems.append(
                FormProblem("redirect_url", gettext_noop("The address to go to after sending must start with https:// or http://."))
            )
    return problems


def redirect_allowed(url: str) -> bool:
    """Only absolute http(s) addresses the person typed on the step: never taken from the visitor's request."""
    parts = urlsplit(str(url or ""))
    return parts.scheme in ("http", "https") and bool(parts.netloc) and "\\" not in url and len(url) <= 2000


def _one(values: list[str]) -> str:
    return str(values[-1]) if values else ""


def form_answers(fields: list[FormField], posted: dict[str, list[str]]) -> tuple[dict, list[FormProblem]]:
    """The visitor's answers by field name, typed (number → int/float, checkbox → bool, date → YYYY-MM-DD), or the
    problems, one per field at most."""
    answers, problems = {}, []
    for item in fields:
        raw = _one(posted.get(item.key, []))
        value = raw.strip() if item.type != "long_text" else raw.replace("\r\n", "\n").strip()
        if len(value) > MAX_LENGTH[item.type]:
            problems.append(FormProblem(item.key, gettext_noop("Write at most %(max)s characters."), {"max": MAX_LENGTH[item.type]}))
            continue
        if "\x00" in value:
            problems.append(FormProblem(item.key, gettext_noop("This text has a character that cannot be stored.")))
            continue
        if item.type == "checkbox":
            checked = value in ("on", "true", "1", "yes")
            if item.required and not checked:
                problems.append(FormProblem(item.key, gettext_noop("Tick this box to continue.")))
                continue
            answers[item.key] = checked
            continue
        if not value:
            if item.required:
                problems.append(FormProblem(item.key, gettext_noop("This field is required.")))
                continue
            answers[item.key] = None if item.type in ("number", "date") else ""
            continue
        if item.type == "number":
            try:
                number = float(value.replace(",", ""))
            except ValueError:
                problems.append(FormProblem(item.key, gettext_noop("Enter a number.")))
                continue
            if number != number or number in (float("inf"), float("-inf")):
                problems.append(FormProblem(item.key, gettext_noop("Enter a number.")))
                continue
            answers[item.key] = int(number) if number.is_integer() and abs(number) < 2**53 else number
        elif item.type == "email":
            if not _EMAIL.match(value):
                problems.append(FormProblem(item.key, gettext_noop("Enter an email address like name@example.com.")))
                continue
            answers[item.key] = value
        elif item.type == "date":
            try:
                answers[item.key] = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                problems.append(FormProblem(item.key, gettext_noop("Enter a date like 2025-03-31.")))
                continue
        elif item.type == "select":
            if value not in item.options:
                problems.append(FormProblem(item.key, gettext_noop("Choose one of the options.")))
                continue
            answers[item.key] = value
        else:
            answers[item.key] = value
    return answers, problems
