"""A real SFTP server on 127.0.0.1 built on paramiko's server interface, serving a temporary folder: password and
public-key sign-in, listing, reading and writing files (SSH_FX_NO_SUCH_FILE / PERMISSION_DENIED as a real server)."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import paramiko


class _Handle(paramiko.SFTPHandle):
    pass


class _Files(paramiko.SFTPServerInterface):
    def __init__(self, server, *args, root: str, **kwargs):
        super().__init__(server, *args, **kwargs)
        self.root = Path(root)

    def _local(self, path: str) -> Path:
        inside = os.path.normpath("/" + path.lstrip("/")).lstrip("/")
        return self.root / inside

    def canonicalize(self, path):
        return os.path.normpath("/" + path.lstrip("/"))

    def list_folder(self, path):
        local = self._local(path)
        if not local.is_dir():
            return paramiko.SFTP_NO_SUCH_FILE
        out = []
        for child in sorted(local.iterdir()):
            attributes = paramiko.SFTPAttributes.from_stat(child.stat())
            attributes.filename = child.name
            out.append(attributes)
        return out

    def stat(self, path):
        local = self._local(path)
        return paramiko.SFTPAttributes.from_stat(local.stat()) if local.exists() else paramiko.SFTP_NO_SUCH_FILE

    lstat = stat

    def open(self, path, flags, attr):
        local = self._local(path)
        if local.name.startswith("locked"):
            return paramiko.SFTP_PERMISSION_DENIED
        writing = flags & (os.O_WRONLY | os.O_RDWR)
        if not writing and not local.is_file():
            return paramiko.SFTP_NO_SUCH_FILE
        if writing and not local.parent.is_dir():
            return paramiko.SFTP_NO_SUCH_FILE
        handle = _Handle(flags)
        mode = ("wb" if flags & os.O_TRUNC or not local.exists() else "r+b") if writing else "rb"
        stream = open(local, mode)  # noqa: SIM115 - paramiko closes it with the handle
        handle.readfile = stream if not writing else None
        handle.writefile = stream if writing else None
        if writing:
            handle.readfile = None
        return handle


class _Server(paramiko.ServerInterface):
    def __init__(self, fake):
        self.fake = fake

    def get_allowed_auths(self, username):
        return "password,publickey"

    def check_auth_password(self, username, password):
        ok = (username, password) == (self.fake.user, self.fake.password)
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_auth_publickey(self, username, key):
        ok = username == self.fake.user and self.fake.client_key is not None and key.asbytes() == self.fake.client_key.asbytes()
        return paramiko.AUTH_SUCCESSFUL if ok else paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class FakeSftp:
    def __init__(self, root: Path, *, user: str = "partner", password: str = "s3cret"):
        self.root, self.user, self.password = root, user, password
        self.host_key = paramiko.ECDSAKey.generate()
        self.client_key: paramiko.PKey | None = None
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.transports: list[paramiko.Transport] = []
        self._stop = threading.Event()

    def __enter__(self):
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.listener.close()
        for transport in self.transports:
            transport.close()

    def _accept(self):
        while not self._stop.is_set():
            try:
                sock, _address = self.listener.accept()
            except OSError:
                return
            transport = paramiko.Transport(sock)
            transport.add_server_key(self.host_key)
            transport.set_subsystem_handler("sftp", paramiko.SFTPServer, _Files, root=str(self.root))
            self.transports.append(transport)
            try:
                transport.start_server(server=_Server(self))
            except (paramiko.SSHException, EOFError, OSError):
                transport.close()
