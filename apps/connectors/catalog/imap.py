"""IMAP: a trigger that starts the flow with each new email of a mailbox (any mail server: company mail, Naver,
Daum, Gmail or Outlook with an app password), with sender, subject, text, HTML and attachments.

It is a polling trigger (apps.flows.triggers.polling, wired by apps/runs/services/polling.py) with a kind of its own
for the mailbox's identity: emails are named by UIDVALIDITY:UID, the state remembers the newest ones, and each poll
asks the server only for UIDs above the highest seen (`UID SEARCH UID n:*`), so a restart neither repeats nor loses a
message. When the server renumbers the mailbox (a new UIDVALIDITY) the poll remembers what is there and starts
nothing, as on the first poll. Messages are read with BODY.PEEK[], which leaves them unread.

The server is reached through the SSRF policy (apps.connectors.network): the client connects to the checked address
and TLS still verifies the server's name."""

from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import re
import socket
import ssl
from email.utils import getaddresses, parsedate_to_datetime

from apps.connectors import n8n
from apps.connectors.catalog.google.common import GoogleOAuth2
from apps.connectors.files import attachment_saver
from apps.connectors.network import checked_address, port_of
from apps.flows.credential_kinds import CredentialKind, Field, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.credential_kinds.oauth2 import TOKENS
from apps.flows.engine.errors import NodeError, gettext_noop
from apps.flows.nodes.base import NodeType, Param
from apps.flows.nodes.n8n import N8nMapping
from apps.flows.nodes.registry import register
from apps.flows.triggers.polling import PollingTriggerKind
from apps.flows.triggers.registry import register_trigger_kind

SECURITY = ("ssl", "starttls", "none")
TIMEOUT = 20.0
MAX_NEW_PER_POLL = 50  # the rest come with the next polls, oldest first
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")
_FETCH_UID = re.compile(rb"UID (\d+)")


class _Pinned:
    def _create_socket(self, timeout):
        return socket.create_connection((self._pinned_address, self.port), timeout)


class _PinnedIMAP4(_Pinned, imaplib.IMAP4):
    def __init__(self, address: str, host: str, port: int, timeout: float):
        self._pinned_address = address
        super().__init__(host, port, timeout=timeout)


class _PinnedIMAP4SSL(imaplib.IMAP4_SSL):
    def __init__(self, address: str, host: str, port: int, timeout: float):
        self._pinned_address = address
        super().__init__(host, port, ssl_context=ssl.create_default_context(), timeout=timeout)

    def _create_socket(self, timeout):
        sock = socket.create_connection((self._pinned_address, self.port), timeout)
        return self.ssl_context.wrap_socket(sock, server_hostname=self.host)


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def xoauth2(user: str, access_token: str):
    """The SASL XOAUTH2 answer for imaplib's authenticate (Google's format); an empty answer to the server's error
    challenge, as the mechanism asks, so the server then says NO."""
    sent = []

    def answer(_challenge: bytes) -> bytes:
        if sent:
            return b""
        sent.append(True)
        return f"user={user}\x01auth=Bearer {access_token}\x01\x01".encode()

    return answer


def imap_session(data: dict, *, allow_hosts, timeout: float = TIMEOUT, oauth2_token: str = "") -> imaplib.IMAP4:
    """A signed-in IMAP client, or a NodeError that says what to fix. With `oauth2_token` the client signs in with
    SASL XOAUTH2 as `username` (a Google connection) instead of the password."""
    host = str(data.get("host") or "").strip()
    security = (str(data.get("security") or "ssl").strip().lower()) or "ssl"
    if security not in SECURITY:
        raise NodeError(gettext_noop("Security must be ssl, starttls or none."), code="imap_bad_security")
    port = port_of(data.get("port"), 993 if security == "ssl" else 143)
    address = checked_address(host, port, allow_hosts=allow_hosts)
    try:
        if security == "ssl":
            client = _PinnedIMAP4SSL(address, host, port, timeout)
        else:
            client = _PinnedIMAP4(address, host, port, timeout)
            if security == "starttls":
                client.starttls(ssl_context=ssl.create_default_context())
    except (OSError, imaplib.IMAP4.error) as exc:
        raise NodeError(
            gettext_noop("Could not connect to the mail server: %(reason)s"), code="imap_unreachable", values={"reason": str(exc)[:300]}
        ) from None
    try:
        if oauth2_token:
            client.authenticate("XOAUTH2", xoauth2(str(data.get("username") or "").strip(), oauth2_token))
        else:
            client.login(str(data.get("username") or "").strip(), str(data.get("password") or ""))
    except imaplib.IMAP4.error as exc:
        _logout(client)
        if oauth2_token:
            raise NodeError(
                gettext_noop(
                    "The mail server refused the Google sign-in for %(user)s (%(reason)s). Check the email address, and "
                    "reconnect the Google connection on the Connections page (it must allow full Gmail access)."
                ),
                code="imap_login_refused",
                values={"user": str(data.get("username") or ""), "reason": _text(exc)[:200]},
            ) from None
        raise NodeError(
            gettext_noop(
                "The mail server refused the sign-in (%(reason)s). Check the user name and password; Gmail, Naver and "
                "Daum need IMAP switched on in their mail settings and an app password."
            ),
            code="imap_login_refused",
            values={"reason": _text(exc)[:200]},
        ) from None
    except OSError as exc:
        _logout(client)
        raise NodeError(
            gettext_noop("Could not connect to the mail server: %(reason)s"), code="imap_unreachable", values={"reason": str(exc)[:300]}
        ) from None
    return client


