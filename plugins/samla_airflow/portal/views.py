"""The portal's pages: plain HTML built with ``html.escape``, the steward pages' inline style, no script.

Every text that came from a delivery or the ledger passes ``text`` (personnummer masked in any
form, then escaped); the catalogue's own words pass ``html.escape`` too.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from transforms.messages import catalogue, t
from transforms.names import shown
from transforms.privacy.personnummer import mask_in_text
from transforms.values import is_missing

PORTAL_STYLE = """<style>
header.portal{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;justify-content:space-between;
border-bottom:1px solid #d0d7de;padding:0 0 .5rem;margin:0 0 1rem}
header.portal form{display:inline;margin:0}header.portal .who{color:#57606a}
form.box{border:1px solid #d0d7de;border-radius:.3rem;padding:.8rem 1rem;max-width:34rem}
form.box label{display:block;font-weight:600;margin:.7rem 0 .2rem}
form.box input[type=text],form.box input[type=email],form.box input[type=password],form.box select{width:100%;
padding:.45rem;font-size:1rem;border:1px solid #8c959f;border-radius:.2rem}
form.box .hint{color:#57606a;font-size:.9rem;margin:.2rem 0}
button{margin-top:1rem;padding:.5rem 1.1rem;font-size:1rem;border:1px solid #0550ae;background:#0969da;
color:#fff;border-radius:.3rem;cursor:pointer}
button.link{margin:0;padding:0;border:0;background:none;color:#0550ae;text-decoration:underline;font-size:inherit}
.error{border-left:.4rem solid #cf222e;background:#fff0f0;padding:.6rem .9rem;margin:1rem 0;border-radius:.2rem}
ul.sources li{margin:.4rem 0}th{white-space:nowrap}
@media print{header.portal form{display:none}}
</style>"""


def text(value: Any) -> str:
    """A value from a delivery or the ledger, as a page shows it: personnummer masked, escaped."""
    if is_missing(value):
        return ""
    return html.escape(shown(mask_in_text(str(value))), quote=True)


def words(message_id: str, **params: Any) -> str:
    """A catalogue text, escaped (its parameters are escaped with it)."""
    return html.escape(t(message_id, **params), quote=True)


def attr(value: str) -> str:
    return html.escape(value, quote=True)


def dataset_name(dataset: str) -> str:
    key = f"dataset.name.{dataset}"
    return t(key) if key in catalogue() else dataset


def status_words(status: str) -> str:
    key = f"status.{status}"
    return t(key) if key in catalogue() else status


def bar(prefix: str, who: str | None = None, csrf: str | None = None) -> str:
    """The top of every page: the portal's name (a link home) and, when logged in, who and a log-out button."""
    right = ""
    if who and csrf:
        right = (f'<span class="who">{words("portal.logged_in_as", name=who)}</span> '
                 f'<form method="post" action="{attr(prefix)}/logout">'
                 f'<input type="hidden" name="csrf" value="{attr(csrf)}">'
                 f'<button class="link" type="submit">{words("portal.logout")}</button></form>')
    return (f'<header class="portal"><a href="{attr(prefix)}/"><b>{words("portal.name")}</b></a>'
            f"<span>{right}</span></header>")


def page(title: str, body: Iterable[str], *, prefix: str, who: str | None = None, csrf: str | None = None) -> str:
    """A complete page; ``title`` is plain text, ``body`` HTML already escaped."""
    # The steward pages' look; imported here, as it imports pandas: not when Airflow loads the plugin.
    from transforms.ingest.steward_pages import STYLE

    return ("<!DOCTYPE html>\n"
            f'<html lang="{attr(t("page.lang"))}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="robots" content="noindex">'
            f"<title>{html.escape(title)}</title>{STYLE}{PORTAL_STYLE}</head>\n<body>\n"
            + bar(prefix, who, csrf) + "\n" + "\n".join(b for b in body if b) + "\n</body></html>\n")


def with_bar(document: str, prefix: str, who: str, csrf: str, after: str = "") -> str:
    """A steward page (a complete document of its own) with the portal's bar and style added, and
    ``after`` (HTML) under the bar."""
    document = document.replace("</head>", PORTAL_STYLE + "</head>", 1)
    return document.replace("<body>\n", "<body>\n" + bar(prefix, who, csrf) + "\n" + after, 1)


def table(headers: list[str], rows: list[list[str]], numeric: Iterable[int] = ()) -> str:
    """A table of cells already escaped; ``headers`` are catalogue ids; ``numeric`` columns align right."""
    right = set(numeric)
    head = "".join(f"<th>{words(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td class="num">{c}</td>' if i in right else f"<td>{c}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def error(message: str) -> str:
    """A refusal or fault, already in words (plain text)."""
    return f'<p class="error" role="alert">{html.escape(message)}</p>'


def _cell(value: Any) -> str:
    from samla_airflow.cli.common import cell

    return text(cell(value))


def status_sections(rows: list[dict], states: list[dict], stale: list[dict], period: str | None,
                    base: str) -> list[str]:
    """What ``samla status --source ID`` shows: the newest delivery per dataset and period (each period
    linked to its quarantine page), datasets missing or rejected, and whether the source is late."""
    lines = []
    for r in rows:
        when = _cell(r["period"])
        link = f'<a href="{attr(base)}/quarantine/{when}">{when}</a>' if when else ""
        lines.append([text(dataset_name(r["dataset"])), link, text(r["file_name"]), _cell(r["rows_read"]),
                      _cell(r["rows_accepted"]), _cell(r["rows_quarantined"]), html.escape(status_words(r["status"])),
                      _cell(r["message"])])
    out = [f"<h2>{words('portal.status.deliveries')}</h2>"]
    out.append(table(["cli.col.dataset", "cli.col.period", "cli.col.file", "cli.col.read", "cli.col.loaded",
                      "cli.col.quarantined", "cli.col.status", "cli.col.message"], lines, numeric=(3, 4, 5))
               if lines else f"<p>{words('common.none')}</p>")
    if states:
        state_lines = []
        for s in states:
            state = ("cli.status.dataset_missing" if s["state"] == "missing" else
                     "cli.status.dataset_rejected" if s["dataset"] == "participants" else
                     "cli.status.dataset_rejected_nothing")
            state_lines.append([text(dataset_name(s["dataset"])), words(state), _cell(s["file_name"])])
        out += [f"<h2>{words('cli.status.datasets_title', period=period)}</h2>",
                table(["cli.col.dataset", "cli.col.state", "cli.col.file"], state_lines)]
    if stale:
        out += [f"<h2>{words('cli.status.stale_title')}</h2>",
                table(["cli.col.name", "cli.col.newest_snapshot"],
                      [[text(s["name"]), _cell(s["newest_snapshot"]) or "–"] for s in stale])]
    return out


def quarantine_sections(rejected, own, roots) -> list[str]:
    """What ``samla quarantine ID PERIOD`` shows: the rejected files, then each held row (pseudonyms
    never: a person's value is shown as hidden)."""
    from samla_airflow.cli.quarantine import row_lines

    if rejected.empty and own.empty:
        return [f"<p>{words('cli.quarantine.none')}</p>"]
    out = []
    if not rejected.empty:
        out += [f"<h2>{words('cli.quarantine.rejected_title')}</h2>",
                table(["cli.col.dataset", "cli.col.file", "cli.col.read", "cli.col.message"],
                      [[text(dataset_name(r["dataset"])), text(r["file_name"]), _cell(r["rows_read"]),
                        _cell(r["message"])] for r in rejected.to_dict("records")], numeric=(2,))]
    if not own.empty:
        lines = [[text(dataset_name(dataset)), text(row), text(headers), text(rules), text(values), text(problems)]
                 for dataset, row, headers, rules, values, problems in row_lines(own, roots)]
        out += [f"<h2>{words('cli.quarantine.rows_title')}</h2>",
                table(["cli.col.dataset", "cli.col.row", "cli.col.column", "cli.col.rule", "cli.col.value",
                       "cli.col.problem"], lines, numeric=(1,))]
        named = dict.fromkeys(zip(own["dataset"], own["file_name"], strict=True))
        out.append("<p>" + ", ".join(f"{text(dataset_name(d))}: {text(n)}" for d, n in named) + "</p>")
    return out
