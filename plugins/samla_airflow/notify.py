"""Tell a source's data steward about rejected files and quarantined rows, and confirm corrected
deliveries (one email per source task).

``compose_steward_email`` is pure: the source run's result (per file its ledger
record, Data Docs page and quarantined rows) -> subject and HTML body. Two
things are read back from disk, by ``notify_steward``: the ledger's earlier
records of a file's dataset and period, to confirm a delivery that corrects a
rejected one or one with quarantined rows; and the source's quarantine, only to
trace a cascade (a row whose person is not an accepted participant) to its
participants row. ``send_html`` sends through Airflow's SMTP provider (also for
``alerts``). Sending never raises: a missing connection or a mail server that is
down is logged and the ingestion carries on.

Privacy: the email identifies rows by their row number in the steward's own
file. Person ids (pseudonyms) are never included: the quarantine's ``person``
column only links a cascaded row to the participants row behind it and is
never shown, values of person id columns are hidden, and every text is
passed through ``mask_in_text`` and a 64-hex (pseudonym) filter before it is
HTML-escaped. Airflow and pandas are imported inside the functions: this
module is imported at DAG parse time.
"""

from __future__ import annotations

import html
import logging
import os
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from transforms.clock import local_time
from transforms.messages import language, t
from transforms.messages.steward_words import dataset_name, rule_title
from transforms.names import shown
from transforms.privacy.personnummer import MaskingFilter
from transforms.values import is_missing

if TYPE_CHECKING:
    import pandas as pd

    from transforms.config.sources import Source
    from transforms.ingest.pipeline import FileOutcome, SourceResult

log = logging.getLogger(__name__)
log.addFilter(MaskingFilter())  # task logs carry file names and messages

MAX_ROWS = 50  # quarantine rows listed per file; the rest are counted
DEFAULT_CONN_ID = "smtp_default"
DEFAULT_FROM = "samla@localhost"
DATA_DOCS_URL_ENV = "SAMLA_DATA_DOCS_URL"  # optional: where <data dir> is served, for Data Docs links

_PSEUDONYM = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")
_PERSON_COLUMNS = {"person", "person_id"}
_TD = 'style="border:1px solid #bbb;padding:3px 8px;text-align:left;vertical-align:top"'


# --- text hygiene ------------------------------------------------------------------------------


def _clean(value: Any) -> str:
    """Text safe to show a steward: no personnummer, no pseudonym (not yet HTML-escaped)."""
    from transforms.privacy.personnummer import mask_in_text

    if is_missing(value):
        return ""
    return _PSEUDONYM.sub(t("value.hidden_pseudonym"), mask_in_text(str(value)))


def _e(value: Any) -> str:
    return html.escape(_clean(value), quote=True)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- composing ---------------------------------------------------------------------------------


def _row_table(rows: pd.DataFrame, source_id: str, period: str) -> str:
    shown = rows.sort_values(["source_row", "column", "rule"], kind="stable", na_position="first")
    more = len(shown) - MAX_ROWS
    head = ("<tr>" + "".join(f"<th {_TD}>{t(h)}</th>" for h in (
        "email.col.row", "email.col.column", "email.col.rule", "email.col.problem", "email.col.value")) + "</tr>")
    lines = []
    for r in shown.head(MAX_ROWS).to_dict("records"):
        column = _clean(r["column"])
        value = t("value.hidden_person") if column in _PERSON_COLUMNS else _clean(r["value"])
        row = "" if is_missing(r["source_row"]) else str(int(r["source_row"]))
        cells = (row, _clean(r.get("header")) or column, rule_title(_clean(r["rule"])), _clean(r["description"]), value)
        lines.append("<tr>" + "".join(f"<td {_TD}>{html.escape(c, quote=True)}</td>" for c in cells) + "</tr>")
    table = ('<table style="border-collapse:collapse;font-size:90%">' + head + "".join(lines) + "</table>")
    if more > 0:
        command = f"samla quarantine {source_id} {period or 'PERIOD'}"
        table += f"<p>{t('email.more_rows', n=more, command=_e(command))}</p>"
    return table