def _logout(client) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        client.logout()


def _select(client, mailbox: str) -> int:
    typ, _data = client.select(_quoted(mailbox), readonly=True)
    if typ != "OK":
        raise NodeError(
            gettext_noop("The mailbox “%(mailbox)s” does not exist on the server. Check its name (e.g. INBOX)."),
            code="imap_no_mailbox",
            values={"mailbox": mailbox},
        )
    codes = client.untagged_responses.get("OK", []) + client.untagged_responses.get("UIDVALIDITY", [])
    for code in client.response("UIDVALIDITY")[1] or []:
        if code and str(_text(code)).isdigit():
            return int(code)
    for line in codes:
        if match := _UIDVALIDITY.search(line if isinstance(line, bytes) else str(line).encode()):
            return int(match.group(1))
    return 0


def _quoted(mailbox: str) -> str:
    mailbox = str(mailbox or "INBOX").strip() or "INBOX"
    if any(ch in mailbox for ch in "\r\n\x00"):
        raise NodeError(gettext_noop("The mailbox name has characters that are not allowed."), code="imap_no_mailbox")
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _search(client, criteria: str) -> list[int]:
    typ, data = client.uid("SEARCH", criteria)
    if typ != "OK":
        raise NodeError(
            gettext_noop("The mail server refused the search: %(reason)s"), code="imap_error", values={"reason": _text(data)[:200]}
        )
    return sorted({int(part) for line in data if line for part in _text(line).split()})


def _fetch(client, uid: int) -> bytes:
    typ, data = client.uid("FETCH", str(uid), "(UID BODY.PEEK[])")
    if typ != "OK":
        raise NodeError(
            gettext_noop("The mail server refused to send a message: %(reason)s"), code="imap_error", values={"reason": _text(data)[:200]}
        )
    for part in data:
        if isinstance(part, tuple) and len(part) == 2 and _FETCH_UID.search(part[0] or b""):
            return part[1]
    return b""


def _addresses(value) -> list[dict]:
    return [{"name": name, "address": address} for name, address in getaddresses([str(value)]) if address] if value else []


def parse_message(raw: bytes, *, uid: int, uidvalidity: int, mailbox: str, store_attachment=None) -> dict:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    attachments = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        name = part.get_filename() or "attachment"
        mime = part.get_content_type()
        attachments.append(
            store_attachment(payload, name, mime) if store_attachment else {"name": name, "mime_type": mime, "size": len(payload)}
        )
    sender = _addresses(message.get("From"))
    try:
        date = parsedate_to_datetime(str(message.get("Date"))).isoformat() if message.get("Date") else ""
    except (TypeError, ValueError):
        date = ""
    return {
        "uid": uid,
        "uidvalidity": uidvalidity,
        "mailbox": mailbox,
        "message_id": str(message.get("Message-ID") or ""),
        "subject": str(message.get("Subject") or ""),
        "from": sender[0] if sender else {"name": "", "address": ""},
        "to": _addresses(message.get("To")),
        "cc": _addresses(message.get("Cc")),
        "date": date,
        "text": text_part.get_content() if text_part is not None else "",
        "html": html_part.get_content() if html_part is not None else "",
        "attachments": attachments,
    }


@register_trigger_kind
class MailboxPollingKind(PollingTriggerKind):
    """Polling by UIDVALIDITY:UID: a renumbered mailbox is remembered afresh instead of starting a run per email."""

    key = "polling_mailbox"

    def new_items(self, items, state, key):
        items = list(items)
        validity = next((item.get("uidvalidity") for item in items if item.get("uidvalidity")), None)
        if validity is not None and state.get("uidvalidity") not in (None, validity):
            state = {}  # what is there now is remembered and starts nothing
        fresh, new_state = super().new_items(items, state, key)
        new_state["uidvalidity"] = validity if validity is not None else state.get("uidvalidity")
        return [item for item in fresh if not item.get("stub")], new_state


