"""SFTP (a paramiko server in the test) and FTP (pyftpdlib in the test): list, download, upload through the engine with
stored credentials, host-key checks, clear errors and the network policy."""

import threading

import paramiko
import pytest
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer

from apps.connectors.catalog.sftp import fingerprint
from apps.files.refs import is_file_ref
from apps.files.services import file_read
from apps.flows.credential_kinds import get as credential_kind
from tests.connectors.conftest import credential, run_step
from tests.connectors.fakes.sftp import FakeSftp


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "outbox").mkdir()
    (tmp_path / "inbox").mkdir()
    (tmp_path / "outbox" / "매출_12월.csv").write_text("월,매출\n12,1000\n", encoding="utf-8")
    (tmp_path / "outbox" / "readme.txt").write_bytes(b"hello")
    return tmp_path


@pytest.fixture
def sftp(folder):
    with FakeSftp(folder) as fake:
        yield fake


@pytest.fixture
def ftp(folder):
    authorizer = DummyAuthorizer()
    authorizer.add_user("partner", "s3cret", str(folder), perm="elradfmw")
    handler = type("Handler", (FTPHandler,), {"authorizer": authorizer, "passive_ports": range(60000, 60100)})
    server = ThreadedFTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.2}, daemon=True)
    thread.start()
    yield server.address[1]
    server.close_all()


def sftp_login(fake, **extra):
    return {"host": "127.0.0.1", "port": str(fake.port), "username": fake.user, "password": fake.password, **extra}


def ftp_login(port, **extra):
    return {"host": "127.0.0.1", "port": str(port), "username": "partner", "password": "s3cret", **extra}


@pytest.mark.parametrize("protocol", ["sftp", "ftp"])
def test_list_download_and_upload(request, organization, owner, folder, protocol):
    login = sftp_login(request.getfixturevalue("sftp")) if protocol == "sftp" else ftp_login(request.getfixturevalue("ftp"))
    server_id = credential(organization, owner, protocol, login).pk
    listed = run_step(organization, f"{protocol}.list", credential=server_id, folder="/outbox", pattern="*.csv")
    assert listed.status == "success", listed.error
    assert [(item["name"], item["path"], item["size"], item["is_folder"]) for item in listed.last_items] == [
        ("매출_12월.csv", "/outbox/매출_12월.csv", len("월,매출\n12,1000\n".encode()), False)
    ]
    assert listed.last_items[0]["modified"].endswith("+00:00")
    downloaded = run_step(organization, f"{protocol}.download", items=listed.last_items, credential=server_id, path="{{ json.path }}")
    assert downloaded.status == "success", downloaded.error
    file = downloaded.last_items[0]["file"]
    assert (file["name"], file["mime_type"], file["size"]) == ("매출_12월.csv", "text/csv", 19) and is_file_ref(file)
    assert file_read(file).decode() == "월,매출\n12,1000\n"
    # The downloaded file goes back up under its own name; text needs a name in the path.
    uploaded = run_step(organization, f"{protocol}.upload", items=downloaded.last_items, credential=server_id, path="/inbox/")
    assert uploaded.status == "success", uploaded.error
    assert uploaded.last_items == [{"path": "/inbox/매출_12월.csv", "name": "매출_12월.csv", "size": 19}]
    assert (folder / "inbox" / "매출_12월.csv").read_text(encoding="utf-8") == "월,매출\n12,1000\n"
    note = run_step(
        organization, f"{protocol}.upload", items=[{"n": 1}], credential=server_id, path="/inbox/note-{{ json.n }}.txt", content="메모"
    )
    assert note.status == "success", note.error and (folder / "inbox" / "note-1.txt").read_text(encoding="utf-8") == "메모"
    missing = run_step(organization, f"{protocol}.download", credential=server_id, path="/outbox/none.pdf")
    assert missing.error_code == "not_found" and "/outbox/none.pdf" in missing.error
    nameless = run_step(organization, f"{protocol}.upload", credential=server_id, path="/inbox/", content="x")
    assert nameless.error_code == "bad_path"


def test_sftp_checks_the_host_key_and_signs_in_with_a_private_key(organization, owner, sftp, folder):
    kind = credential_kind("sftp")
    first = kind.test(sftp_login(sftp), allow_hosts=["127.0.0.1"])
    assert first.ok and fingerprint(sftp.host_key) in first.message and "save it" in first.message
    assert kind.test(sftp_login(sftp, host_key=fingerprint(sftp.host_key)), allow_hosts=["127.0.0.1"]).ok
    other = fingerprint(paramiko.ECDSAKey.generate())
    changed = run_step(
        organization,
        "sftp.list",
        credential=credential(organization, owner, "sftp", sftp_login(sftp, host_key=other), name="Pinned").pk,
        folder="/outbox",
    )
    assert changed.error_code == "sftp_host_key_changed" and fingerprint(sftp.host_key) in changed.error
    key = paramiko.ECDSAKey.generate()
    sftp.client_key = key
    import io

    pem = io.StringIO()
    key.write_private_key(pem)
    with_key = credential(organization, owner, "sftp", {**sftp_login(sftp), "password": "", "private_key": pem.getvalue()}, name="Key").pk
    keyed = run_step(organization, "sftp.list", credential=with_key, folder="/outbox")
    assert keyed.status == "success", keyed.error
    wrong = kind.test(sftp_login(sftp, password="nope"), allow_hosts=["127.0.0.1"])
    assert not wrong.ok and "refused" in wrong.message
    assert "internal address" in kind.test(sftp_login(sftp), allow_hosts=[]).message


def test_ftp_sign_in_errors_and_the_network_policy(ftp):
    kind = credential_kind("ftp")
    assert kind.test(ftp_login(ftp), allow_hosts=["127.0.0.1"]).ok
    wrong = kind.test(ftp_login(ftp, password="nope"), allow_hosts=["127.0.0.1"])
    assert not wrong.ok and "refused the sign-in" in wrong.message
    assert "internal address" in kind.test(ftp_login(ftp), allow_hosts=[]).message


def test_processes_that_never_use_sftp_do_not_import_paramiko():
    """paramiko loads about 12 MB: web processes and workers import it on the first SFTP use (make run's idle memory)."""
    import subprocess
    import sys

    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'ezflow_site.settings');"
        "django.setup(); import sys;"
        "from apps.flows.nodes.registry import load_builtin_nodes; assert 'sftp.list' in load_builtin_nodes();"
        "assert 'paramiko' not in sys.modules, 'paramiko was imported at start'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
