"""Tell a source's data steward about rejected files and quarantined rows (one email per source task).

``compose_steward_email`` is pure: the source run's result (per file its ledger
record, Data Docs page and quarantined rows) -> subject and HTML body; nothing
is read back from the ledger or the quarantine. ``notify_steward`` sends it
through Airflow's SMTP provider. Sending never raises: a
missing connection or a mail server that is down is logged and the ingestion
carries on.

Privacy: the email identifies rows by their row number in the steward's own
file. Person ids (pseudonyms) are never included: the quarantine's ``person``
column is not read, values of person id columns are hidden, and every text is
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
    return _PSEUDONYM.sub("<pseudonym hidden>", mask_in_text(str(value)))


def _e(value: Any) -> str:
    return html.escape(_clean(value), quote=True)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- composing ---------------------------------------------------------------------------------


def _row_table(rows: pd.DataFrame, source_id: str, period: str) -> str:
    shown = rows.sort_values(["source_row", "column", "rule"], kind="stable", na_position="first")
    more = len(shown) - MAX_ROWS
    head = ("<tr>" + "".join(f"<th {_TD}>{h}</th>" for h in ("Row", "Column", "Rule", "Problem", "Value"))
            + "</tr>")
    lines = []
    for r in shown.head(MAX_ROWS).itertuples(index=False):
        column = _clean(r.column)
        value = "(hidden: person id)" if column in _PERSON_COLUMNS else _clean(r.value)
        row = "" if is_missing(r.source_row) else str(int(r.source_row))
        cells = (row, column, _clean(r.rule), _clean(r.description), value)
        lines.append("<tr>" + "".join(f"<td {_TD}>{html.escape(c, quote=True)}</td>" for c in cells) + "</tr>")
    table = ('<table style="border-collapse:collapse;font-size:90%">' + head + "".join(lines) + "</table>")
    if more > 0:
        command = f"samla quarantine {source_id} {period or 'PERIOD'}"
        table += (f"<p>… and {more} more: see <code>{_e(command)}</code> (the project office can run it "
                  "for you).</p>")
    return table


def _data_docs_link(path: str, base_url: str | None) -> str:
    if not path or not base_url:
        return ""
    url = base_url.rstrip("/") + "/" + quote(path.replace("\\", "/").lstrip("/"))
    return f'<p>Validation report (Data Docs): <a href="{html.escape(url, quote=True)}">{_e(path)}</a></p>'


def _file_section(source: Source, outcome: FileOutcome, data_docs_base_url: str | None) -> str:
    record = outcome.record
    name = record.file_name or "(unnamed file)"
    dataset, period = record.dataset or "?", record.period or "?"
    rejected = record.status == "rejected"
    read, accepted, held = record.rows_read, record.rows_accepted, record.rows_quarantined
    message = _clean(record.message)
    status = "REJECTED (nothing loaded)" if rejected else "loaded, some rows held in quarantine"
    parts = [
        f'<h3 style="margin-bottom:4px">{_e(name)}</h3>',
        f"<p style=\"margin-top:0\">Dataset <b>{_e(dataset)}</b>, period <b>{_e(period)}</b>: {status}. "
        f"Rows read {read}, loaded {accepted}, held in quarantine {held}.</p>",
        f"<p><b>What is wrong:</b> {html.escape(message or 'see the rows below', quote=True)}</p>",
    ]
    rows = outcome.quarantine
    if rows is not None and len(rows):
        # A rejected file holds every row with the file's own fault: say so once, list only row faults.
        file_level = rows["column"].isna() & (rows["description"].map(_clean) == message) if rejected else None
        if file_level is not None and file_level.any():
            rules = ", ".join(dict.fromkeys(_clean(r) for r in rows.loc[file_level, "rule"]))
            parts.append(f"<p>All {read} rows of the file are held in quarantine because of this "
                         f"(rule <code>{html.escape(rules, quote=True)}</code>).</p>")
            rows = rows[~file_level]
        if len(rows):
            parts.append(f"<p>The rows with problems ({rows['source_row'].nunique()} rows, {len(rows)} problems; "
                         "row numbers as in your file, header row included):</p>")
            parts.append(_row_table(rows, source.id, record.period))
    parts.append(_data_docs_link(record.data_docs, data_docs_base_url))
    rerun = (f"the project office can re-run only this source (<code>samla run --from {_e(period)} "
             f"--to {_e(period)} --source {_e(source.id)}</code>)")
    if rejected and outcome.name_fault:
        pattern = source.delivery.pattern.replace("{ext}", "csv|xlsx")
        todo = (f"Nothing of this file was loaded, and data Samla already has stays published. Rename the file "
                f"so that it follows the agreed pattern <code>{_e(pattern)}</code> (e.g. a real reporting "
                f"month YYYY-MM) and deliver it again. The next scheduled run picks it up, or the project "
                f"office can re-run only this source.")
    elif rejected:
        todo = (f"Nothing of this file was loaded; the previous delivery of {_e(dataset)} {_e(period)} (if "
                f"there is one) stays published. Fix the export and deliver the whole file again with the same "
                f"name, <code>{_e(name)}</code>. The next scheduled run picks it up, or {rerun}.")
    else:
        todo = (f"The other {accepted} rows were loaded; the rows above are not counted until they are "
                f"fixed. Correct them in the export and deliver the whole file again with the same name, "
                f"<code>{_e(name)}</code>: the new delivery replaces this one. The next scheduled run picks it "
                f"up, or {rerun}.")
    parts.append(f"<p><b>What to do:</b> {todo}</p>")
    return "\n".join(p for p in parts if p)


def compose_steward_email(source: Source, result: SourceResult,
                          data_docs_base_url: str | None = None) -> tuple[str, str] | None:
    """(subject, HTML body) for the source's steward, or None when every file loaded cleanly.

    ``result`` is what ``transforms.ingest.pipeline.ingest_source`` returned; each
    file's Data Docs page (a path under the data dir) is linked under
    ``data_docs_base_url`` when given.
    """
    problems = [f for f in result.files if f.needs_attention]
    if not problems:
        return None
    rejected = sum(f.record.status == "rejected" for f in problems)
    held = len(problems) - rejected
    counts = ", ".join(c for c in (
        f"{rejected} file{'s' if rejected != 1 else ''} rejected" if rejected else "",
        f"{held} file{'s' if held != 1 else ''} with quarantined rows" if held else "",
    ) if c)
    subject = _one_line(_clean(f"Samla: {source.label}: {counts}"))
    greeting = f"Hej {_e(source.steward_name)}," if source.steward_name else "Hej,"
    sections = "\n<hr>\n".join(_file_section(source, f, data_docs_base_url) for f in problems)
    from transforms.config.project import current_project

    project = _e(current_project().name)  # the project file names the project
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4;max-width:60em">
<p>{greeting}</p>
<p>Samla ({project} reporting) has processed new deliveries from <b>{_e(source.label)}</b>: {_e(counts)}.
Each file is described below: what is wrong and what to do. Files not listed loaded without problems.</p>
<hr>
{sections}
<hr>
<p style="color:#555;font-size:90%">This message was sent automatically by Samla. It contains no person ids:
rows are identified by their row number in your file. Questions: contact the {project} project office.</p>
</body></html>
"""
    return subject, body


