"""The stewards' portal through FastAPI's TestClient: log-in, its limit, CSRF, each steward's own sources,
the check page (nothing stored, size limit) and the status pages."""

from __future__ import annotations

import os
import re
import stat
from datetime import date

import pytest
from conftest import TEST_KEY
from deliveries import participant, people, write_csv
from fastapi.testclient import TestClient
from portal_world import OTHER, PASSWORD, PERIOD, STEWARD, files_under, planted_fault, set_up
from privacy import personnummer_in
from samla_airflow.portal import accounts, sessions
from samla_airflow.portal.app import create_app


@pytest.fixture
def world(samla_env, tmp_path, monkeypatch):
    set_up(samla_env, tmp_path, monkeypatch)
    return samla_env


@pytest.fixture
def client(world):
    with TestClient(create_app(), base_url="http://testserver") as c:
        yield c


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def log_in(client, email=STEWARD, password=PASSWORD):
    token = _csrf(client.get("/login").text)
    return client.post("/login", data={"csrf": token, "email": email, "password": password}, follow_redirects=False)


def check(client, path, token=None, **fields):
    token = token if token is not None else _csrf(client.get("/sources/1489/check").text)
    files = {"file": (path.name, path.read_bytes(), "text/csv")}
    return client.post("/sources/1489/check", data={"csrf": token, **fields}, files=files)


def test_a_steward_logs_in_and_sees_their_own_sources_only(client):
    answer = log_in(client)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "secure" not in cookie
    home = client.get("/")
    assert home.status_code == 200 and "Maria Lindqvist" in home.text
    assert "1489 Alingsås" in home.text and "Mark" not in home.text


def test_the_session_cookie_is_secure_behind_https(client):
    token = _csrf(client.get("/login").text)
    answer = client.post("/login", data={"csrf": token, "email": STEWARD, "password": PASSWORD},
                         headers={"X-Forwarded-Proto": "https"}, follow_redirects=False)
    assert "secure" in answer.headers["set-cookie"].lower()


def test_a_wrong_password_is_refused_in_swedish(client):
    answer = log_in(client, password="fel-lösenord-000")
    assert answer.status_code == 401 and "Fel e-postadress eller lösenord" in answer.text
    assert client.get("/", follow_redirects=False).status_code == 303
    unknown = log_in(client, email="nobody@example.org")
    assert unknown.status_code == 401 and "Fel e-postadress eller lösenord" in unknown.text


def test_log_in_is_limited_per_account_and_per_client(client):
    for _ in range(5):
        assert log_in(client, password="fel-lösenord-000").status_code == 401
    limited = log_in(client)  # the right password, too late
    assert limited.status_code == 429 and "För många misslyckade inloggningar" in limited.text
    # The same client is refused for another account as well.
    assert log_in(client, email=OTHER, password="annat-lösenord-456").status_code == 429


def test_a_form_without_the_sessions_token_is_refused(client):
    client.get("/login")
    answer = client.post("/login", data={"csrf": "forged", "email": STEWARD, "password": PASSWORD},
                         follow_redirects=False)
    assert answer.status_code == 403 and "set-cookie" in answer.headers
    assert client.get("/", follow_redirects=False).status_code == 303, "not logged in"


def test_an_upload_with_a_forged_token_is_refused(client, tmp_path):
    log_in(client)
    answer = check(client, planted_fault(tmp_path), token="forged")
    assert answer.status_code == 403 and "Formuläret kom inte från den här sidan" in answer.text


def test_another_stewards_source_is_refused(client, tmp_path):
    log_in(client)
    for path in ("/sources/1463", "/sources/1463/check", f"/sources/1463/quarantine/{PERIOD}", "/sources/9999"):
        answer = client.get(path)
        assert answer.status_code == 403 and "Den källan är inte din" in answer.text, path
    token = _csrf(client.get("/").text)
    upload = client.post("/sources/1463/check", data={"csrf": token},
                         files={"file": ("participants_2025-01.csv", b"x", "text/csv")})
    assert upload.status_code == 403


