"""SFTP (file transfer over SSH): list a folder, download and upload files, with a password or a private key.

The server is reached through the SSRF policy (apps.connectors.network) and paramiko runs over the socket opened to
the checked address. The server's host key is checked against the fingerprint saved in the connection (SHA256:…, as
`ssh-keygen -lf` prints it); without one it is accepted and the connection test shows it to paste in."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import posixpath
import socket
import stat

from apps.connectors.files import spooled, too_large
from apps.connectors.filesteps import Server, Session, path_error, refusals, register_file_server_steps, unreachable_error
from apps.connectors.network import checked_address, port_of
from apps.core.lazy import LazyModule
from apps.flows.credential_kinds import CredentialKind, Field, TestResult, t
from apps.flows.credential_kinds import register as register_credential_kind
from apps.flows.engine.errors import NodeError, gettext_noop

# paramiko (12 MB with what it loads) is imported on the first SFTP use, not in every web process and worker.
paramiko = LazyModule("paramiko")


def fingerprint(key: paramiko.PKey) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


def _private_key(text: str, passphrase: str) -> paramiko.PKey:
    for kind in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return kind.from_private_key(io.StringIO(text.strip() + "\n"), password=passphrase or None)
        except paramiko.PasswordRequiredException:
            raise NodeError(
                gettext_noop("The private key is protected: add its passphrase to the connection."), code="sftp_bad_key"
            ) from None
        except (paramiko.SSHException, ValueError, UnicodeError, TypeError):
            continue
    raise NodeError(
        gettext_noop("The private key could not be read. Paste the whole key, from -----BEGIN to END-----."), code="sftp_bad_key"
    )


def _file_error(exc: Exception, path: str) -> NodeError:
    if isinstance(exc, FileNotFoundError) or getattr(exc, "errno", None) == 2:
        return path_error("missing", path)
    if isinstance(exc, PermissionError) or getattr(exc, "errno", None) == 13:
        return path_error("denied", path)
    return path_error("refused", path, exc)


def _failures() -> tuple[type[BaseException], ...]:
    return (OSError, paramiko.SSHException)  # a function: paramiko is imported on first use


class SftpSession(Session):
    def __init__(self, transport: paramiko.Transport):
        self.transport = transport
        self.client = paramiko.SFTPClient.from_transport(transport)

    def list(self, folder):
        with refusals(folder, _failures(), _file_error):
            entries = self.client.listdir_attr(folder)
        return [
            {
                "name": entry.filename,
                "path": posixpath.join(folder, entry.filename),
                "size": entry.st_size or 0,
                "modified": dt.datetime.fromtimestamp(entry.st_mtime or 0, dt.UTC).isoformat(),
                "is_folder": stat.S_ISDIR(entry.st_mode or 0),
            }
            for entry in entries
        ]

    def read(self, path, limit):
        buffer = spooled()
        with refusals(path, _failures(), _file_error, cleanup=buffer.close):
            size = self.client.stat(path).st_size or 0
            if size > limit:
                raise too_large(path)
            with self.client.open(path, "rb") as handle:
                handle.prefetch(size)  # asks for every block at once instead of one round trip per block
                while chunk := handle.read(64 * 1024):
                    buffer.write(chunk)
                    if buffer.tell() > limit:
                        raise too_large(path)
        buffer.seek(0)
        return buffer

    def write(self, path, data):
        with refusals(path, _failures(), _file_error), self.client.open(path, "wb") as handle:
            handle.write(data)

    def close(self):
        self.client.close()
        self.transport.close()


def sftp_transport(data: dict, *, allow_hosts, timeout: float) -> tuple[paramiko.Transport, str]:
    """A signed-in SSH transport and the server key's fingerprint."""
    host = str(data.get("host") or "").strip()
    port = port_of(data.get("port"), 22)
    address = checked_address(host, port, allow_hosts=allow_hosts)
    try:
        sock = socket.create_connection((address, port), timeout=timeout)
    except OSError as exc:
        raise unreachable_error(SFTP, exc) from None
    transport = paramiko.Transport(sock)
    transport.banner_timeout = transport.auth_timeout = timeout
    try:
        transport.start_client(timeout=timeout)
        seen = fingerprint(transport.get_remote_server_key())
        expected = str(data.get("host_key") or "").strip()
        if expected and expected.removeprefix("SHA256:").rstrip("=") != seen.removeprefix("SHA256:"):
            raise NodeError(
                gettext_noop(
                    "The server's key is %(seen)s, not the one saved in the connection. If the server was reinstalled, "
                    "ask its administrator for the new key; otherwise someone may be impersonating it."
                ),
                code="sftp_host_key_changed",
                values={"seen": seen},
            )
        username = str(data.get("username") or "").strip()
        if str(data.get("private_key") or "").strip():
            transport.auth_publickey(username, _private_key(str(data["private_key"]), str(data.get("passphrase") or "")))
        else:
            transport.auth_password(username, str(data.get("password") or ""))
    except NodeError:
        transport.close()
        raise
    except paramiko.AuthenticationException:
        transport.close()
        raise NodeError(
            gettext_noop("The SFTP server refused the user name, password or key. Check them in the connection."), code="sftp_login_refused"
        ) from None
    except (paramiko.SSHException, OSError, EOFError) as exc:
        transport.close()
        raise unreachable_error(SFTP, exc) from None
    return transport, seen


