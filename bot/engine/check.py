"""Validation rules that need a whole flow or the whole set (`flows check` is load.py's).

load.py has already checked each file against the schema; here we look at how the
parts fit: ids, targets, reachability, whether a flow can end, answers named in
conditions and `{placeholders}`, Telegram's size limits, durations and triggers.
Every rule reports at the YAML position of the thing to fix, and all rules run,
so an admin sees every problem at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from bot.engine import model as m
from bot.engine.flowset import DEFAULT_LANGUAGES
from bot.engine.texts_of import placeholders
from bot.base.problems import Problem, did_you_mean

TERMINAL = (m.EndStep, m.MenuStep)
Path_ = tuple[Any, ...]


def _conditions(cond: m.Condition, path: Path_) -> Iterator[tuple[m.Condition, Path_]]:
    yield cond, path
    for key, subs in (("all", cond.all_), ("any", cond.any_)):
        for k, sub in enumerate(subs or []):
            yield from _conditions(sub, path + (key, k))
    if cond.not_ is not None:
        yield from _conditions(cond.not_, path + ("not",))


class _Known:
    """The answer names saved before a step: bits of an int, as names only when a
    problem wants a suggestion."""

    __slots__ = ("mask", "bits", "all_names")

    def __init__(self, mask: int, bits: dict[str, int], all_names: list[str]) -> None:
        self.mask, self.bits, self.all_names = mask, bits, all_names

    def __contains__(self, name: object) -> bool:
        bit = self.bits.get(name) if isinstance(name, str) else None
        return bit is not None and bool(self.mask >> bit & 1)

    def names(self) -> list[str]:
        return [n for i, n in enumerate(self.all_names) if self.mask >> i & 1]


class _ChoiceIds:
    """Answer name -> the choice ids its values can be, when only choice questions save it."""

    def __init__(self, savers: dict[str, list[Any]]) -> None:
        self.savers = savers
        self._ids: dict[str, set[str] | None] = {}

    def of(self, name: str) -> set[str] | None:
        if name not in self._ids:
            savers = self.savers.get(name, [])
            choices = savers and all(isinstance(s, (m.ChoiceStep, m.MultiStep)) for s in savers)
            self._ids[name] = {ch.id for s in savers for ch in s.choices} if choices else None
        return self._ids[name]


def _components(steps: dict[str, Any], edges: Callable[[Any], list[str]]) -> list[list[str]]:
    """Strongly connected components of the step graph, sources first (Tarjan's
    algorithm without recursion, so a long chain of steps cannot overflow the stack)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    for root in steps:
        if root in index:
            continue
        work = [(root, iter(edges(steps[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges(steps[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(component)
    found.reverse()  # Tarjan finds sinks first
    return found


class _FlowChecker:
    """Every rule about one flow. Each pass is linear in the flow's size (a flow is
    checked on every reload, upload and dashboard visit), so no rule may walk the
    whole flow once per step."""

    def __init__(
        self, flow: m.Flow, flows: dict[str, m.Flow] | None, flow_saves: dict[str, dict[str, Any]] | None = None
    ) -> None:
        self.flow = flow
        self.flows = flows
        self._flow_saves = flow_saves if flow_saves is not None else {}  # flow id -> what a run of it saves
        self.doc = flow.doc
        self.problems: list[Problem] = []
        raw = flow.doc.data.get("steps") if flow.doc and isinstance(flow.doc.data, dict) else None
        self.raw_steps: list[Any] = raw if isinstance(raw, list) else []
        self.index: dict[str, int] = {}
        for i, r in enumerate(self.raw_steps):
            if isinstance(r, dict) and isinstance(r.get("id"), str):
                self.index.setdefault(r["id"], i)
        self.all_ids = set(self.index)
        self.complete = len(flow.steps) == len(self.raw_steps)
        self.unknown_target = False  # a `next:` names a step that is not there

    def report(self, path: Path_, message: str, *, key: bool = False) -> None:
        if self.doc is not None:
            self.problems.append(self.doc.problem(path, message, key=key))
        else:
            self.problems.append(Problem(self.flow.file, 1, 1, message))

    def path(self, step: Any) -> Path_:
        return ("steps", self.index.get(step.id, 0))

    def run(self) -> list[Problem]:
        if len(self.raw_steps) > m.MAX_STEPS:
            self.report(
                ("steps",),
                f"the flow has {len(self.raw_steps)} steps; a flow may have at most "
                f"{m.MAX_STEPS} (split it into sub-flows with `type: flow`)",
                key=True,
            )
        self.ids()
        self.durations()
        self.sizes()
        self.targets()
        if self.complete and self.flow.start in self.flow.steps:
            # an unknown `next:` is the one problem to fix: the unreachable steps and
            # loops it causes would only point away from it
            reachable = self.reachability(report=not self.unknown_target)
            self.answers(reachable)
        return self.problems

    # -- ids ---------------------------------------------------------------
    def _id(self, value: str, path: Path_, what: str) -> None:
        if not m.ID_RE.match(value):
            self.report(
                path, f"{what} '{value}' is not a valid id: use lowercase letters, digits and _, starting with a letter"
            )

    def ids(self) -> None:
        self._id(self.flow.id, ("id",), "flow id")
        seen: set[str] = set()
        for i, r in enumerate(self.raw_steps):
            sid = r.get("id") if isinstance(r, dict) else None
            if not isinstance(sid, str):
                continue
            if sid in seen:
                self.report(("steps", i, "id"), f"duplicate step id '{sid}'")
            seen.add(sid)
        for step in self.flow.steps.values():
            p = self.path(step)
            self._id(step.id, p + ("id",), "step id")
            if getattr(step, "save", None):
                self._id(step.save, p + ("save",), "answer name")
            choice_ids: set[str] = set()
            for k, c in enumerate(getattr(step, "choices", None) or []):
                self._id(c.id, p + ("choices", k, "id"), "choice id")
                if c.id in choice_ids:
                    self.report(p + ("choices", k, "id"), f"duplicate choice id '{c.id}'")
                choice_ids.add(c.id)
            if isinstance(step, m.LanguageStep):
                for k, code in enumerate(step.languages):
                    if code not in DEFAULT_LANGUAGES:
                        self.report(
                            p + ("languages", k),
                            f"unknown language '{code}'" + did_you_mean(code, DEFAULT_LANGUAGES),
                        )

    # -- durations and reminders ---------------------------------------------
    def durations(self) -> None:
        spec = self.flow.spec
        expires = m.parse_duration(spec.expires_after)
        hint = "use a number and a unit, like 3d, 12h, 30m or 2w"
        if expires is None:
            self.report(("expires_after",), f"bad duration '{spec.expires_after}': {hint}")
        if spec.remind_after is not None:
            remind = m.parse_duration(spec.remind_after)
            if remind is None:
                self.report(("remind_after",), f"bad duration '{spec.remind_after}': {hint}")
            elif expires is not None and remind >= expires:
                self.report(("remind_after",), "remind_after must be shorter than expires_after")
            if spec.reminder is None:
                self.report(("remind_after",), "remind_after needs a `reminder:` text to send")
        elif spec.reminder is not None:
            self.report(("reminder",), "a `reminder:` text needs `remind_after:` to say when to send it")

    # -- Telegram's limits -----------------------------------------------------
    def sizes(self) -> None:
        spec = self.flow.spec
        title = spec.title + (f" {spec.menu.emoji}" if spec.menu and spec.menu.emoji else "")
        if len(title) > m.MAX_LABEL:
            self.report(
                ("title",), f"title is {len(title)} characters with its emoji; menu buttons allow {m.MAX_LABEL}"
            )
        for step in self.flow.steps.values():
            p = self.path(step)
            lines = step.lines()
            for j, line in enumerate(lines):
                if not line.strip():
                    self.report(p + ("text",) + ((j,) if isinstance(step.text, list) else ()), "empty text")
            total = len("\n".join(lines))
            if total > m.MAX_MESSAGE:
                self.report(p + ("text",), f"text is {total} characters; a Telegram message allows {m.MAX_MESSAGE}")
            choices = getattr(step, "choices", None) or []
            if len(choices) > m.MAX_CHOICES:
                self.report(
                    p + ("choices",), f"{len(choices)} choices; a question may have at most {m.MAX_CHOICES} buttons"
                )
            for k, c in enumerate(choices):
                if len(c.label) > m.MAX_LABEL:
                    self.report(
                        p + ("choices", k, "label"), f"label is {len(c.label)} characters; buttons allow {m.MAX_LABEL}"
                    )
                elif not c.label.strip():
                    self.report(p + ("choices", k, "label"), "empty label")
            if isinstance(step, m.TextStep):
                if step.max_length > m.MAX_MESSAGE:
                    self.report(p + ("max_length",), f"max_length is more than a Telegram message ({m.MAX_MESSAGE})")
                if step.min_length > step.max_length:
                    self.report(p + ("min_length",), "min_length is larger than max_length")
            if isinstance(step, m.NumberStep) and step.min is not None and step.max is not None and step.min > step.max:
                self.report(p + ("min",), "min is larger than max")

    # -- where each step goes --------------------------------------------------
    def targets(self) -> None:
        if self.flow.start not in self.all_ids:
            self.report(
                ("start",), f"unknown step '{self.flow.start}' in start" + did_you_mean(self.flow.start, self.all_ids)
            )
        for step in self.flow.steps.values():
            p = self.path(step)
            nxt = getattr(step, "next", None)
            if isinstance(nxt, str):
                self._target(nxt, p + ("next",))
            elif isinstance(nxt, list):
                if not nxt:
                    self.report(p + ("next",), "`next:` needs at least one entry")
                for r, route in enumerate(nxt):
                    self._target(route.to, p + ("next", r, "to"))
                if nxt and nxt[-1].when is not None:
                    self.report(
                        p + ("next", len(nxt) - 1),
                        "the last `next:` entry must have no `when:`, so there is always a way on",
                    )
            if isinstance(step, m.FlowStep):
                if step.flow == self.flow.id:
                    self.report(p + ("flow",), f"flow '{step.flow}' cannot run itself as a sub-flow")
                elif self.flows is not None and step.flow not in self.flows:
                    self.report(p + ("flow",), f"unknown flow '{step.flow}'" + did_you_mean(step.flow, self.flows))

    def _target(self, target: str, path: Path_) -> None:
        if target not in self.all_ids:
            self.unknown_target = True
            self.report(path, f"unknown step '{target}'" + did_you_mean(target, self.all_ids))

    def edges(self, step: Any) -> list[str]:
        return [r.to for r in step.routes() if r.to in self.flow.steps]

    def reachability(self, *, report: bool = True) -> set[str]:
        reachable: set[str] = set()
        todo = [self.flow.start]
        while todo:
            sid = todo.pop()
            if sid not in reachable:
                reachable.add(sid)
                todo += self.edges(self.flow.steps[sid])
        if not report:
            return reachable
        for step in self.flow.steps.values():
            if step.id not in reachable:
                self.report(
                    self.path(step) + ("id",), f"step '{step.id}' can never be reached from start '{self.flow.start}'"
                )
        terminals = {s.id for s in self.flow.steps.values() if isinstance(s, TERMINAL)}
        if not terminals:
            self.report(("steps",), "the flow has no `end` or `menu` step, so it can never end", key=True)
            return reachable
        can_end = set(terminals)
        todo = list(terminals)
        preds = self.predecessors()
        while todo:
            for p in preds[todo.pop()]:
                if p not in can_end:
                    can_end.add(p)
                    todo.append(p)
        for step in self.flow.steps.values():
            if step.id in reachable and step.id not in can_end:
                self.report(
                    self.path(step) + ("id",), f"the flow can never end from step '{step.id}': every way on loops back"
                )
        return reachable

    def predecessors(self) -> dict[str, list[str]]:
        preds: dict[str, list[str]] = {sid: [] for sid in self.flow.steps}
        for step in self.flow.steps.values():
            for t in self.edges(step):
                preds[t].append(step.id)
        return preds

    # -- answers named in conditions and placeholders ----------------------------
    def saves_of(self, step: Any) -> dict[str, Any]:
        """Answer name -> saving step, for a step (a sub-flow step saves its flow's answers)."""
        if getattr(step, "save", None):
            return {step.save: step}
        if isinstance(step, m.FlowStep) and self.flows and step.flow in self.flows and step.flow != self.flow.id:
            return self.saves_of_flow(step.flow)
        return {}

    def saves_of_flow(self, flow_id: str) -> dict[str, Any]:
        """What a run of a flow saves, its sub-flows' answers included; worked out once per flow."""
        known = self._flow_saves.get(flow_id)
        if known is not None:
            return known
        self._flow_saves[flow_id] = {}  # sub-flows that call each other (reported elsewhere) stop here
        assert self.flows is not None  # saves_of asks only when the whole set is known
        sub = _FlowChecker(self.flows[flow_id], self.flows, self._flow_saves)
        out: dict[str, Any] = {}
        for s in sub.flow.steps.values():
            out.update(sub.saves_of(s))
        self._flow_saves[flow_id] = out
        return out

    def answers(self, reachable: set[str]) -> None:
        """Placeholders and conditions may only name answers some earlier step can have saved.

        "Earlier" is any step with a way to this one. Answer names are bits of an int,
        and the steps are taken a strongly connected component at a time, sources
        first, so each step's earlier answers are one OR over its predecessors."""
        bits: dict[str, int] = {}
        savers: dict[str, list[Any]] = {}
        own: dict[str, int] = {}
        for step in self.flow.steps.values():
            mask = 0
            for name, saver in self.saves_of(step).items():
                savers.setdefault(name, []).append(saver)
                mask |= 1 << bits.setdefault(name, len(bits))
            own[step.id] = mask
        names = list(bits)
        preds = self.predecessors()
        before: dict[str, int] = {}
        for component in _components(self.flow.steps, self.edges):
            members = set(component)
            mask = 0
            for sid in component:
                for pred in preds[sid]:
                    if pred not in members:
                        mask |= before[pred] | own[pred]
            if len(component) > 1 or component[0] in preds[component[0]]:  # on a loop: each is before itself
                for sid in component:
                    mask |= own[sid]
            for sid in component:
                before[sid] = mask
        values = _ChoiceIds(savers)
        for step in self.flow.steps.values():
            if step.id not in reachable:
                continue
            p = self.path(step)
            self.check_placeholders(step, p, _Known(before[step.id], bits, names))
            after = _Known(before[step.id] | own[step.id], bits, names)
            for r, route in enumerate(step.routes() if isinstance(getattr(step, "next", None), list) else []):
                if route.when is not None:
                    self.check_condition(route.when, p + ("next", r, "when"), after, values)

    def check_placeholders(self, step: Any, p: Path_, before: _Known) -> None:
        for j, line in enumerate(step.lines()):
            lp = p + ("text",) + ((j,) if isinstance(step.text, list) else ())
            names, error = placeholders(line)
            if error:
                self.report(lp, error)
            for name in names:
                if name not in before:
                    self.report(
                        lp,
                        f"'{{{name}}}' names an answer that no earlier step saves" + did_you_mean(name, before.names()),
                    )

    def check_condition(self, cond: m.Condition, path: Path_, known: _Known, values: _ChoiceIds) -> None:
        for c, cp in _conditions(cond, path):
            for key in ("answer", "answered", "skipped"):
                name = getattr(c, key)
                if name is not None and name not in known:
                    self.report(
                        cp + (key,),
                        f"condition names answer '{name}' that no step before saves"
                        + did_you_mean(name, known.names()),
                    )
            if c.answer is not None and c.answer in known:
                self.check_values(c, cp, values.of(c.answer))

    def check_values(self, c: m.Condition, cp: Path_, ids: set[str] | None) -> None:
        if ids is None:
            return
        values: list[tuple[str | tuple[str, int], m.Scalar]] = [("equals", c.equals)] if c.equals is not None else []
        values += [(("one_of", k), v) for k, v in enumerate(c.one_of or [])]
        for key, value in values:
            if value not in ids:
                kp = cp + (key if isinstance(key, tuple) else (key,))
                self.report(kp, f"'{value}' is not a choice of answer '{c.answer}'" + did_you_mean(value, ids))


def check_flow(
    flow: m.Flow, flows: dict[str, m.Flow] | None, flow_saves: dict[str, dict[str, Any]] | None = None
) -> list[Problem]:
    """Every rule about one flow; `flows` (the set, by id) to check sub-flow targets."""
    return _FlowChecker(flow, flows, flow_saves).run()


def check_flows(flows: list[m.Flow]) -> list[Problem]:
    """Rules for a whole set: each flow, duplicate ids and triggers, sub-flow cycles."""
    problems: list[Problem] = []
    by_id: dict[str, m.Flow] = {}
    for f in flows:
        if f.id in by_id:
            where = f.doc.where(("id",)) if f.doc else (1, 1)
            problems.append(Problem(f.file, *where, f"duplicate flow id '{f.id}' (also in {by_id[f.id].file})"))
        else:
            by_id[f.id] = f
    flow_saves: dict[str, dict[str, Any]] = {}
    for f in flows:
        problems += check_flow(f, by_id, flow_saves)
    payloads: dict[str, str] = {}
    for f in flows:
        for k, t in enumerate(f.spec.triggers):
            if t.payload in payloads:
                where = f.doc.where(("triggers", k, "payload")) if f.doc else (1, 1)
                problems.append(
                    Problem(f.file, *where, f"trigger '{t.payload}' is already used by flow '{payloads[t.payload]}'")
                )
            else:
                payloads[t.payload] = f.id
    problems += _subflow_cycles(by_id)
    return problems


def _subflow_cycles(flows: dict[str, m.Flow]) -> list[Problem]:
    calls = {
        fid: {s.flow for s in f.steps.values() if isinstance(s, m.FlowStep) and s.flow in flows and s.flow != fid}
        for fid, f in flows.items()
    }
    leads_to: dict[str, set[str]] = {}  # flow id -> every flow a run of it may call, at any depth
    for fid in flows:
        seen: set[str] = set()
        todo = list(calls[fid])
        while todo:
            cur = todo.pop()
            if cur not in seen:
                seen.add(cur)
                todo += calls[cur]
        leads_to[fid] = seen
    problems: list[Problem] = []
    for fid, f in flows.items():
        for i, step in enumerate(f.steps.values()):
            if isinstance(step, m.FlowStep) and step.flow in calls[fid] and fid in leads_to[step.flow]:
                where = f.doc.where(("steps", i, "flow")) if f.doc else (1, 1)
                problems.append(
                    Problem(
                        f.file,
                        *where,
                        f"sub-flow '{step.flow}' leads back into '{fid}': flows would call each other forever",
                    )
                )
    return problems
