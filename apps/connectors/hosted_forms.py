"""The hosted form of a "Form submitted" trigger: its fields as the person defined them on the step, and the check of
a visitor's answers against them. Pure Python (the page and the trigger kind both use it); messages are gettext_noop
templates said in the visitor's language by the page."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from apps.flows.engine.errors import gettext_noop

FIELD_TYPES = ("text", "long_text", "number", "email", "date", "select", "checkbox", "file")
MAX_FIELDS = 50
MAX_OPTIONS = 100
MAX_LENGTH = {"text": 1_000, "long_text": 10_000, "email": 254, "number": 40, "date": 10, "select": 500, "checkbox": 10, "file": 0}
# File fields: the size limit per field in MB (the organization's own file limit applies too), and the accepted types as
# extensions (".pdf") or MIME types ("image/*", "application/pdf"); none: any type.
DEFAULT_FILE_MB = 10
MAX_FILE_MB = 50
_ACCEPT = re.compile(r"^(\.[a-z0-9]{1,10}|[a-z]+/(\*|[a-z0-9][a-z0-9.+-]{0,100}))$")
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
    accept: tuple[str, ...] = ()
    max_mb: float = DEFAULT_FILE_MB

    @property
    def max_bytes(self) -> int:
        return int(self.max_mb * 1024 * 1024)


@dataclass(frozen=True)
class Upload:
    """A file a visitor sent in a file field (the page gives these; nothing here reads bytes)."""

    name: str
    size: int
    content_type: str


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
                accept=_accept_list(raw.get("accept")) if kind == "file" else (),
                max_mb=_max_mb(raw.get("max_size_mb")) if kind == "file" else DEFAULT_FILE_MB,
            )
        )
    return out[:MAX_FIELDS]


def _accept_list(raw) -> tuple[str, ...]:
    """Accepted types, lower case; a bare extension gets its dot ("pdf" → ".pdf"); unreadable entries are dropped (and
    reported by definition_problems)."""
    out = []
    for part in split_options(raw):
        part = part.strip().lower()
        if part and "/" not in part and not part.startswith("."):
            part = "." + part
        if _ACCEPT.match(part):
            out.append(part)
    return tuple(out)


def _max_mb(raw) -> float:
    try:
        value = float(str(raw).strip()) if raw not in (None, "") else DEFAULT_FILE_MB
    except ValueError:
        return -1
    return value


def file_fields(fields: list[FormField]) -> list[FormField]:
    return [item for item in fields if item.type == "file"]


def upload_problems(fields: list[FormField], uploads: dict[str, list[Upload]]) -> list[FormProblem]:
    """The problems of the files a visitor sent: a required file missing, more than one file, too large, a type the
    field does not accept."""
    problems = []
    for item in file_fields(fields):
        sent = [u for u in uploads.get(item.key, []) if u.name or u.size]
        if not sent:
            if item.required:
                problems.append(FormProblem(item.key, gettext_noop("Choose a file to send.")))
            continue
        if len(sent) > 1:
            problems.append(FormProblem(item.key, gettext_noop("Send one file here.")))
            continue
        upload = sent[0]
        if upload.size > item.max_bytes:
            too_big = gettext_noop("This file is larger than %(max)s MB. Choose a smaller one.")
            problems.append(FormProblem(item.key, too_big, {"max": f"{item.max_mb:g}"}))
        elif item.accept and not accepted(upload, item.accept):
            problems.append(
                FormProblem(item.key, gettext_noop("Choose a file of one of these types: %(types)s."), {"types": ", ".join(item.accept)})
            )
    return problems


def accepted(upload: Upload, accept: tuple[str, ...]) -> bool:
    """Whether the file's name ends with an accepted extension, or its type is an accepted MIME type; for a MIME type
    the name's extension must agree too (a visitor's browser names the type; the name is what people open)."""
    import mimetypes

    name = upload.name.lower()
    guessed = (mimetypes.guess_type(name)[0] or "").lower()
    for entry in accept:
        if entry.startswith("."):
            if name.endswith(entry):
                return True
        elif entry.endswith("/*"):
            if guessed.startswith(entry[:-1]):
                return True
        elif guessed == entry:
            return True
    return False


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
        if item.type == "file" and not 0 < item.max_mb <= MAX_FILE_MB:
            problems.append(
                FormProblem(
                    "fields",
                    gettext_noop("The file field “%(label)s” may accept files of up to %(max)s MB; give a size from 0.1 to %(max)s."),
                    {"label": item.label, "max": MAX_FILE_MB},
                )
            )
    for raw in raw_fields if isinstance(raw_fields, list) else []:
        if isinstance(raw, dict) and raw.get("type") == "file":
            for part in split_options(raw.get("accept")):
                if not _accept_list(part):
                    problems.append(
                        FormProblem(
                            "fields",
                            gettext_noop("“%(value)s” is not a file type: write an extension like .pdf or a type like image/*."),
                            {"value": part[:50]},
                        )
                    )
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
        if item.type == "file":
            continue  # sent as files: upload_problems checks them, the page stores them
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
