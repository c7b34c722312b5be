"""FlowRegistry: the live FlowSet of a folder, reloaded from disk (the top of the engine's
loading: registry -> load -> check -> flowset, no module importing one above it)."""

from __future__ import annotations

from pathlib import Path

from bot.base.problems import Problem
from bot.engine.flowset import FlowSet
from bot.engine.load import load_flows


class FlowRegistry:
    """The live FlowSet of a folder. A reload that finds problems keeps the last good set."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.current: FlowSet | None = None
        self.problems: list[Problem] = []

    def reload(self) -> list[Problem]:
        """Load the folder again; returns the problems (empty when the new set is live)."""
        flowset, problems = load_flows(self.path, previous=self.current)
        if flowset is not None:
            self.current = flowset
        self.problems = problems
        return problems
