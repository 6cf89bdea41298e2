"""Reporting access that lasts: SAMLA_REPORTING_ROLE on the real PostgreSQL.

Each test connects AS a fresh LOGIN role (trust authentication on 127.0.0.1) and
drops its database and role afterwards; without the server the tests FAIL.
"""

from __future__ import annotations

import secrets

import psycopg
import pytest
from test_warehouse import PERIODS, build, pg_url  # noqa: F401 - pg_url is a fixture

from transforms.config.settings import SettingsError, load_settings, reporting_role_name
from transforms.publish import warehouse
from transforms.publish.warehouse import read_table, write_publication

ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname={db}"


@pytest.fixture
def role(pg_url):  # noqa: F811 - the fixture imported above
    """A LOGIN role with a random name and nothing granted; dropped after the database."""
    name = f"samla_rep_{secrets.token_hex(5)}"
    with psycopg.connect(ADMIN.format(db="postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{name}" LOGIN')
    yield name
    with psycopg.connect(ADMIN.format(db="postgres"), autocommit=True) as admin:
        db = pg_url.rsplit("/", 1)[1]
        admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')  # its grants go with it
        admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def as_role(url: str, name: str) -> psycopg.Connection:
    return psycopg.connect(f"host=127.0.0.1 port=5432 user={name} dbname={url.rsplit('/', 1)[1]}", autocommit=True)


def view_as(url: str, name: str) -> dict[tuple, float | None]:
    """v_indicators as the role reads it: cell -> value."""
    with as_role(url, name) as conn:
        rows = conn.execute("SELECT period, area_level, area_code, gender, indicator, value FROM v_indicators")
        return {tuple(r[:5]): r[5] for r in rows}


def assert_refused_restricted(url: str, name: str) -> None:
    with as_role(url, name) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT * FROM restricted.indicator_values_restricted")


def expected_view(url: str) -> dict[tuple, float | None]:
    frame = read_table(url, "v_indicators")
    return {tuple(r[:5]): (None if r[5] != r[5] else r[5]) for r in
            frame[["period", "area_level", "area_code", "gender", "indicator", "value"]].itertuples(index=False)}


def test_the_reporting_role_reads_after_every_publish_and_never_the_restricted_table(pg_url, role):  # noqa: F811
    first, restated = build(PERIODS, variant=0), build(PERIODS[1:2], variant=1)
    seen = []
    for frames in (first, restated, first):  # a restatement of 2025-01 between two publishes
        write_publication(pg_url, **frames, reporting_role=role)
        view = view_as(pg_url, role)
        assert view == expected_view(pg_url) and len(view) == 3 * 15 * 4 * 23
        assert_refused_restricted(pg_url, role)
        seen.append(view)
    jan = [{k: v for k, v in view.items() if k[0] == "2025-01"} for view in seen]
    assert jan[0] != jan[1] and jan[2] == jan[0], "the role saw the restated numbers, then the first ones again"
    with as_role(pg_url, role) as conn:
        assert conn.execute("SELECT count(*) FROM publication_log").fetchone()[0] == 3
        for internal in ("publication_state", "alembic_version"):  # not published: not granted
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {internal}")


def test_a_role_the_dba_granted_keeps_reading_across_publishes(pg_url, role):  # noqa: F811
    """Without SAMLA_REPORTING_ROLE: grants a DBA gave on the views survive the next publish."""
    write_publication(pg_url, **build(PERIODS))
    with psycopg.connect(ADMIN.format(db=pg_url.rsplit("/", 1)[1]), autocommit=True) as admin:
        admin.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        admin.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{role}"')
    before = view_as(pg_url, role)
    write_publication(pg_url, **build(PERIODS[1:2], variant=1))
    after = view_as(pg_url, role)
    assert after == expected_view(pg_url) and after != before
    assert_refused_restricted(pg_url, role)


def test_an_upgrade_of_an_empty_warehouse_grants_its_new_tables(pg_url, role):  # noqa: F811
    done = warehouse.upgrade(pg_url, reporting_role=role)
    assert (done.before, done.after, done.stamped) == (None, warehouse.head_revision(), False)
    with as_role(pg_url, role) as conn:
        for name in [*warehouse.metadata.tables, *warehouse.VIEWS]:
            assert conn.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == 0, name
    assert_refused_restricted(pg_url, role)


def test_a_missing_role_fails_the_publish_and_leaves_the_warehouse_as_it_was(pg_url):  # noqa: F811
    write_publication(pg_url, **build(PERIODS))
    before = read_table(pg_url, "indicator_values")
    with pytest.raises(Exception, match="does not exist"):
        write_publication(pg_url, **build(PERIODS[1:2], variant=1), reporting_role=f"samla_none_{secrets.token_hex(4)}")
    assert read_table(pg_url, "indicator_values").equals(before)


@pytest.mark.parametrize("raw", ["Reporting", "rep;drop", "1rep", "a" * 64, 'x"y', "rep role"])
def test_a_role_name_must_be_a_plain_identifier(raw, monkeypatch):
    with pytest.raises(SettingsError, match="SAMLA_REPORTING_ROLE"):
        reporting_role_name(raw)
    monkeypatch.setenv("SAMLA_REPORTING_ROLE", raw)
    with pytest.raises(SettingsError):
        load_settings()


def test_the_role_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("SAMLA_REPORTING_ROLE", " samla_reporting ")
    assert load_settings().reporting_role == "samla_reporting"
    monkeypatch.setenv("SAMLA_REPORTING_ROLE", "")
    assert load_settings().reporting_role is None
