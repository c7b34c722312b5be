"""YAML -> validated Flow objects, with every problem as file:line:col.

`parse_flow_doc` checks one file against the schema (model.py) and maps pydantic's
error locations back to YAML positions; check.py then applies the rules that need
the whole flow or the whole set. `load_flows` / `load_flow_text` do both.

Both steps are cached by content: a file is parsed again only when its text changed,
and a set is checked again only when one of its flows did (reloads, uploads and the
dashboard's flows page read the same files again and again).
"""

from __future__ import annotations

import hashlib
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ValidationError

from bot.engine import model as m
from bot.engine import check
from bot.engine.flowset import FlowSet
from bot.base.problems import Problem, did_you_mean
from bot.base.yamlsource import YamlDoc, parse_yaml

# Not a flow: the safeguarding word list lives beside the flows (someone else's file).
SKIP_FILES = {"safeguarding.yaml"}


def _all_keys() -> set[str]:
    keys: set[str] = set()
    models: tuple[type[BaseModel], ...] = (
        m.FlowSpec,
        m.MenuEntry,
        m.Trigger,
        m.Choice,
        m.Route,
        m.Condition,
        *m.STEP_TYPES.values(),
    )
    for cls in models:
        for name, f in cls.model_fields.items():
            keys.add(f.alias or name)
    keys.add("type")
    return keys


KNOWN_KEYS = _all_keys()
UNION_HINTS = {
    "text": "a text or a list of lines",
    "next": "a step id or a list of `when:`/`to:` entries",
    "equals": "a text, a number or true/false",
    "one_of": "a list of texts or numbers",
}