def _page_link(label: str, path: str, base_url: str | None) -> str:
    """A line linking a page under the data folder (``path``, relative to it) as served at ``base_url``."""
    if not path or not base_url:
        return ""
    url = base_url.rstrip("/") + "/" + quote(path.replace("\\", "/").lstrip("/"))
    return f'<p>{label} <a href="{html.escape(url, quote=True)}">{_e(path)}</a></p>'


def _data_docs_link(path: str, base_url: str | None) -> str:
    return _page_link(t("email.data_docs"), path, base_url)


def _cascade_roots(outcome: FileOutcome, quarantine: pd.DataFrame | None) -> dict[int, dict]:
    """Row number in this file -> the participants quarantine row behind its cascade (none without
    the source's quarantine: the outcome's rows carry no pseudonym to link them)."""
    from transforms.ingest.explain import cascade_roots

    if quarantine is None or quarantine.empty or not outcome.record.file_sha256:
        return {}
    own = quarantine[quarantine["file_sha256"] == outcome.record.file_sha256]
    return {int(own.at[i, "source_row"]): root for i, root in cascade_roots(own, quarantine).items()
            if not is_missing(own.at[i, "source_row"])}


def _what_is_wrong(rows: pd.DataFrame, roots: dict[int, dict]) -> list[str]:
    """The problems named in the file's own headers, with their rows; a cascade points at the root row."""
    from transforms.ingest.explain import CASCADE_RULE

    found: dict[str, list[int]] = {}
    for r in rows.to_dict("records"):
        if is_missing(r["source_row"]):
            continue
        root = roots.get(int(r["source_row"])) if r["rule"] == CASCADE_RULE else None
        if root is not None:
            problem = t("email.cascade", header=_clean(r.get("header")) or _clean(r["column"]),
                        file=_clean(shown(root["file_name"])), root_row=int(root["source_row"]),
                        root_problem=_clean(root["description"]))
        else:
            problem = _clean(r["description"])
        found.setdefault(problem, []).append(int(r["source_row"]))
    return [t("email.problem_rows", problem=p, rows=", ".join(map(str, sorted(set(n))[:10]))
              + (" …" if len(set(n)) > 10 else "")) for p, n in found.items()]


