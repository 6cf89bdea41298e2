"""The stewards' portal in headless Chromium, served by ``samla portal`` on a free 127.0.0.1 port: log in,
check a file with a planted fault, see the status pages; refusals for another steward's source, for
anyone not logged in, and for a file over the size limit.

With SAMLA_DOCS_SCREENSHOTS=1 the pages the README shows are saved into docs/img/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from conftest import TEST_KEY
from portal_world import OTHER, PASSWORD, PERIOD, SOURCES, STEWARD, planted_fault
from privacy import personnummer_in
from screenshots import keep_for_docs, wanted

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SHOTS = Path(tempfile.mkdtemp(prefix="samla-portal-shots-"))
MAX_FILE_BYTES = 4000  # the server's SAMLA_MAX_FILE_BYTES: the planted file is under it, the large one over


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, server: subprocess.Popen, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"samla portal stopped: {server.stdout.read() if server.stdout else ''}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"samla portal did not answer at {url}")


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """``samla portal`` over a data folder where source 1489 has one delivery with a planted fault."""
    from samla_airflow.portal import accounts

    home = tmp_path_factory.mktemp("portal")
    data = home / "data"
    sources = home / "sources.yaml"
    sources.write_text(SOURCES, encoding="utf-8")
    env = {**os.environ, "SAMLA_DATA_DIR": str(data), "SAMLA_SOURCES": str(sources), "SAMLA_LANGUAGE": "sv",
           "SAMLA_MAX_FILE_BYTES": str(MAX_FILE_BYTES), "AIRFLOW_HOME": str(home / "airflow")}
    env.pop("SAMLA_PORTAL_SECRET", None)
    with pytest.MonkeyPatch.context() as patch:
        for name in ("SAMLA_DATA_DIR", "SAMLA_SOURCES", "SAMLA_LANGUAGE"):
            patch.setenv(name, env[name])
        from transforms.config.settings import load_settings
        from transforms.config.sources import load_sources
        from transforms.ingest import landing
        from transforms.ingest.pipeline import ingest_source

        settings = load_settings()
        source = load_sources(settings.sources_file, settings.data_dir).get("1489")
        planted_fault(source.delivery.folder)
        ingest_source(settings, source, TEST_KEY.encode(), landing.candidate_files(source.delivery.folder),
                      today=date(2025, 3, 15))
    accounts.set_password(data, STEWARD, PASSWORD)
    accounts.set_password(data, OTHER, "annat-lösenord-456")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "samla_airflow.cli", "portal", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base + "/login", server)
        yield base, home
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def browser(tmp_path):
    for program, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not shutil.which(program):
            pytest.fail(f"{program} is missing: apt-get install -y {package} (.ci/run installs it)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--no-first-run", "--disable-background-networking", "--window-size=1000,1200",
                     f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(180)
    try:
        yield driver
    finally:
        driver.quit()


def _screenshot(driver, name: str) -> None:
    if wanted():
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1000, min(max(height + 160, 500), 2400))  # the window frame is counted too
        shot = SHOTS / name
        driver.save_screenshot(str(shot))
        keep_for_docs(shot, f"img/{name}")
        driver.set_window_size(1000, 1200)


def _log_in(driver, base: str, email: str = STEWARD, password: str = PASSWORD, shot: str | None = None) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(base + "/login")
    driver.find_element(By.ID, "email").send_keys(email)
    driver.find_element(By.ID, "password").send_keys(password)
    if shot:
        _screenshot(driver, shot)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # The click need not wait for the log-in's answer (bcrypt, on a busy machine): the next page would race it.
    WebDriverWait(driver, 120).until(lambda d: not d.current_url.endswith("/login") and "Logga ut" in d.page_source)


def _next_page_text(driver, click) -> str:
    """``click`` (a link or a submit button) clicked; the text of the page it leads to, read once the page
    it was on is gone (read at once, the old page's body can go stale under the reading)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old_page = driver.find_element(By.TAG_NAME, "html")
    click.click()
    WebDriverWait(driver, 120).until(expected_conditions.staleness_of(old_page))
    return driver.find_element(By.TAG_NAME, "body").text


def _upload(driver, base: str, path: Path) -> str:
    from selenium.webdriver.common.by import By

    driver.get(base + "/sources/1489/check")
    driver.find_element(By.ID, "file").send_keys(str(path))
    return _next_page_text(driver, driver.find_element(By.CSS_SELECTOR, "form.box button[type=submit]"))


def test_a_steward_checks_a_file_and_reads_the_rule_in_swedish_with_the_files_header(portal, browser, tmp_path):
    base, home = portal
    _log_in(browser, base, shot="portal-login.png")
    assert "Dina källor" in browser.page_source and "Maria Lindqvist" in browser.page_source
    before = sorted(p.relative_to(home / "data") for p in (home / "data").rglob("*"))
    text = _upload(browser, base, planted_fault(tmp_path))
    assert "Slut före start: Slutdatum" in text, "the rule in Swedish, under the file's own header"
    assert "Skulle läsas in, vissa rader i karantän" in text
    assert not personnummer_in(browser.page_source)
    _screenshot(browser, "portal-check.png")
    assert sorted(p.relative_to(home / "data") for p in (home / "data").rglob("*")) == before, "nothing stored"


def test_the_status_pages_show_the_sources_deliveries_and_quarantine(portal, browser):
    from selenium.webdriver.common.by import By

    base, _ = portal
    _log_in(browser, base)
    browser.get(base + "/sources/1489")
    assert "delvis inläst" in browser.find_element(By.TAG_NAME, "body").text
    _screenshot(browser, "portal-status.png")
    text = _next_page_text(browser, browser.find_element(By.LINK_TEXT, PERIOD))
    assert "Slutdatum" in text and "2024-08-29" in text
    assert not personnummer_in(browser.page_source)


def test_another_stewards_source_is_refused(portal, browser):
    base, _ = portal
    _log_in(browser, base)
    for path in ("/sources/1463/check", "/sources/1463"):
        browser.get(base + path)
        assert "Den källan är inte din" in browser.page_source, path


def test_without_a_log_in_pages_and_uploads_are_refused(portal, browser, tmp_path):
    from selenium.webdriver.common.by import By

    base, _ = portal
    browser.get(base + "/sources/1489/check")
    assert browser.current_url == base + "/login" and "Logga in" in browser.title + browser.page_source
    _log_in(browser, base)
    browser.get(base + "/sources/1489/check")
    browser.delete_all_cookies()  # logged out while the form is open: the upload is refused
    browser.find_element(By.ID, "file").send_keys(str(planted_fault(tmp_path)))
    text = _next_page_text(browser, browser.find_element(By.CSS_SELECTOR, "form.box button[type=submit]"))
    assert "Logga in först" in text and "Slutdatum" not in text


def test_an_upload_over_the_size_limit_is_refused_with_a_message(portal, browser, tmp_path):
    base, _ = portal
    _log_in(browser, base)
    large = tmp_path / f"participants_{PERIOD}.csv"
    large.write_bytes(b"PersonNr,programme\n" + b"x" * (3 * MAX_FILE_BYTES))
    text = _upload(browser, base, large)
    assert "Filen är för stor" in text and "SAMLA_MAX_FILE_BYTES" in text