def _doc_path(doc: YamlDoc, base: tuple[Any, ...], loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Follow pydantic's loc through the YAML, skipping union-member tags it adds."""
    path = base
    for part in loc:
        cand = path + (part,)
        if cand in doc.positions or cand in doc.key_positions:
            path = cand
    return path


def schema_problems(doc: YamlDoc, base: tuple[Any, ...], exc: ValidationError) -> list[Problem]:
    """pydantic errors -> one Problem per YAML location, in words an admin can act on."""
    out: dict[tuple[Any, ...], Problem] = {}
    type_errors: set[tuple[Any, ...]] = set()
    for err in exc.errors():
        loc = tuple(err["loc"])
        path = _doc_path(doc, base, loc)
        names = [p for p in loc if isinstance(p, str) and p in KNOWN_KEYS]
        name = names[-1] if names else "file"
        kind = err["type"]
        key: tuple[Any, ...]
        if kind == "missing":
            key = (path, "missing", loc[-1])
            msg = f"missing field '{loc[-1]}'"
            problem = doc.problem(path, msg)
        elif kind == "extra_forbidden":
            key = (path,)
            msg = f"unknown key '{loc[-1]}'" + did_you_mean(loc[-1], KNOWN_KEYS)
            problem = doc.problem(path, msg, key=True)
        else:
            key = (path,)
            text = str(err["msg"]).removeprefix("Value error, ")
            field = str(path[-1]) if path and isinstance(path[-1], str) else name
            if field in UNION_HINTS and kind.endswith("_type"):
                text = f"should be {UNION_HINTS[field]}"
            elif kind.endswith("_type") or kind in ("literal_error", "too_short", "greater_than_equal"):
                text = text[0].lower() + text[1:]
            problem = doc.problem(path, f"'{field}': {text}" if kind != "value_error" else text)
            if kind.endswith("_type"):
                type_errors.add(key)
        out.setdefault(key, problem)
    # A union (text, next, ...) whose other member failed deeper down: report only the deeper error.
    deeper = {k for k in type_errors if any(len(o[0]) > len(k[0]) and o[0][: len(k[0])] == k[0] for o in out)}
    return sorted(p for k, p in out.items() if k not in deeper)


def _validate(cls: type[BaseModel], data: Any, doc: YamlDoc, base: tuple[Any, ...]) -> tuple[Any, list[Problem]]:
    try:
        return cls.model_validate(data), []
    except ValidationError as exc:
        return None, schema_problems(doc, base, exc)


def parse_flow_doc(doc: YamlDoc, raw: bytes) -> tuple[m.Flow | None, list[Problem]]:
    """Schema-check one parsed flow file. Returns a Flow (maybe with semantic problems left)."""
    if not isinstance(doc.data, dict):
        return None, [doc.problem((), "a flow file must be a mapping with id, title, start, expires_after and steps")]
    spec, problems = _validate(m.FlowSpec, doc.data, doc, ())
    steps: dict[str, Any] = {}
    raw_steps = doc.data.get("steps")
    for i, raw_step in enumerate(raw_steps if isinstance(raw_steps, list) else []):
        if not isinstance(raw_step, dict):
            continue  # FlowSpec already reported it
        kind = raw_step.get("type")
        if kind is None:
            problems.append(doc.problem(("steps", i), "missing field 'type' (one of " + ", ".join(m.STEP_TYPES) + ")"))
            continue
        if not isinstance(kind, str) or kind not in m.STEP_TYPES:
            problems.append(
                doc.problem(("steps", i, "type"), f"unknown step type '{kind}'" + did_you_mean(kind, m.STEP_TYPES))
            )
            continue
        step, step_problems = _validate(m.STEP_TYPES[kind], raw_step, doc, ("steps", i))
        problems += step_problems
        if step is not None:
            steps.setdefault(step.id, step)  # check.py reports duplicates
    if spec is None:
        return None, problems
    version = hashlib.sha256(raw).hexdigest()[:12]
    return m.Flow(spec=spec, steps=steps, version=version, file=doc.file, doc=doc), problems


class _Source:
    """A file's text, equal to another when their content hashes are."""

    __slots__ = ("text", "digest")

    def __init__(self, text: str) -> None:
        self.text = text
        self.digest = hashlib.sha256(text.encode("utf-8")).digest()

    def __hash__(self) -> int:
        return hash(self.digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Source) and other.digest == self.digest


@lru_cache(maxsize=256)
def _parsed(source: _Source, filename: str) -> tuple[m.Flow | None, tuple[Problem, ...]]:
    doc, problems = parse_yaml(source.text, filename)
    if doc is None:
        return None, tuple(problems)
    flow, problems = parse_flow_doc(doc, source.text.encode("utf-8"))
    return flow, tuple(problems)


@lru_cache(maxsize=32)
def _checked(flows: tuple[m.Flow, ...]) -> tuple[Problem, ...]:
    """The set's problems; flows compare by identity, and a parsed text is one object."""
    return tuple(check.check_flows(list(flows)))


def parse_flow_text(text: str, filename: str) -> tuple[m.Flow | None, list[Problem]]:
    flow, problems = _parsed(_Source(text), filename)
    return flow, list(problems)


def check_flow_set(flows: list[m.Flow]) -> list[Problem]:
    """check.check_flows, remembered for the same flows."""
    return list(_checked(tuple(flows)))


def flow_files(path: str | Path) -> list[Path]:
    """The flow files at a path: the file itself, or the folder's *.yaml / *.yml."""
    p = Path(path)
    if p.is_dir():
        files = sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
        return [f for f in files if f.name not in SKIP_FILES and not f.name.startswith(".") and f.is_file()]
    return [p]


def read_texts(paths: list[Path]) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(filename, text) for each readable UTF-8 file; the rest become problems."""
    texts: list[tuple[str, str]] = []
    problems: list[Problem] = []
    for f in paths:
        try:
            texts.append((str(f), f.read_bytes().decode("utf-8")))
        except UnicodeDecodeError as exc:
            problems.append(Problem(str(f), 1, 1, f"file is not UTF-8 text (byte {exc.start})"))
        except OSError as exc:
            problems.append(Problem(str(f), 1, 1, f"cannot read file: {exc.strerror or exc}"))
    return texts, problems


def build_flowset(
    texts: list[tuple[str, str]], previous: FlowSet | None = None
) -> tuple[FlowSet | None, list[Problem]]:
    """Parse and check a whole set of flow texts; a FlowSet only when nothing is wrong."""
    flows: list[m.Flow] = []
    problems: list[Problem] = []
    for name, text in texts:
        flow, found = parse_flow_text(text, name)
        problems += found
        if flow is not None:
            flows.append(flow)
    problems += check_flow_set(flows)
    if problems or not flows:
        if not flows and not problems:
            problems.append(Problem(texts[0][0] if texts else "flows", 1, 1, "no flow files found"))
        return None, sorted(set(problems))
    return FlowSet({f.id: f for f in flows}, previous=previous), []


def load_flows(path: str | Path, previous: FlowSet | None = None) -> tuple[FlowSet | None, list[Problem]]:
    """Load every flow at `path` (a folder or one file). FlowSet is None when there are problems."""
    texts, problems = read_texts(flow_files(path))
    if not Path(path).exists():
        return None, [Problem(str(path), 1, 1, "no such file or folder")]
    flowset, more = build_flowset(texts, previous)
    if problems:
        return None, sorted(set(problems + more))
    return flowset, more


def load_flow_text(text: str, filename: str) -> tuple[m.Flow | None, list[Problem]]:
    """Check one uploaded flow on its own (sub-flow targets are not checked here)."""
    flow, problems = parse_flow_text(text, filename)
    if flow is not None:
        problems += check.check_flow(flow, None)
    return (flow if not problems else None), sorted(set(problems))


def replace_flow(flowset: FlowSet, text: str, filename: str) -> tuple[FlowSet | None, list[Problem]]:
    """The set with one flow added or replaced (matched by id), fully checked.

    This is how an uploaded flow is validated before it goes live.
    """
    flow, problems = parse_flow_text(text, filename)
    if flow is None:
        return None, problems
    kept = [f for f in flowset.flows.values() if f.id != flow.id and f.file != filename]
    problems += check_flow_set([*kept, flow])
    if problems:
        return None, sorted(set(problems))
    return FlowSet({f.id: f for f in [*kept, flow]}, previous=flowset), []


def check_paths(paths: list[str]) -> tuple[int, list[Problem]]:
    """Check folders and files. A file is checked with the flows beside it (for sub-flows),
    but only the problems of the files asked about are returned."""
    problems: list[Problem] = []
    n_flows = 0
    for arg in paths:
        p = Path(arg)
        if not p.exists():
            problems.append(Problem(arg, 1, 1, "no such file or folder"))
            continue
        asked = flow_files(p)
        if not asked:
            problems.append(Problem(arg, 1, 1, "no flow files (*.yaml) here"))
            continue
        context = flow_files(p.parent) if p.is_file() else asked
        files = asked + [f for f in context if f.resolve() not in {a.resolve() for a in asked}]
        texts, read_problems = read_texts(files)
        _, found = build_flowset(texts)
        wanted = {str(f) for f in asked}
        problems += [pr for pr in read_problems + found if pr.file in wanted]
        n_flows += len(asked)
    return n_flows, sorted(set(problems))


def check_command(paths: list[str], out: TextIO | None = None) -> int:
    """`python -m bot flows check [PATH…]`: print every problem; 0 when all is well."""
    out = out or sys.stdout
    if not paths:
        from bot.base.settings import get_settings

        paths = [str(get_settings().flows_dir)]
    n_flows, problems = check_paths(paths)
    for problem in problems:
        print(problem, file=out)
    if problems:
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"ok: {n_flows} flow file(s) checked", file=out)
    return 0