@register_credential_kind
class ImapKind(CredentialKind):
    key = "imap"
    label = t("Mailbox (IMAP)", "메일함(IMAP)")
    fields = (
        Field("host", t("IMAP server", "IMAP 서버"), secret=False, example="imap.naver.com"),
        Field("port", t("Port", "포트"), secret=False, required=False, example="993"),
        Field("username", t("User name (usually the email address)", "사용자 이름(보통 이메일 주소)"), secret=False),
        Field("password", t("Password or app password", "비밀번호 또는 앱 비밀번호")),
        Field("security", t("Security (ssl, starttls, none)", "보안 방식(ssl, starttls, none)"), secret=False, required=False),
    )
    help = t(
        "The mail service's IMAP server: imap.naver.com, imap.daum.net, imap.gmail.com, outlook.office365.com, or your "
        "company's (ask IT). Switch IMAP on in the mail settings (Naver: 환경설정 → POP3/IMAP 설정) and, where two-step "
        "sign-in is on, use an app password.",
        "메일 서비스의 IMAP 서버를 넣으세요: imap.naver.com, imap.daum.net, imap.gmail.com, outlook.office365.com 또는 "
        "회사 메일 서버(IT 담당자에게 문의). 메일 환경설정에서 IMAP을 켜고(네이버: 환경설정 → POP3/IMAP 설정), 2단계 "
        "인증을 쓰면 앱 비밀번호를 넣으세요.",
    )

    def problems(self, data):
        if str(data.get("security") or "ssl").strip().lower() not in SECURITY:
            return [(gettext_noop("Security must be ssl, starttls or none."), {})]
        return []

    def test(self, data, *, allow_hosts=(), url=""):
        try:
            client = imap_session(data, allow_hosts=allow_hosts, timeout=15.0)
            try:
                _select(client, "INBOX")
            finally:
                _logout(client)
        except NodeError as error:
            return TestResult(False, error.template, error.values)
        return TestResult(True, gettext_noop("Signed in to the mail server and opened the inbox."))


GMAIL_IMAP = "gmail_imap"  # EZFLOW_CONNECTOR_BASE_URLS key: imaps://imap.gmail.com:993 (tests: imap://127.0.0.1:<port>)


def gmail_imap_server() -> dict:
    """Gmail's IMAP server as mailbox settings (host, port, security)."""
    from urllib.parse import urlsplit

    from apps.connectors.http import base_urls

    parts = urlsplit(base_urls().get(GMAIL_IMAP) or "imaps://imap.gmail.com:993")
    security = "ssl" if parts.scheme == "imaps" else "none"
    return {"host": parts.hostname or "", "port": str(parts.port or (993 if security == "ssl" else 143)), "security": security}


@register_credential_kind
class GoogleMailbox(GoogleOAuth2):
    """Sign in with Google for a Gmail mailbox over IMAP (SASL XOAUTH2): Gmail's IMAP asks for the full-mail scope."""

    icon = "gmail"
    key = "google_imap"
    label = t("Gmail mailbox (IMAP, sign in with Google)", "Gmail 메일함(IMAP, Google 로그인)")
    scopes = ("https://mail.google.com/",)


AUTHENTICATIONS = (
    ("imap", t("User name and password (any mail service)", "사용자 이름과 비밀번호(모든 메일 서비스)")),
    (GoogleMailbox.key, t("Sign in with Google (Gmail, no app password)", "Google 로그인(Gmail, 앱 비밀번호 없이)")),
)


def mailbox_settings(parameters: dict, host) -> tuple[dict, str]:
    """The mailbox to open and, for a Google connection, its access token (renewed before expiry by the host)."""
    google = parameters.get("authentication") == GoogleMailbox.key
    if not parameters.get("google_credential" if google else "credential"):
        raise NodeError(gettext_noop("Choose the connection to the mailbox."), code="credential_missing")
    if google:
        data = host.credential(parameters.get("google_credential"), GoogleMailbox.key)
        token = str((data.get(TOKENS) or {}).get("access_token") or "")
        user = str(parameters.get("email_address") or "").strip()
        if not user or "@" not in user:
            raise NodeError(gettext_noop("Write the Gmail address to sign in as, e.g. ops@example.com."), code="imap_no_address")
        return {**gmail_imap_server(), "username": user}, token
    return host.credential(parameters.get("credential"), "imap"), ""


