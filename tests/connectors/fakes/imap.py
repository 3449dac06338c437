"""A small IMAP4rev1 server on 127.0.0.1 for the new-email trigger: CAPABILITY, LOGIN (NO [AUTHENTICATIONFAILED] for a
wrong password), SELECT/EXAMINE with UIDVALIDITY and UIDNEXT, UID SEARCH (ALL, UNSEEN, `UID n:*`, as real servers
answer `n:*` with the highest UID even below n), UID FETCH of `BODY.PEEK[]`/`RFC822`/`FLAGS` with literals, NOOP and
LOGOUT, in the shapes Dovecot and Gmail send. Messages are real RFC 822 bytes; a test adds them and may rebuild the
mailbox with a new UIDVALIDITY."""

from __future__ import annotations

import base64
import re
import socketserver
import threading
from email.message import EmailMessage


def make_message(*, subject: str, sender: str = "김민지 <minji@example.com>", text: str = "", html: str = "", attachments=()) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "ops@example.com"
    message["Subject"] = subject
    message["Date"] = "Mon, 07 Dec 2026 09:30:00 +0900"
    message["Message-ID"] = f"<{abs(hash(subject))}@example.com>"
    message.set_content(text or "(no text)")
    if html:
        message.add_alternative(html, subtype="html")
    for name, mime, data in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