def test_nothing_without_a_log_in(client, tmp_path):
    for path in ("/", "/sources/1489", "/sources/1489/check", f"/sources/1489/quarantine/{PERIOD}"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/login", path
    path = planted_fault(tmp_path)
    upload = client.post("/sources/1489/check", files={"file": (path.name, path.read_bytes(), "text/csv")})
    assert upload.status_code == 401 and "Logga in först" in upload.text
    assert "Slutdatum" not in upload.text


def test_a_forged_or_old_session_is_no_log_in(client, world):
    log_in(client)
    cookie = client.cookies.get(sessions.COOKIE)
    payload, _, signature = cookie.partition(".")
    client.cookies.set(sessions.COOKIE, payload + "." + signature[::-1])
    assert client.get("/", follow_redirects=False).status_code == 303
    client.cookies.set(sessions.COOKIE, cookie)
    assert client.get("/").status_code == 200
    accounts.set_password(world, STEWARD, "ett-nytt-lösenord-789")  # a new password ends the sessions
    assert client.get("/", follow_redirects=False).status_code == 303


def test_the_check_page_gives_samla_checks_verdict_in_the_files_own_words(client, tmp_path, world):
    log_in(client)
    before = files_under(world)
    answer = check(client, planted_fault(tmp_path))
    assert answer.status_code == 200
    page = answer.text
    assert "Slut före start" in page and "Slutdatum" in page, "the rule in Swedish, with the file's header"
    assert 'id="row-4"' in page, "the row as numbered in the file"
    assert "Skulle läsas in, vissa rader i karantän" in page and "ingenting har sparats" in page
    assert not personnummer_in(page)
    assert files_under(world) == before, "a check writes nothing to the data folder"


def test_the_check_uses_the_participants_file_beside(client, tmp_path):
    log_in(client)
    pnrs = people(4, seed=5)
    from deliveries import attendance

    delivery = write_csv(tmp_path / f"attendance_{PERIOD}.csv",
                         [{("PersonNr" if k == "person_id" else k): v for k, v in attendance(p, PERIOD).items()}
                          for p in pnrs])
    listed = write_csv(tmp_path / "p" / f"participants_{PERIOD}.csv",
                       [{("PersonNr" if k == "person_id" else "Startdatum" if k == "entry_date" else
                          "Slutdatum" if k == "exit_date" else k): v for k, v in participant(p).items()}
                        for p in pnrs[:3]])
    token = _csrf(client.get("/sources/1489/check").text)
    answer = client.post("/sources/1489/check", data={"csrf": token},
                         files={"file": (delivery.name, delivery.read_bytes(), "text/csv"),
                                "participants": (listed.name, listed.read_bytes(), "text/csv")})
    assert answer.status_code == 200
    assert "Inte bland deltagarna" in answer.text, "the one person missing from the participants file"
    assert not personnummer_in(answer.text)


def test_an_upload_over_the_size_limit_is_refused_with_a_message(client, tmp_path, monkeypatch):
    log_in(client)
    path = planted_fault(tmp_path)
    monkeypatch.setenv("SAMLA_MAX_FILE_BYTES", str(path.stat().st_size - 1))
    answer = check(client, path)
    assert answer.status_code == 413 and "Filen är för stor" in answer.text and "SAMLA_MAX_FILE_BYTES" in answer.text
    # A body declared far larger than any form is refused before it is read.
    token = _csrf(client.get("/sources/1489/check").text)
    huge = client.post("/sources/1489/check", content=b"x" * 10,
                       headers={"content-type": "multipart/form-data; boundary=b", "content-length": "999999999"})
    assert huge.status_code == 413 and token


def test_a_name_that_says_no_dataset_is_answered_as_samla_check_does(client, tmp_path):
    log_in(client)
    answer = check(client, planted_fault(tmp_path, "export.csv"))
    assert answer.status_code == 400 and "export.csv" in answer.text
    assert "Slut före start" in check(client, planted_fault(tmp_path, "export.csv"),
                                      dataset="participants", period=PERIOD).text


def test_the_status_pages_show_what_samla_status_and_quarantine_show(client, world, tmp_path):
    from transforms.config.settings import load_settings
    from transforms.config.sources import load_sources
    from transforms.ingest import landing
    from transforms.ingest.pipeline import ingest_source

    settings = load_settings()
    source = load_sources(settings.sources_file, settings.data_dir).get("1489")
    planted_fault(source.delivery.folder)
    ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder),
                  today=date(2025, 3, 15))
    log_in(client)
    status = client.get("/sources/1489")
    assert status.status_code == 200 and "delvis inläst" in status.text and "deltagare" in status.text
    assert f'href="/sources/1489/quarantine/{PERIOD}"' in status.text
    quarantine = client.get(f"/sources/1489/quarantine/{PERIOD}")
    assert quarantine.status_code == 200 and "Slutdatum" in quarantine.text and "2024-08-29" in quarantine.text
    for page in (status.text, quarantine.text):
        assert not personnummer_in(page)
        assert not re.search(r"[0-9a-f]{64}", page), "no pseudonym on a page"


def test_the_accounts_file_keeps_hashes_only_and_is_private(world):
    path = accounts.accounts_file(world)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text and "$2b$" in text
    with pytest.raises(accounts.PasswordRefused):
        accounts.set_password(world, STEWARD, "kort")


def test_samla_portal_password_sets_a_stewards_password(world, monkeypatch, capsys):
    import io

    from samla_airflow.cli import main

    monkeypatch.setattr("sys.stdin", io.StringIO("ett-helt-nytt-lösenord\n"))
    assert main(["portal-password", STEWARD.upper(), "--stdin"]) == 0
    assert accounts.verify(world, STEWARD, "ett-helt-nytt-lösenord")
    monkeypatch.setattr("sys.stdin", io.StringIO("ett-helt-nytt-lösenord\n"))
    assert main(["portal-password", "nobody@example.org", "--stdin"]) == 2
    assert "ingen dataansvarig" in capsys.readouterr().err


def test_the_plugin_mounts_the_portal_under_the_api_server(tmp_path):
    from test_airflow_plugin import load_plugins

    found = load_plugins(tmp_path)
    assert found["errors"] == {}
    assert found["apps"] == [{"url_prefix": "/samla-portal", "name": "Samla: dataansvariga / data stewards"}]


def test_the_portal_answers_under_its_prefix(world):
    from fastapi import FastAPI

    host = FastAPI()
    host.mount("/samla-portal", create_app())
    with TestClient(host) as c:
        login = c.get("/samla-portal/login")
        assert login.status_code == 200 and 'action="/samla-portal/login"' in login.text
        assert c.get("/samla-portal/", follow_redirects=False).headers["location"] == "/samla-portal/login"
        assert "path=/samla-portal/" in login.headers["set-cookie"].lower()
