"""The user-facing texts of a flow with their message contexts: one definition.

The i18n extractor (bot/cli/i18n_extract.py) and the engine's events both use these
contexts, so a translation found for an event is the one the extractor wrote:
`<flow>/title`, `<flow>/reminder`, `<flow>/<step>` for step text lines, and
`<flow>/<step>/<choice>` for button labels.
"""

from __future__ import annotations

import string
from collections.abc import Iterator

from bot.engine.model import Flow


def title_context(flow_id: str) -> str:
    return f"{flow_id}/title"


def reminder_context(flow_id: str) -> str:
    return f"{flow_id}/reminder"


def step_context(flow_id: str, step_id: str) -> str:
    return f"{flow_id}/{step_id}"


def choice_context(flow_id: str, step_id: str, choice_id: str) -> str:
    return f"{flow_id}/{step_id}/{choice_id}"


def text_contexts(flow: Flow) -> Iterator[tuple[str, str, int]]:
    """Yield (context, msgid, yaml_line) for every translatable text of the flow."""
    yield title_context(flow.id), flow.title, flow.line_of(("title",))
    if flow.spec.reminder:
        yield reminder_context(flow.id), flow.spec.reminder, flow.line_of(("reminder",))
    for i, step in enumerate(flow.steps.values()):
        ctx = step_context(flow.id, step.id)
        if isinstance(step.text, str):
            yield ctx, step.text, flow.line_of(("steps", i, "text"))
        elif step.text is not None:
            for j, line in enumerate(step.text):
                yield ctx, line, flow.line_of(("steps", i, "text", j))
        for k, choice in enumerate(getattr(step, "choices", None) or []):
            yield (
                choice_context(flow.id, step.id, choice.id),
                choice.label,
                flow.line_of(("steps", i, "choices", k, "label")),
            )


def placeholders(text: str) -> tuple[list[str], str | None]:
    """Names used as `{name}` in a text, or an error message for a malformed one."""
    names: list[str] = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        return [], f"bad placeholder: {exc} (write {{{{ and }}}} for a brace)"
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            return names, f"bad placeholder '{{{field}}}': write just the answer name, like {{topic}}"
        names.append(field)
    return names, None
