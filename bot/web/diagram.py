"""A flow's steps as a server-side SVG diagram (no JavaScript): boxes in rows by
distance from the start step, arrows for every `next`, labelled with their condition."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BOX_W, BOX_H = 190, 54
GAP_X, GAP_Y = 30, 56
MARGIN = 20
LABEL_MAX = 28


@dataclass(frozen=True)
class Node:
    id: str
    kind: str
    text: str
    x: int
    y: int


@dataclass(frozen=True)
class Edge:
    path: str
    label: str
    label_x: int
    label_y: int
    back: bool


def _short(text: str, limit: int = LABEL_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def condition_label(cond: Any) -> str:
    """A condition in a few words, e.g. `topic = school`, `not age answered`."""
    if cond is None:
        return "otherwise"
    if cond.answer is not None:
        for op, sign in (("equals", "="), ("one_of", "in"), ("gt", ">"), ("gte", "≥"), ("lt", "<"), ("lte", "≤")):
            value = getattr(cond, op)
            if value is not None:
                shown = "/".join(map(str, value)) if isinstance(value, list) else str(value)
                return f"{cond.answer} {sign} {shown}"
    if cond.answered:
        return f"{cond.answered} answered"
    if cond.skipped:
        return f"{cond.skipped} skipped"
    if cond.not_ is not None:
        return "not " + condition_label(cond.not_)
    parts = cond.all_ or cond.any_ or []
    joiner = " and " if cond.all_ else " or "
    return joiner.join(condition_label(p) for p in parts)


def _edges_of(step: Any) -> list[tuple[str, str]]:
    """(target step id, label) of each route out of a step."""
    routes = step.routes() if hasattr(step, "routes") else []
    if len(routes) == 1 and routes[0].when is None:
        return [(routes[0].to, "")]
    return [(r.to, condition_label(r.when)) for r in routes]


def _rows(flow: Any) -> dict[str, int]:
    """Each step's row: the longest path to it from the start step, loops left out
    (so every forward arrow points down); unreachable steps go last."""

    def targets(sid: str) -> list[str]:
        step = flow.steps.get(sid)
        return [t for t, _ in _edges_of(step) if t in flow.steps] if step is not None else []

    postorder: list[str] = []
    back: set[tuple[str, str]] = set()
    state: dict[str, int] = {}  # 1 on the DFS stack, 2 finished
    stack = [(flow.start, iter(targets(flow.start)))]
    state[flow.start] = 1
    while stack:  # iterative DFS: flows can be long
        sid, it = stack[-1]
        nxt = next(it, None)
        if nxt is None:
            stack.pop()
            state[sid] = 2
            postorder.append(sid)
        elif state.get(nxt) == 1:
            back.add((sid, nxt))
        elif nxt not in state:
            state[nxt] = 1
            stack.append((nxt, iter(targets(nxt))))
    depth = dict.fromkeys(postorder, 0)
    for sid in reversed(postorder):  # topological order of the loop-free graph
        for t in targets(sid):
            if (sid, t) not in back:
                depth[t] = max(depth[t], depth[sid] + 1)
    last = max(depth.values(), default=-1) + 1
    return {sid: depth.get(sid, last) for sid in flow.steps}


def flow_order(flow: Any) -> list[str]:
    """The step ids in the order a youth meets them: by distance from the start step
    (as the diagram's rows), file order within a distance; unreachable steps last."""
    rows = _rows(flow)
    return sorted(flow.steps, key=lambda sid: rows[sid])  # sorted() is stable: file order kept


def layout(flow: Any) -> tuple[list[Node], list[Edge], int, int]:
    """Nodes, edges and the canvas size of the flow's diagram."""
    rows = _rows(flow)
    by_row: dict[int, list[str]] = {}
    for sid in flow.steps:  # file order within a row
        by_row.setdefault(rows[sid], []).append(sid)
    width_cols = max(len(v) for v in by_row.values())
    width = 2 * MARGIN + width_cols * (BOX_W + GAP_X) + 120  # room on the right for back edges
    nodes: dict[str, Node] = {}
    for row, ids in by_row.items():
        offset = (width_cols - len(ids)) * (BOX_W + GAP_X) // 2
        for col, sid in enumerate(ids):
            step = flow.steps[sid]
            text = step.lines()[0] if step.lines() else (getattr(step, "flow", "") or "")
            nodes[sid] = Node(
                sid, step.type, _short(text), MARGIN + offset + col * (BOX_W + GAP_X), MARGIN + row * (BOX_H + GAP_Y)
            )
    height = 2 * MARGIN + (max(by_row) + 1) * (BOX_H + GAP_Y)
    edges = []
    for sid, step in flow.steps.items():
        for target, label in _edges_of(step):
            if target in nodes:
                edges.append(_edge(nodes[sid], nodes[target], label, width))
    return list(nodes.values()), edges, width, height


def _edge(a: Node, b: Node, label: str, width: int) -> Edge:
    ax, ay = a.x + BOX_W // 2, a.y + BOX_H
    if b.y > a.y:  # downwards: a gentle curve from bottom to top
        bx, by = b.x + BOX_W // 2, b.y
        mid = (ay + by) // 2
        path = f"M{ax},{ay} C{ax},{mid} {bx},{mid} {bx},{by - 4}"
        return Edge(path, _short(label, 22), (ax + bx) // 2 + 4, mid - 2, back=False)
    # upwards or sideways (a loop back): out of the right side, round the right margin
    sx, sy = a.x + BOX_W, a.y + BOX_H // 2
    tx, ty = b.x + BOX_W, b.y + BOX_H // 2
    lane = width - 40
    path = f"M{sx},{sy} C{lane},{sy} {lane},{ty} {tx + 4},{ty}"
    return Edge(path, _short(label, 22), lane - 60, (sy + ty) // 2, back=True)
