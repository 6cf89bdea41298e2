"""fetch_new_files against a real SFTP server (asyncssh on 127.0.0.1, see sftp_server.py).

The connection reaches SFTPHook the way it does in production: an
AIRFLOW_CONN_<CONN_ID> environment variable holding the connection as JSON.
No metadata DB is needed for that.
"""

import os
import tempfile

# Before anything imports airflow (tests/conftest.py does this for the whole session too).
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="samla-airflow-home-"))

import json  # noqa: E402
import socket  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

# Import (and so configure logging for) airflow now, not inside a test that captures
# stdout/stderr: handlers bound to a per-test capture stream break once it is closed.
from airflow.providers.sftp.hooks.sftp import SFTPHook  # noqa: E402
from samla_airflow.sftp_pull import SFTPPullError, fetch_new_files  # noqa: E402
from sftp_server import SFTPServerInfo, sftp_server  # noqa: E402

pytestmark = pytest.mark.sftp
CONN_ID = "sftp_test_source"
REMOTE = "/exports/fokus"
T0 = 1_736_000_000  # 2025-01-04, whole seconds as SFTP v3 carries them


def _set_conn(monkeypatch, conn_id: str, info: SFTPServerInfo, **overrides) -> None:
    conn = {
        "conn_type": "sftp",
        "host": info.host,
        "port": info.port,
        "login": info.username,
        "password": info.password,
        "extra": {"no_host_key_check": True},
    }
    conn.update(overrides)
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


def _put(folder: Path, name: str, data: bytes, mtime: int) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "sftp-root"
    with sftp_server(root) as info:
        yield root, info


@pytest.fixture
def remote_dir(server) -> Path:
    root, _ = server
    folder = root / REMOTE.lstrip("/")
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def conn(server, monkeypatch) -> SFTPServerInfo:
    _, info = server
    _set_conn(monkeypatch, CONN_ID, info)
    return info


@pytest.fixture
def dest(tmp_path) -> Path:
    return tmp_path / "landing" / "1480"  # created by fetch_new_files


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_new_files_are_fetched_with_remote_mtime(conn, remote_dir, dest):
    _put(remote_dir, "participants_2025-01.csv", b"person_id;programme\n", T0)
    _put(remote_dir, "attendance_2025-01.csv", b"person_id;month\n" * 1000, T0 + 60)

    got = fetch_new_files(CONN_ID, REMOTE, dest)

    assert got == [dest / "attendance_2025-01.csv", dest / "participants_2025-01.csv"]
    for path in got:
        remote = remote_dir / path.name
        assert path.read_bytes() == remote.read_bytes()
        assert path.stat().st_mtime == remote.stat().st_mtime  # mtime preserved
    assert _leftovers(dest) == []  # no temporary download names left behind
    # never deletes (or touches) remote files
    assert sorted(p.name for p in remote_dir.iterdir()) == [
        "attendance_2025-01.csv",
        "participants_2025-01.csv",
    ]
    assert (remote_dir / "participants_2025-01.csv").stat().st_mtime == T0


def test_second_call_fetches_nothing(conn, remote_dir, dest):
    _put(remote_dir, "participants_2025-01.csv", b"a\n", T0)
    _put(remote_dir, "survey_2025-01.csv", b"b\n", T0)
    assert len(fetch_new_files(CONN_ID, REMOTE, dest)) == 2
    before = {p.name: p.stat().st_mtime_ns for p in dest.iterdir()}

    assert fetch_new_files(CONN_ID, REMOTE, dest) == []
    assert {p.name: p.stat().st_mtime_ns for p in dest.iterdir()} == before


def test_changed_remote_file_is_fetched_again(conn, remote_dir, dest):
    _put(remote_dir, "participants_2025-01.csv", b"version 1\n", T0)
    _put(remote_dir, "activities_2025-01.csv", b"unchanged\n", T0)
    fetch_new_files(CONN_ID, REMOTE, dest)

    # Re-delivery: same name and size, new bytes, new mtime.
    _put(remote_dir, "participants_2025-01.csv", b"version 2\n", T0 + 3600)
    got = fetch_new_files(CONN_ID, REMOTE, dest)

    assert got == [dest / "participants_2025-01.csv"]
    assert got[0].read_bytes() == b"version 2\n"
    assert got[0].stat().st_mtime == T0 + 3600

    # Changed size, same mtime: fetched too.
    _put(remote_dir, "activities_2025-01.csv", b"now longer\n", T0)
    assert fetch_new_files(CONN_ID, REMOTE, dest) == [dest / "activities_2025-01.csv"]
    assert (dest / "activities_2025-01.csv").read_bytes() == b"now longer\n"


def test_local_copy_that_differs_is_replaced(conn, remote_dir, dest):
    _put(remote_dir, "survey_2025-01.csv", b"remote\n", T0)
    _put(dest, "survey_2025-01.csv", b"local!\n", T0 - 10)  # same size, other mtime

    assert fetch_new_files(CONN_ID, REMOTE, dest) == [dest / "survey_2025-01.csv"]
    assert (dest / "survey_2025-01.csv").read_bytes() == b"remote\n"


