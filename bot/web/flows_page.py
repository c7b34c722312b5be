"""Admin pages about the flows on disk: validation status, translation coverage, diagrams.

The files are read on each visit, so an admin sees the effect of an edit before the
bot reloads it; parsing and checking are cached by content hash (bot/engine/load.py),
so a visit checks only what changed, and it does so in a thread, off the event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.web.auth import requires
from bot.web.context import ctx
from bot.web.diagram import condition_label, layout
from bot.web.pages import render


@dataclass
class FlowFile:
    file: str
    flow: Any | None  # the parsed flow, when the file itself is readable and well-formed
    problems: list[Any] = field(default_factory=list)
    coverage: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # lang -> (reviewed, drafts, total)

    @property
    def ok(self) -> bool:
        return self.flow is not None and not self.problems


def coverage(flow: Any, states: dict[str, dict[Any, str]]) -> dict[str, tuple[int, int, int]]:
    """Per language: the flow's texts reviewed, its drafts (fuzzy: shown, not checked), all."""
    from bot.engine import text_contexts
    from bot.i18n.review import DRAFT, REVIEWED

    keys = [(context, msgid) for context, msgid, _line in text_contexts(flow)]
    return {
        lang: (
            sum(known.get(k) == REVIEWED for k in keys),
            sum(known.get(k) == DRAFT for k in keys),
            len(keys),
        )
        for lang, known in states.items()
    }


def scan(flows_dir: Path, locales_dir: Path | None, languages: list[str]) -> tuple[list[FlowFile], list[Any]]:
    """Every flow file with its problems; problems of the set as a whole come second."""
    from bot.engine import load_flows
    from bot.engine.load import flow_files, parse_flow_text
    from bot.i18n.review import catalog_states

    states = {lang: catalog_states(locales_dir, lang) for lang in languages} if locales_dir is not None else {}
    _flowset, problems = load_flows(flows_dir)
    by_file: dict[str, list[Any]] = {}
    for p in problems:
        by_file.setdefault(p.file, []).append(p)
    files = []
    for path in flow_files(flows_dir) if flows_dir.is_dir() else []:
        name = str(path)
        try:
            flow, _own = parse_flow_text(path.read_text(encoding="utf-8"), name)
        except (OSError, UnicodeDecodeError):
            flow = None
        entry = FlowFile(name, flow, by_file.pop(name, []))
        if flow is not None and states:
            entry.coverage = coverage(flow, states)
        files.append(entry)
    return files, [p for rest in by_file.values() for p in rest]


def _scan(request: web.Request) -> tuple[list[FlowFile], list[Any]]:
    c = ctx(request)
    try:
        return scan(Path(c.settings.flows_dir), Path(c.settings.locales_dir), list(c.settings.languages))
    except Exception:  # noqa: BLE001 - a broken catalog must not hide the flows page
        return scan(Path(c.settings.flows_dir), None, list(c.settings.languages))


@requires("admin")
async def flows_page(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    files, other = await asyncio.to_thread(_scan, request)
    return render(request, "flows.html", files=files, other_problems=other, languages=list(c.settings.languages))


@requires("admin")
async def flow_page(request: web.Request) -> web.StreamResponse:
    c = ctx(request)
    files, _other = await asyncio.to_thread(_scan, request)
    wanted = request.match_info["flow"]
    entry = next((f for f in files if f.flow is not None and f.flow.id == wanted), None)
    if entry is None:
        raise web.HTTPNotFound(text="No such flow.")
    nodes, edges, width, height = layout(entry.flow)
    return render(
        request,
        "flow.html",
        entry=entry,
        flow=entry.flow,
        nodes=nodes,
        edges=edges,
        condition_label=condition_label,
        width=width,
        height=height,
        languages=list(c.settings.languages),
    )