def _file_section(source: Source, outcome: FileOutcome, data_docs_base_url: str | None,
                  quarantine: pd.DataFrame | None, next_run: str) -> str:
    from transforms.ingest.explain import CASCADE_RULE

    record = outcome.record
    name = shown(record.file_name) or "?"
    dataset, period = dataset_name(record.dataset) or "?", record.period or "?"
    rejected = record.status == "rejected"
    read, accepted, held = record.rows_read, record.rows_accepted, record.rows_quarantined
    warned_only = not rejected and not held  # loaded whole: it needs attention for its warnings alone
    message = _clean(record.message)
    arrived = local_time(record.arrived_at)
    arrived = " " + t("clock.email.arrived", at=_e(arrived)) if arrived else ""
    status = t("email.file_status_rejected" if rejected else
               "email.file_status_warnings" if warned_only else "email.file_status_quarantine")
    parts = [
        f'<h3 style="margin-bottom:4px">{_e(name)}</h3>',
        '<p style="margin-top:0">' + t("email.file_line", dataset=_e(dataset), period=_e(period), status=status,
                                       read=read, accepted=accepted, held=held) + arrived + "</p>",
    ]
    rows = outcome.quarantine
    wrong: list[str] = [html.escape(message, quote=True)] if rejected and message else []
    table: list[str] = []
    roots: dict[int, dict] = {}
    if rows is not None and len(rows):
        # A rejected file holds every row with the file's own fault: say so once, list only row faults.
        file_level = rows["column"].isna() & (rows["description"].map(_clean) == message) if rejected else None
        if file_level is not None and file_level.any():
            rules = ", ".join(dict.fromkeys(rule_title(_clean(r)) for r in rows.loc[file_level, "rule"]))
            wrong.append(t("email.all_rows_held", n=read, rules=html.escape(rules, quote=True)))
            rows = rows[~file_level]
        if len(rows):
            if (rows["rule"] == CASCADE_RULE).any():
                roots = _cascade_roots(outcome, quarantine)
            problems = _what_is_wrong(rows, roots)
            wrong += [html.escape(p, quote=True) for p in problems[:5]]
            if len(problems) > 5:
                wrong.append(t("email.more_problems", n=len(problems) - 5))
            table = [f"<p>{t('email.rows_intro', rows=rows['source_row'].nunique(), problems=len(rows))}</p>",
                     _row_table(rows, source.id, record.period)]
    heading = "email.what_is_wrong"
    if warned_only:  # nothing is wrong with a row: say what the warnings are
        heading = "email.warnings"
        wrong = [html.escape(_clean(w), quote=True) for w in record.warnings if _clean(w)]
    if not wrong and message:
        wrong = [html.escape(message, quote=True)]
    if len(wrong) == 1:
        parts.append(f"<p><b>{t(heading)}</b> {wrong[0]}</p>")
    elif wrong:
        parts.append(f"<p><b>{t(heading)}</b></p><ul>" + "".join(f"<li>{w}</li>" for w in wrong) + "</ul>")
    parts += table
    # The file's own page first (in the steward's words); the Data Docs page is its technical report.
    parts.append(_page_link(f"<b>{t('page.email_link')}</b>", record.steward_page, data_docs_base_url))
    parts.append(_data_docs_link(record.data_docs, data_docs_base_url))
    rerun = t("email.rerun", command=f"samla run --from {_e(period)} --to {_e(period)} --source {_e(source.id)}")
    cascaded = rows is not None and len(rows) and bool(roots) and all(
        r["rule"] == CASCADE_RULE and not is_missing(r["source_row"]) and int(r["source_row"]) in roots
        for r in rows.to_dict("records"))
    if rejected and outcome.name_fault:
        todo = t("email.todo_name", pattern=_e(source.delivery.pattern.replace("{ext}", "csv|xlsx")),
                 next_run=_e(next_run))
    elif rejected:
        todo = t("email.todo_rejected", dataset=_e(dataset), period=_e(period), file=_e(name), rerun=rerun,
                 next_run=_e(next_run))
    elif warned_only:
        todo = t("email.todo_warnings", accepted=accepted, file=_e(name))
    elif cascaded:  # every problem is caused by participants rows: fix those, not this file
        by_file: dict[str, set[int]] = {}
        for root in roots.values():
            by_file.setdefault(_clean(shown(root["file_name"])), set()).add(int(root["source_row"]))
        todo = t("email.todo_cascade", roots="; ".join(
            t("email.root_rows", file=_e(f), rows=", ".join(map(str, sorted(n)))) for f, n in by_file.items()))
    else:
        todo = t("email.todo_quarantine", accepted=accepted, file=_e(name), rerun=rerun, next_run=_e(next_run))
    parts.append(f"<p><b>{t('email.what_to_do')}</b> {todo}</p>")
    return "\n".join(p for p in parts if p)


def _replaced_line(outcome: FileOutcome, previous: dict) -> str:
    """One corrected delivery: which file was accepted, its rows, and the delivery it replaces."""
    record = outcome.record
    what = (t("alerts.steward.was_rejected") if previous["status"] == "rejected"
            else t("alerts.steward.had_quarantine", n=int(previous["rows_quarantined"])))
    fields: dict[str, Any] = {"file": _e(shown(record.file_name)), "dataset": _e(dataset_name(record.dataset)),
                              "period": _e(record.period or "?"), "n": int(record.rows_accepted), "what": what}
    if previous["file_sha256"] == record.file_sha256:  # the same file checked again (e.g. participants fixed)
        return t("alerts.steward.rechecked", **fields)
    return t("alerts.steward.replaces", previous=_e(shown(previous["file_name"])),
             arrived=_e(str(previous["arrived_at"])[:10]), **fields)


