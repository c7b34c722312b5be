"""Export exactly the filtered submissions as CSV (streamed) or XLSX; anonymised data only.

Rows are read in keyset batches, so an export of a million rows never holds them
all. Cells that a spreadsheet would run as a formula are defused with a leading '.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Sequence
from typing import Any

from aiohttp import web

from bot.web.auth import Staff, requires
from bot.web.context import STAFF, ctx
from bot.web.labels import Labels
from bot.web.pages import answer_text
from storage.submission_query import Filters, iter_submissions
from storage import staff as staff_repo
from storage.models import Submission
from storage.translations import with_translations

BATCH = 500
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, minus the header
FIXED = "id created_at flow flow_title language source status urgent category tags pseudonym".split()
TRANSLATION = ["translation", "translation_kind", "translation_language"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def answer_names(flows: list[Any], flow_filter: str) -> list[str]:
    """Names of saved answers of the (filtered) live flows, in flow and step order."""
    names: dict[str, None] = {}
    for flow in flows:
        if flow_filter and flow.id != flow_filter:
            continue
        for step in flow.steps.values():
            if name := getattr(step, "save", None):
                names[name] = None
    return list(names)


def header(names: list[str]) -> list[str]:
    return FIXED + [f"answer:{n}" for n in names] + ["other_answers"] + TRANSLATION


def row_cells(row: Submission, names: list[str], shown: Sequence[Any] = (), labels: Labels | None = None) -> list[str]:
    """One row's cells; `shown` its translations, the one staff see first (a person's
    above a machine's) in the translation columns; `labels` titles its flow."""
    answers = row.answers if isinstance(row.answers, dict) else {"answer": row.answers}
    other = {k: v for k, v in answers.items() if k not in names}
    cells = [
        str(row.id),
        row.created_at.isoformat(),
        row.flow_id,
        labels.flow(row.flow_id) if labels is not None else "",
        row.language,
        row.source or "",
        row.status,
        "yes" if row.urgent else "no",
        row.category or "",
        ", ".join(row.tags or []),
        row.participant_pseudonym or "",
        *(answer_text(answers[n]) if n in answers else "" for n in names),
        json.dumps(other, ensure_ascii=False) if other else "",
        *((shown[0].text, shown[0].kind, shown[0].target) if shown else ("", "", "")),
    ]
    return [safe_cell(c) for c in cells]


def filtered_rows(request: web.Request, filters: Filters) -> AsyncIterator[tuple[Submission, list[Any]]]:
    sessionmaker = ctx(request).sessionmaker
    return with_translations(sessionmaker, iter_submissions(sessionmaker, filters, BATCH), BATCH)


async def _audit(request: web.Request, fmt: str, filters: Filters) -> None:
    c = ctx(request)
    staff: Staff = request[STAFF]
    used = ",".join(sorted(filters.query())) or "none"  # filter names only: a search term may quote a youth
    async with c.sessionmaker.begin() as s:
        await staff_repo.audit(
            s, staff_name=staff.name, action="export", target=fmt, detail=f"filters: {used}", now=c.clock()
        )


async def _labels_and_names(c: Any, flow_filter: str) -> tuple[Labels, list[str]]:
    """The flows' titles (one-question campaigns' too) and the answer columns."""
    await c.know_campaigns()
    flows = c.shown_flows()
    return Labels(flows), answer_names(flows, flow_filter)


def _filename(c: Any, ext: str) -> str:
    return f"sammanbot-submissions-{c.clock().strftime('%Y%m%d-%H%M')}.{ext}"


@requires("reviewer")
async def export_csv(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    filters, _errors = Filters.from_query(request.query)
    await _audit(request, "csv", filters)
    labels, names = await _labels_and_names(c, filters.flow)
    response = web.StreamResponse(
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{_filename(c, "csv")}"',
        }
    )
    await response.prepare(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # BOM: Excel then reads the file as UTF-8 (Arabic, Dari, ...)
    writer.writerow(header(names))
    async for row, shown in filtered_rows(request, filters):
        writer.writerow(row_cells(row, names, shown, labels))
        if buffer.tell() > 64_000:
            await response.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
    await response.write(buffer.getvalue().encode())
    await response.write_eof()
    return response


@requires("reviewer")
async def export_xlsx(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    filters, _errors = Filters.from_query(request.query)
    await _audit(request, "xlsx", filters)
    labels, names = await _labels_and_names(c, filters.flow)
    from openpyxl import Workbook  # here, not at the top: ~5 MB the bot needs only for this download

    book = Workbook(write_only=True)
    sheet = book.create_sheet("submissions")
    sheet.append(header(names))
    count = 0
    async for row, shown in filtered_rows(request, filters):
        if count >= XLSX_MAX_ROWS:
            break
        sheet.append(row_cells(row, names, shown, labels))
        count += 1
    out = io.BytesIO()
    book.save(out)
    return web.Response(
        body=out.getvalue(),
        headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": f'attachment; filename="{_filename(c, "xlsx")}"',
        },
    )