class SftpServer(Server):
    credential_type = "sftp"
    name = "SFTP"

    def open(self, data, *, allow_hosts, timeout):
        transport, _fingerprint = sftp_transport(data, allow_hosts=allow_hosts, timeout=timeout)
        try:
            return SftpSession(transport)
        except (paramiko.SSHException, OSError) as exc:
            transport.close()
            raise unreachable_error(SFTP, exc) from None


SFTP = SftpServer()


@register_credential_kind
class SftpKind(CredentialKind):
    key = "sftp"
    label = t("SFTP server", "SFTP 서버")
    fields = (
        Field("host", t("Server", "서버"), secret=False),
        Field("port", t("Port", "포트"), secret=False, required=False, example="22"),
        Field("username", t("User name", "사용자 이름"), secret=False),
        Field("password", t("Password", "비밀번호"), required=False),
        Field("private_key", t("Private key (instead of a password)", "개인 키(비밀번호 대신)"), required=False),
        Field("passphrase", t("Private key passphrase", "개인 키 암호"), required=False),
        Field("host_key", t("Server key fingerprint (SHA256:…)", "서버 키 지문(SHA256:…)"), secret=False, required=False),
    )
    help = t(
        "The server's name or address and the account from its administrator, with a password or a private key (the "
        "whole text from -----BEGIN). Ask for the server key's fingerprint too (ssh-keygen -lf on the server) so the "
        "connection checks it is the right server; “Test connection” shows the key it sees.",
        "서버 관리자에게 받은 서버 이름이나 주소와 계정, 비밀번호 또는 개인 키(-----BEGIN부터 전체)를 넣으세요. 올바른 "
        "서버인지 확인하도록 서버 키 지문(서버에서 ssh-keygen -lf)도 받아 넣으세요. “연결 테스트”가 보이는 키를 알려 줍니다.",
    )

    def test(self, data, *, allow_hosts=(), url=""):
        try:
            transport, seen = sftp_transport(data, allow_hosts=allow_hosts, timeout=15.0)
            try:
                SftpSession(transport).list(".")
            finally:
                transport.close()
        except NodeError as error:
            return TestResult(False, error.template, error.values)
        except (paramiko.SSHException, OSError) as exc:
            error = unreachable_error(SFTP, exc)
            return TestResult(False, error.template, error.values)
        if str(data.get("host_key") or "").strip():
            return TestResult(True, gettext_noop("Signed in to the SFTP server; its key matches (%(fingerprint)s)."), {"fingerprint": seen})
        return TestResult(
            True,
            gettext_noop("Signed in to the SFTP server. Its key is %(fingerprint)s: save it in the connection to check it every time."),
            {"fingerprint": seen},
        )


SftpList, SftpDownload, SftpUpload = register_file_server_steps(SFTP, aliases=("sftp", "ssh", "file transfer", "파일 전송", "에스에프티피"))
