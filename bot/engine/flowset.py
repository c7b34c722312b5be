"""FlowSet: the validated flows, with earlier versions kept (FlowRegistry reloads them: registry.py)."""

from __future__ import annotations

from collections.abc import Iterator

from bot.engine.model import Flow, LanguageStep

ONBOARDING = "onboarding"
DEFAULT_LANGUAGES = ("sv", "en", "ar", "fa_AF", "ps", "so", "ti", "uk")
KEEP_VERSIONS = 20  # earlier versions kept per flow so running sessions can finish on them


class FlowSet:
    """Valid flows by id; `get(id, version)` also finds versions seen before a reload."""

    def __init__(self, flows: dict[str, Flow], previous: FlowSet | None = None) -> None:
        self.flows = dict(flows)
        self._versions: dict[str, dict[str, Flow]] = {}
        if previous is not None:
            for fid, versions in previous._versions.items():
                self._versions[fid] = dict(versions)
        for fid, flow in self.flows.items():
            kept = self._versions.setdefault(fid, {})
            kept.pop(flow.version, None)
            kept[flow.version] = flow
            while len(kept) > KEEP_VERSIONS:
                kept.pop(next(iter(kept)))

    def get(self, flow_id: str, version: str | None = None) -> Flow | None:
        """The current flow (version None), or that exact version if it is known."""
        if version is None:
            return self.flows.get(flow_id)
        return self._versions.get(flow_id, {}).get(version)

    def menu(self) -> list[Flow]:
        """Flows shown in the main menu, in menu order."""
        shown = [f for f in self.flows.values() if f.spec.menu is not None]
        return sorted(shown, key=lambda f: (f.spec.menu.order if f.spec.menu else 0, f.title))

    def trigger(self, payload: str) -> tuple[str, str] | None:
        """Deep-link payload (`/start workshop-malmo`) -> (flow id, source tag)."""
        for flow in self.flows.values():
            for t in flow.spec.triggers:
                if t.payload == payload:
                    return flow.id, t.source
        return None

    @property
    def onboarding_id(self) -> str | None:
        return ONBOARDING if ONBOARDING in self.flows else None

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages offered: those of the onboarding language question."""
        onboarding = self.flows.get(ONBOARDING)
        for step in onboarding.steps.values() if onboarding else ():
            if isinstance(step, LanguageStep):
                return tuple(step.languages)
        return DEFAULT_LANGUAGES

    def __iter__(self) -> Iterator[Flow]:
        return iter(self.flows.values())
