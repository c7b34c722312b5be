"""Helpers for the dashboard tests: invented submissions, staff accounts, a test flow.

Everything here is invented test data; no real person appears.
"""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.web.passwords import hash_password
from storage import staff as staff_repo
from storage.models import Submission

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
_keys = itertools.count(1)

# A small flow in the engine's YAML format, for the flows page and the simulator.
TEST_FLOW = """\
id: idea
title: Share an idea
menu:
  order: 1
start: topic
expires_after: 3d
steps:
  - id: topic
    type: choice
    text: What is your idea about?
    save: topic
    forward: true
    choices:
      - id: school
        label: School
      - id: housing
        label: Housing
    next: idea
  - id: idea
    type: text
    text: Tell us your idea.
    save: idea
    forward: true
    next: thanks
  - id: thanks
    type: end
    text: Thank you!
"""


def write_test_flows(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "idea.yaml").write_text(TEST_FLOW, encoding="utf-8")
    return folder


def submission(**overrides: Any) -> Submission:
    n = next(_keys)
    values: dict[str, Any] = dict(
        key=f"test-{n}", participant_pseudonym=f"Calm Heron {n}", flow_id="idea", language="en",
        source=None, answers={"topic": "school", "idea": f"More football after school {n}"},
        urgent=False, status="new", tags=[], created_at=T0 + timedelta(minutes=n),
        updated_at=T0, is_test=False,
    )
    values.update(overrides)
    return Submission(**values)


async def add_staff(sessionmaker: Any, name: str, role: str, password: str = PASSWORD) -> None:
    async with sessionmaker.begin() as s:
        await staff_repo.add_staff(s, name=name, role=role, password_hash=hash_password(password), now=T0)
