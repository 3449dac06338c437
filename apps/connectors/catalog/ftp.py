"""FTP and FTPS (explicit TLS): list a folder, download and upload files.

The control connection goes to the address the SSRF policy checked (apps.connectors.network); data connections go
to that same address whatever the server's PASV answer names (ftplib ignores the address in PASV replies), so a
server cannot point transfers at another host. With TLS the server's certificate is checked against its name and
the data connections are protected too (PROT P)."""

from __future__ import annotations

import contextlib
import datetime as dt
import ftplib
import io
import posixpath
import ssl

from apps.connectors.files import spooled, too_large
from apps.connectors.filesteps import Server, Session, path_error, refusals, register_file_server_steps, unreachable_error
from apps.connectors.network import checked_address, port_of
from apps.flows.credential_kinds import CredentialKind, Field, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.engine.errors import NodeError, gettext_noop

SECURITY = ("none", "tls")


class _TooLarge(Exception):
    pass


def _reply_error(exc: Exception, path: str) -> NodeError:
    text = str(exc)
    return path_error("missing_or_denied" if text.startswith("550") else "refused", path, text)


_FAILURES = (ftplib.Error, OSError)


def _modified(facts: dict) -> str:
    value = facts.get("modify", "")
    try:
        return dt.datetime.strptime(value[:14], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC).isoformat()
    except ValueError:
        return ""


class FtpSession(Session):
    def __init__(self, client: ftplib.FTP):
        self.client = client

    def list(self, folder):
        try:
            entries = [
                {
                    "name": name,
                    "path": posixpath.join(folder, name),
                    "size": int(facts.get("size") or 0),
                    "modified": _modified(facts),
                    "is_folder": facts.get("type") == "dir",
                }
                for name, facts in self.client.mlsd(folder, facts=["type", "size", "modify"])
                if facts.get("type") not in ("cdir", "pdir")
            ]
        except ftplib.error_perm as exc:
            if not str(exc).startswith("500") and not str(exc).startswith("502"):
                raise _reply_error(exc, folder) from None
            entries = [
                {"name": posixpath.basename(name), "path": posixpath.join(folder, posixpath.basename(name))}
                for name in self.client.nlst(folder)
            ]
        except _FAILURES as exc:
            raise _reply_error(exc, folder) from None
        return entries

    def read(self, path, limit):
        buffer = spooled()

        def take(chunk: bytes) -> None:
            buffer.write(chunk)
            if buffer.tell() > limit:
                raise _TooLarge

        try:
            with refusals(path, _FAILURES, _reply_error, cleanup=buffer.close):
                self.client.retrbinary(f"RETR {path}", take)
        except _TooLarge:
            buffer.close()
            with contextlib.suppress(*_FAILURES):
                self.client.abort()
            raise too_large(path) from None
        buffer.seek(0)
        return buffer

    def write(self, path, data):
        with refusals(path, _FAILURES, _reply_error):
            self.client.storbinary(f"STOR {path}", io.BytesIO(data))

    def close(self):
        try:
            self.client.quit()
        except (ftplib.Error, OSError):
            self.client.close()


def ftp_session(data: dict, *, allow_hosts, timeout: float) -> FtpSession:
    host = str(data.get("host") or "").strip()
    security = (str(data.get("security") or "none").strip().lower()) or "none"
    if security not in SECURITY:
        raise NodeError(gettext_noop("Security must be none or tls."), code="ftp_bad_security")
    port = port_of(data.get("port"), 21)
    address = checked_address(host, port, allow_hosts=allow_hosts)
    # Plain FTP is what many company and device servers still speak; the form recommends tls where it exists.
    client = (
        ftplib.FTP_TLS(context=ssl.create_default_context(), timeout=timeout)  # noqa: S321
        if security == "tls"
        else ftplib.FTP(timeout=timeout)  # noqa: S321
    )
    client.trust_server_pasv_ipv4_address = False  # data connections go to the checked address only
    try:
        client.connect(address, port, timeout=timeout)
        client.host = host  # TLS checks the certificate against the name, not the address
        if security == "tls":
            client.auth()
        client.login(str(data.get("username") or "anonymous").strip(), str(data.get("password") or ""))
        if security == "tls":
            client.prot_p()
    except ftplib.error_perm as exc:
        client.close()
        raise NodeError(
            gettext_noop("The FTP server refused the sign-in (%(reason)s). Check the user name and password."),
            code="ftp_login_refused",
            values={"reason": str(exc)[:200]},
        ) from None
    except (ftplib.Error, OSError, EOFError) as exc:
        client.close()
        raise unreachable_error(FTP, exc) from None
    return FtpSession(client)


class FtpServer(Server):
    credential_type = "ftp"
    name = "FTP"

    def open(self, data, *, allow_hosts, timeout):
        return ftp_session(data, allow_hosts=allow_hosts, timeout=timeout)


FTP = FtpServer()


@register_credential_kind
class FtpKind(CredentialKind):
    key = "ftp"
    label = t("FTP server", "FTP 서버")
    fields = (
        Field("host", t("Server", "서버"), secret=False),
        Field("port", t("Port", "포트"), secret=False, required=False, example="21"),
        Field("username", t("User name", "사용자 이름"), secret=False),
        Field("password", t("Password", "비밀번호"), required=False),
        Field("security", t("Security (none, tls)", "보안 방식(none, tls)"), secret=False, required=False),
    )
    help = t(
        "The server's name or address and the account from its administrator. Choose tls when the server supports "
        "FTPS (explicit TLS): plain FTP sends the password unencrypted.",
        "서버 관리자에게 받은 서버 이름이나 주소와 계정을 넣으세요. 서버가 FTPS(명시적 TLS)를 지원하면 tls를 고르세요. "
        "일반 FTP는 비밀번호를 암호화하지 않고 보냅니다.",
    )

    def problems(self, data):
        if str(data.get("security") or "none").strip().lower() not in SECURITY:
            return [(gettext_noop("Security must be none or tls."), {})]
        return []

    def test(self, data, *, allow_hosts=(), url=""):
        try:
            session = ftp_session(data, allow_hosts=allow_hosts, timeout=15.0)
            session.client.voidcmd("NOOP")
            session.close()
        except NodeError as error:
            return TestResult(False, error.template, error.values)
        except _FAILURES as exc:
            error = unreachable_error(FTP, exc)
            return TestResult(False, error.template, error.values)
        return TestResult(True, gettext_noop("Signed in to the FTP server."))


FtpList, FtpDownload, FtpUpload = register_file_server_steps(FTP, aliases=("ftp", "ftps", "file transfer", "파일 전송", "에프티피"))