@register
class NewEmail(NodeType):
    key = "imap.new_email"
    n8n = (N8nMapping(("n8n-nodes-base.emailReadImap",), n8n.imap_trigger),)
    category = "trigger"
    inputs = ()
    is_trigger = True
    trigger_kind = "polling_mailbox"
    icon = "mail"
    label = t("New email (IMAP)", "새 이메일(IMAP)")
    description = t(
        "Checks a mailbox every few minutes and starts the flow with each email that arrived since the last check: "
        "sender, subject, text, HTML and attachments. Emails already there when the flow is switched on do not start "
        "it; emails stay unread.",
        "몇 분마다 메일함을 확인해 지난 확인 뒤에 도착한 이메일마다 플로우를 시작합니다: 보낸 사람, 제목, 본문, HTML, "
        "첨부 파일. 플로우를 켤 때 이미 있던 메일로는 시작하지 않으며, 메일은 읽지 않음 상태로 둡니다.",
    )
    aliases = ("imap", "email", "mail", "inbox", "이메일", "메일", "받은편지함", "첨부")
    params = (
        Param(
            "authentication",
            "select",
            t("Sign in with", "로그인 방식"),
            default="imap",
            expressions=False,
            options=AUTHENTICATIONS,
        ),
        # One connection per way of signing in (not required by the form: the trigger says which one is missing).
        Param(
            "credential",
            "credential",
            t("Mailbox", "메일함"),
            credential_type="imap",
            expressions=False,
            show_if={"authentication": ("imap",)},
        ),
        Param(
            "google_credential",
            "credential",
            t("Google connection", "Google 연결"),
            credential_type=GoogleMailbox.key,
            expressions=False,
            show_if={"authentication": (GoogleMailbox.key,)},
        ),
        Param(
            "email_address",
            "string",
            t("Gmail address", "Gmail 주소"),
            default="",
            expressions=False,
            show_if={"authentication": (GoogleMailbox.key,)},
        ),
        Param("mailbox", "string", t("Folder", "폴더"), default="INBOX", expressions=False, help=t("e.g. INBOX", "예: INBOX(받은편지함)")),
        Param(
            "unread_only",
            "boolean",
            t("Only unread emails", "읽지 않은 메일만"),
            default=False,
            expressions=False,
            help=t("Emails someone already read in a mail app are skipped.", "메일 앱에서 이미 읽은 메일은 건너뜁니다."),
        ),
        Param(
            "interval_minutes",
            "integer",
            t("Check every (minutes)", "확인 간격(분)"),
            default=5,
            minimum=1,
            maximum=1440,
            expressions=False,
        ),
    )

    def execute(self, ctx):
        return {"main": ctx.items}

    def dedupe_key(self, item: dict) -> str:
        return f"{item.get('uidvalidity')}:{item.get('uid')}"

    def poll(self, parameters: dict, state: dict, host) -> list[dict]:
        data, token = mailbox_settings(parameters, host)
        mailbox = str(parameters.get("mailbox") or "INBOX")
        client = imap_session(data, allow_hosts=host.http_allow_hosts, oauth2_token=token)
        try:
            validity = _select(client, mailbox)
            fresh_start = not state.get("primed") or state.get("uidvalidity") not in (None, validity)
            if fresh_start:
                # Only the identities: these are remembered, not run (MailboxPollingKind.new_items).
                uids = _search(client, "ALL")[-(MailboxPollingKind.remembered_keys - 1) :]
                # UID 0 (never a message) carries the mailbox's identity even when it is empty.
                return [{"uid": uid, "uidvalidity": validity, "stub": True} for uid in [0, *uids]]
            seen = [key.split(":", 1) for key in state.get("seen") or []]
            highest = max((int(uid) for valid, uid in seen if valid == str(validity) and uid.isdigit()), default=0)
            criteria = f"UID {highest + 1}:*" + (" UNSEEN" if parameters.get("unread_only") else "")
            uids = [uid for uid in _search(client, criteria) if uid > highest][:MAX_NEW_PER_POLL]
            store = attachment_saver(host)
            items = []
            for uid in uids:
                raw = _fetch(client, uid)
                items.append(parse_message(raw, uid=uid, uidvalidity=validity, mailbox=mailbox, store_attachment=store))
            # The stub keeps the mailbox's identity in the state while nothing arrives (already seen: starts nothing).
            return items or [{"uid": highest, "uidvalidity": validity, "stub": True}]
        except (OSError, imaplib.IMAP4.error) as exc:
            raise NodeError(
                gettext_noop("The mail server stopped answering: %(reason)s"), code="imap_unreachable", values={"reason": _text(exc)[:300]}
            ) from None
        finally:
            _logout(client)