def test_in_progress_hidden_and_non_regular_entries_are_skipped(conn, remote_dir, dest):
    _put(remote_dir, "participants_2025-01.csv", b"done\n", T0)
    for name in (
        "attendance_2025-01.csv.part",
        "survey_2025-01.csv.tmp",
        "ACTIVITIES_2025-01.CSV.PART",
        "activities_2025-01.csv.filepart",  # WinSCP's partial-upload name
        ".participants_2025-02.csv",
        ".hidden",
    ):
        _put(remote_dir, name, b"in progress\n", T0)
    _put(remote_dir / "archive", "participants_2024-12.csv", b"old\n", T0)  # no recursion
    (remote_dir / "link.csv").symlink_to(remote_dir / "participants_2025-01.csv")

    got = fetch_new_files(CONN_ID, REMOTE, dest)

    assert got == [dest / "participants_2025-01.csv"]
    assert sorted(p.name for p in dest.iterdir()) == ["participants_2025-01.csv"]


def test_empty_remote_folder(conn, remote_dir, dest):
    assert fetch_new_files(CONN_ID, REMOTE, dest) == []
    assert dest.is_dir()


def test_wrong_password_is_a_clear_error_without_the_password(
    server, remote_dir, dest, monkeypatch, caplog, capfd
):
    _, info = server
    wrong = "Wrong-Secret-" + info.password[::-1]
    _set_conn(monkeypatch, "sftp_wrong_pw", info, password=wrong)
    _put(remote_dir, "participants_2025-01.csv", b"x\n", T0)

    with pytest.raises(RuntimeError) as excinfo:
        fetch_new_files("sftp_wrong_pw", REMOTE, dest, conn_retry_attempts=1)

    message = str(excinfo.value)
    assert "sftp_wrong_pw" in message
    assert REMOTE in message
    assert "Authentication" in message
    chain: BaseException | None = excinfo.value
    while chain is not None:
        assert wrong not in str(chain) and info.password not in str(chain)
        chain = chain.__cause__ or chain.__context__
    out, err = capfd.readouterr()
    for text in (caplog.text, out, err):
        assert wrong not in text
    assert list(dest.iterdir()) == []


def test_undefined_connection_names_the_conn_id(remote_dir, dest, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_SFTP_NOT_CONFIGURED", raising=False)
    # The message names the connection and what to set, not just that it failed
    with pytest.raises(RuntimeError, match=r"'sftp_not_configured'.*AIRFLOW_CONN_SFTP_NOT_CONFIGURED"):
        fetch_new_files("sftp_not_configured", REMOTE, dest)


def test_unreachable_server_names_conn_id_and_path(server, dest, monkeypatch):
    _, info = server
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        free_port = sock.getsockname()[1]
    _set_conn(monkeypatch, "sftp_down", info, port=free_port)

    with pytest.raises(RuntimeError) as excinfo:
        fetch_new_files("sftp_down", REMOTE, dest, conn_retry_attempts=1)
    message = str(excinfo.value)
    assert "'sftp_down'" in message and REMOTE in message and "cannot connect" in message
    assert info.password not in message


def test_missing_remote_folder_names_conn_id_and_path(conn, dest):
    with pytest.raises(RuntimeError, match=r"'sftp_test_source'.*'/nowhere'.*cannot list"):
        fetch_new_files(CONN_ID, "/nowhere", dest)


def test_failed_download_leaves_no_partial_file(conn, remote_dir, dest, monkeypatch):
    _put(remote_dir, "attendance_2025-01.csv", b"a" * 100, T0)
    _put(remote_dir, "participants_2025-01.csv", b"p" * 100, T0)
    real_retrieve = SFTPHook.retrieve_file

    def flaky_retrieve(self, remote_full_path, local_full_path, prefetch=True):
        if remote_full_path.endswith("attendance_2025-01.csv"):
            Path(local_full_path).write_bytes(b"a" * 10)  # half a file, then the link drops
            raise OSError("connection lost")
        return real_retrieve(self, remote_full_path, local_full_path, prefetch=prefetch)

    monkeypatch.setattr(SFTPHook, "retrieve_file", flaky_retrieve)
    with pytest.raises(SFTPPullError) as excinfo:
        fetch_new_files(CONN_ID, REMOTE, dest)

    assert excinfo.value.failed == ["attendance_2025-01.csv"]
    assert excinfo.value.fetched == [dest / "participants_2025-01.csv"]
    assert "attendance_2025-01.csv" in str(excinfo.value) and CONN_ID in str(excinfo.value)
    assert sorted(p.name for p in dest.iterdir()) == ["participants_2025-01.csv"]

    # The next run (link back) fetches only what is missing.
    monkeypatch.setattr(SFTPHook, "retrieve_file", real_retrieve)
    assert fetch_new_files(CONN_ID, REMOTE, dest) == [dest / "attendance_2025-01.csv"]
    assert (dest / "attendance_2025-01.csv").read_bytes() == b"a" * 100


def test_module_import_does_not_import_airflow():
    import subprocess
    import sys

    code = (
        "import sys, samla_airflow.sftp_pull; "
        "sys.exit(1 if any(m == 'airflow' or m.startswith('airflow.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