class FakeImap:
    def __init__(self, *, user: str = "ops@example.com", password: str = "app-password", access_token: str = ""):
        self.user, self.password = user, password
        self.access_token = access_token  # accepted by AUTHENTICATE XOAUTH2 (Gmail's), as `user`
        self.xoauth2: list[dict] = []  # what each XOAUTH2 sign-in sent
        self.uidvalidity = 1700000001
        self.next_uid = 1
        self.messages: list[tuple[int, bytes, set]] = []  # (uid, raw, flags)
        self.commands: list[str] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                fake._session(self)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def deliver(self, raw: bytes, *, seen: bool = False) -> int:
        with self.lock:
            uid = self.next_uid
            self.next_uid += 1
            self.messages.append((uid, raw, {"\\Seen"} if seen else set()))
            return uid

    def rebuild(self) -> None:
        """The mailbox was recreated: new UIDVALIDITY, UIDs start again."""
        with self.lock:
            self.uidvalidity += 1
            self.messages = [(index + 1, raw, flags) for index, (_uid, raw, flags) in enumerate(self.messages)]
            self.next_uid = len(self.messages) + 1

    # The protocol.
    def _session(self, handler) -> None:
        out = handler.wfile

        def send(line: str | bytes) -> None:
            out.write(line if isinstance(line, bytes) else line.encode() + b"\r\n")
            out.flush()

        send("* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN AUTH=XOAUTH2] Fake IMAP ready")
        authenticated = selected = False
        while True:
            raw = handler.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            tag, _, rest = line.partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            self.commands.append(f"{command} {args}" if command != "LOGIN" else "LOGIN")
            if command == "CAPABILITY":
                send("* CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN AUTH=XOAUTH2")
                send(f"{tag} OK CAPABILITY completed")
            elif command == "LOGIN":
                user, password = _strings(args)
                if (user, password) != (self.user, self.password):
                    send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)")
                    continue
                authenticated = True
                send(f"{tag} OK [CAPABILITY IMAP4rev1] Logged in")
            elif command == "AUTHENTICATE" and args.upper() == "XOAUTH2":
                # Gmail's way: "user=<address>^Aauth=Bearer <token>^A^A" in base64; on refusal a base64 JSON challenge,
                # answered with an empty line, then NO.
                send("+ ")
                answer = base64.b64decode(handler.rfile.readline().strip() or b"=").decode("utf-8", "replace")
                parts = dict(p.split("=", 1) for p in answer.split("\x01") if "=" in p)
                self.xoauth2.append(parts)
                if self.access_token and parts.get("user") == self.user and parts.get("auth") == f"Bearer {self.access_token}":
                    authenticated = True
                    send(f"{tag} OK [CAPABILITY IMAP4rev1] {self.user} authenticated (Success)")
                    continue
                send("+ " + base64.b64encode(b'{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}').decode())
                handler.rfile.readline()
                send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)")
            elif command in ("SELECT", "EXAMINE"):
                if not authenticated:
                    send(f"{tag} BAD Not authenticated")
                    continue
                mailbox = _strings(args)[0]
                if mailbox.upper() != "INBOX":
                    send(f"{tag} NO [NONEXISTENT] Mailbox doesn't exist: {mailbox}")
                    continue
                with self.lock:
                    send(r"* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)")
                    send(f"* {len(self.messages)} EXISTS")
                    send("* 0 RECENT")
                    send(f"* OK [UIDVALIDITY {self.uidvalidity}] UIDs valid")
                    send(f"* OK [UIDNEXT {self.next_uid}] Predicted next UID")
                selected = True
                send(f"{tag} OK [{'READ-ONLY' if command == 'EXAMINE' else 'READ-WRITE'}] {command} completed")
            elif command == "UID" and selected:
                sub, _, spec = args.partition(" ")
                if sub.upper() == "SEARCH":
                    send("* SEARCH " + " ".join(str(uid) for uid in self._search(spec)))
                    send(f"{tag} OK SEARCH completed")
                elif sub.upper() == "FETCH":
                    self._fetch(spec, send)
                    send(f"{tag} OK FETCH completed")
                else:
                    send(f"{tag} BAD Unknown UID command")
            elif command == "NOOP":
                send(f"{tag} OK NOOP completed")
            elif command == "LOGOUT":
                send("* BYE Logging out")
                send(f"{tag} OK LOGOUT completed")
                return
            else:
                send(f"{tag} BAD Command not understood")

    def _search(self, spec: str) -> list[int]:
        with self.lock:
            uids = [(uid, flags) for uid, _raw, flags in self.messages]
        spec = spec.upper().strip()
        if spec.startswith("CHARSET"):
            spec = spec.split(" ", 2)[2] if spec.count(" ") >= 2 else ""
        found = [uid for uid, _flags in uids]
        if "UNSEEN" in spec:
            found = [uid for uid, flags in uids if "\\Seen" not in flags]
        if match := re.search(r"UID (\d+):\*", spec):
            low = int(match.group(1))
            higher = [uid for uid in found if uid >= low]
            found = higher or found[-1:]  # as real servers: n:* always includes the highest UID
        return found

    def _fetch(self, spec: str, send) -> None:
        uid_set, _, items = spec.partition(" ")
        wanted = _uid_set(uid_set, self.next_uid - 1)
        with self.lock:
            messages = [(index + 1, uid, raw, flags) for index, (uid, raw, flags) in enumerate(self.messages) if uid in wanted]
        body = "BODY.PEEK[]" in items.upper() or "RFC822" in items.upper()
        for number, uid, raw, flags in messages:
            flag_text = " ".join(sorted(flags))
            if body:
                send(f"* {number} FETCH (UID {uid} FLAGS ({flag_text}) BODY[] {{{len(raw)}}}".encode() + b"\r\n" + raw + b")\r\n")
            else:
                send(f"* {number} FETCH (UID {uid} FLAGS ({flag_text}))")


def _strings(args: str) -> list[str]:
    return [quoted if quoted else bare for quoted, bare in re.findall(r'"((?:[^"\\]|\\.)*)"|(\S+)', args)]


def _uid_set(text: str, highest: int) -> set[int]:
    found: set[int] = set()
    for part in text.split(","):
        if ":" in part:
            low, high = part.split(":")
            low_n = int(low)
            high_n = highest if high == "*" else int(high)
            found.update(range(min(low_n, high_n), max(low_n, high_n) + 1))
        elif part:
            found.add(highest if part == "*" else int(part))
    return found