def compose_steward_email(source: Source, result: SourceResult, data_docs_base_url: str | None = None,
                          quarantine: pd.DataFrame | None = None, *,
                          replaced: list[tuple[FileOutcome, dict]] | None = None,
                          next_run: str | None = None) -> tuple[str, str] | None:
    """(subject, HTML body) for the source's steward in SAMLA_LANGUAGE, or None when there is nothing to say.

    ``result`` is what ``transforms.ingest.pipeline.ingest_source`` returned; each
    file's Data Docs page (a path under the data dir) is linked under
    ``data_docs_base_url`` when given. ``quarantine``, the source's whole quarantine
    (``curated.read_quarantine``), is only used to trace cascades to their participants row.
    ``replaced`` pairs each accepted file of this run with the earlier delivery it corrects (a
    ledger record that was rejected or had quarantined rows): those are confirmed. ``next_run``
    says when the next run picks up a re-delivery (``schedule.steward_next_run``).
    """
    from samla_airflow.schedule import steward_next_run

    replaced = replaced or []
    next_run = next_run or steward_next_run(dag=None)
    problems = [f for f in result.files if f.needs_attention]
    if not problems and not replaced:
        return None
    rejected = sum(f.record.status == "rejected" for f in problems)
    held = sum(f.record.status != "rejected" and f.record.rows_quarantined > 0 for f in problems)
    warned = len(problems) - rejected - held  # loaded whole, with warnings
    counts = ", ".join(c for c in (
        t("email.count_rejected", n=rejected) if rejected else "",
        t("email.count_quarantine", n=held) if held else "",
        t("email.count_warnings", n=warned) if warned else "",
        t("alerts.steward.count_replaced", n=len(replaced)) if replaced else "",
    ) if c)
    from transforms.config.project import current_project

    project = _e(current_project().name)  # the project file names the project
    subject = _one_line(_clean(t("email.subject", source=source.label, counts=counts)))
    greeting = (t("email.greeting", name=_e(source.steward_name)) if source.steward_name
                else t("email.greeting_anonymous"))
    intro = (t("email.intro", project=project, source=_e(source.label), counts=_e(counts)) if problems
             else t("alerts.steward.intro", project=project, source=_e(source.label)))
    sections = [_file_section(source, f, data_docs_base_url, quarantine, next_run) for f in problems]
    if replaced:
        sections.append(f"<p><b>{t('alerts.steward.confirmed')}</b></p><ul>"
                        + "".join(f"<li>{_replaced_line(o, p)}</li>" for o, p in replaced) + "</ul>")
    separated = "\n<hr>\n".join(sections)
    body = f"""<!DOCTYPE html>
<html lang="{language()}"><head><meta charset="utf-8"><title>{html.escape(subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4;max-width:60em">
<p>{greeting}</p>
<p>{intro}</p>
<hr>
{separated}
<hr>
<p style="color:#555;font-size:90%">{t("email.footer", project=project)}</p>
</body></html>
"""
    return subject, body


def _accepted(result: SourceResult) -> list[FileOutcome]:
    """The files this run loaded without anything to tell (candidates for a confirmation)."""
    return [f for f in result.files if f.record.status != "rejected" and not f.needs_attention]


def _replaced_deliveries(source: Source, result: SourceResult) -> list[tuple[FileOutcome, dict]]:
    """Each file this run loaded cleanly whose dataset and period's previous delivery (the ledger keeps
    every record) was rejected or had quarantined rows, with that previous record."""
    accepted = _accepted(result)
    if not accepted:
        return []
    from transforms.config.settings import load_settings
    from transforms.ingest.ledger import Ledger

    history = Ledger(load_settings().ledger_dir).documents(source.id)  # plain records: a frame per file cost more
    found = []
    for outcome in accepted:
        record = outcome.record
        earlier = [d for d in history if d["dataset"] == record.dataset and d["period"] == record.period
                   and not (d["file_sha256"] == record.file_sha256 and d["sequence"] >= record.sequence)
                   and d["processed_at"] <= record.processed_at]
        if not earlier:
            continue
        previous = sorted(earlier, key=lambda d: d["processed_at"])[-1]  # stable: the last of a tie
        if previous["status"] == "rejected" or int(previous["rows_quarantined"] or 0) > 0:
            found.append((outcome, previous))
    return found


