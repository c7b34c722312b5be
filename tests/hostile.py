"""Hostile flow files for the tests: what an attacker or a clumsy admin could send.

The fixed ones are in tests/broken_flows/ (with the problem they must give on their
first line); a long flow is generated, since its size is the point.
"""

from __future__ import annotations

from tests.botfixtures import ROOT

BROKEN = ROOT / "tests" / "broken_flows"
ALIAS_BOMB = BROKEN / "alias_bomb.yaml"  # "billion laughs": 597 bytes, 387 million texts expanded
DEEP_NESTING = BROKEN / "deep_nesting.yaml"  # 10,000 levels of lists


def long_flow(steps: int, flow_id: str = "long") -> str:
    """A valid flow of `steps` steps: a chain of questions, each saving an answer, with
    conditions on the choices and placeholders naming the answer before."""
    lines = [f"id: {flow_id}", "title: Long", "start: s0", "expires_after: 3d", "steps:"]
    for i in range(steps - 1):
        to = f"s{i + 1}"
        if i % 3 == 0:
            lines += [
                f"  - id: s{i}",
                "    type: choice",
                f'    text: "Question {i}?"',
                f"    save: a{i}",
                "    choices:",
                "      - id: agree",
                '        label: "Yes"',
                "      - id: disagree",
                '        label: "No"',
                "    next:",
                f"      - when: {{answer: a{i}, equals: agree}}",
                f"        to: {to}",
                f"      - to: {to}",
            ]
        elif i % 3 == 1:
            lines += [
                f"  - id: s{i}",
                "    type: text",
                f'    text: "You said {{a{i - 1}}}. Anything else?"',
                f"    save: a{i}",
                f"    next: {to}",
            ]
        else:
            lines += [f"  - id: s{i}", "    type: message", f'    text: "Thanks for {{a{i - 1}}}."', f"    next: {to}"]
    lines += [f"  - id: s{steps - 1}", "    type: end", '    text: "Bye!"']
    return "\n".join(lines) + "\n"


def expected(path) -> str:
    """`line:col: message` from a fixture's first line (`# expect: …`)."""
    return path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