# --- sending -----------------------------------------------------------------------------------


def notify_steward(source: Source, result: SourceResult) -> bool:
    """Email the source's steward about this run's rejected files and quarantined rows.

    Returns True when an email was sent; False when there was nothing to say,
    no steward email is configured, or sending failed (logged; never raises).
    The SMTP connection is ``SAMLA_SMTP_CONN_ID`` (default ``smtp_default``),
    the sender ``SAMLA_MAIL_FROM`` (default ``samla@localhost``).
    """
    if not any(f.needs_attention for f in result.files):
        return False
    if not source.steward_email:
        log.warning("%s: files were rejected or had quarantined rows, but the source has no steward email "
                    "(sources file: steward: {name, email}); nobody was emailed", source.label)
        return False
    conn_id = os.environ.get("SAMLA_SMTP_CONN_ID", "").strip() or DEFAULT_CONN_ID
    from_email = os.environ.get("SAMLA_MAIL_FROM", "").strip() or DEFAULT_FROM
    try:
        email = compose_steward_email(source, result, os.environ.get(DATA_DOCS_URL_ENV, "").strip() or None)
    except Exception:
        log.exception("%s: could not compose the steward email; nobody was emailed", source.label)
        return False
    if email is None:
        return False
    subject, body = email
    try:
        from airflow.providers.smtp.hooks.smtp import SmtpHook

        with SmtpHook(smtp_conn_id=conn_id) as hook:
            hook.send_email_smtp(to=source.steward_email, subject=subject, html_content=body,
                                 from_email=from_email)
    except Exception as exc:  # noqa: BLE001 - email must never fail the ingestion
        log.error("%s: could not email the steward %s through SMTP connection %r (%s: %s); the ingestion "
                  "itself is not affected. Check the Airflow connection %r.", source.label,
                  source.steward_email, conn_id, type(exc).__name__, _one_line(_clean(exc)), conn_id)
        return False
    log.info("%s: emailed the steward %s about %d file(s)", source.label, source.steward_email,
             sum(f.needs_attention for f in result.files))
    return True