def _source_quarantine(source: Source, result: SourceResult) -> pd.DataFrame | None:
    """The source's quarantine, read only when a file has cascaded rows to trace (None when unreadable)."""
    from transforms.ingest.explain import CASCADE_RULE

    if not any(f.quarantine is not None and len(f.quarantine) and (f.quarantine["rule"] == CASCADE_RULE).any()
               for f in result.files if f.needs_attention):
        return None
    try:
        from transforms.config.settings import load_settings
        from transforms.ingest.curated import read_quarantine

        return read_quarantine(load_settings().quarantine_dir, source.id)
    except Exception as exc:  # noqa: BLE001 - the mail goes out without the cascade's root
        log.warning("%s: could not read the quarantine to trace cascades (%s)", source.label, type(exc).__name__)
        return None


# --- sending -----------------------------------------------------------------------------------


def mail_settings() -> tuple[str, str]:
    """(SMTP connection id, sender): SAMLA_SMTP_CONN_ID (default ``smtp_default``), SAMLA_MAIL_FROM."""
    return (os.environ.get("SAMLA_SMTP_CONN_ID", "").strip() or DEFAULT_CONN_ID,
            os.environ.get("SAMLA_MAIL_FROM", "").strip() or DEFAULT_FROM)


def send_html(to: str | list[str], subject: str, body: str, what: str) -> bool:
    """Send one HTML e-mail through Airflow's SMTP provider; False (logged, naming ``what`` and the
    connection) when it could not be sent. Never raises: e-mail must not fail a load or a run."""
    conn_id, from_email = mail_settings()
    try:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        with SmtpHook(smtp_conn_id=conn_id) as hook:
            hook.send_email_smtp(to=to, subject=subject, html_content=body, from_email=from_email)
    except Exception as exc:  # noqa: BLE001 - see above
        log.error("could not e-mail %s through SMTP connection %r (%s: %s). Check the Airflow connection %r.",
                  what, conn_id, type(exc).__name__, _one_line(_clean(exc)), conn_id)
        return False
    return True


def notify_steward(source: Source, result: SourceResult) -> bool:
    """Email the source's steward about this run's rejected files and quarantined rows, and confirm
    corrected deliveries that replaced a rejected one or one with quarantined rows.

    Returns True when an email was sent; False when there was nothing to say,
    no steward email is configured, or sending failed (logged; never raises).
    The SMTP connection and sender: ``mail_settings``.
    """
    problems = sum(f.needs_attention for f in result.files)
    if not problems and not _accepted(result):
        return False
    try:
        replaced = _replaced_deliveries(source, result)
    except Exception:  # noqa: BLE001 - the problems still go out, without confirmations
        log.exception("%s: could not read the ledger's earlier deliveries", source.label)
        replaced = []
    if not problems and not replaced:
        return False
    if not source.steward_email:
        log.warning("%s: files were rejected, had quarantined rows or replaced such a delivery, but the source has "
                    "no steward email (sources file: steward: {name, email}); nobody was emailed", source.label)
        return False
    from samla_airflow.schedule import steward_next_run

    try:
        email = compose_steward_email(source, result, os.environ.get(DATA_DOCS_URL_ENV, "").strip() or None,
                                      _source_quarantine(source, result), replaced=replaced,
                                      next_run=steward_next_run())
    except Exception:
        log.exception("%s: could not compose the steward email; nobody was emailed", source.label)
        return False
    if email is None:
        return False
    subject, body = email
    if not send_html(source.steward_email, subject, body, what=f"the steward {source.steward_email} of "
                     f"{source.label} (the ingestion itself is not affected)"):
        return False
    log.info("%s: emailed the steward %s about %d file(s) with problems and %d corrected", source.label,
             source.steward_email, problems, len(replaced))
    return True
