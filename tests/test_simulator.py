"""`python -m bot chat` over a pipe completes every shipped flow."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Inputs per flow; numbers press the numbered buttons.
SCRIPTS = {
    "onboarding": ["2", "3", "1", "/quit"],  # English, 16-17, Yes -> menu
    "share_idea": ["2", "Study buddies for new students", "1", "6", "1"],
    "need": ["4", "/skip", "A summer job", "2"],
    "workshop_feedback": ["1", "oops", "1", "Loved it"],
    "contact_permission": ["2"],
}
ENDINGS = {
    "onboarding": "What would you like to do?",
    "share_idea": "Thank you for sharing your idea!",
    "need": "Thank you for telling us.",
    "workshop_feedback": "See you next time!",
    "contact_permission": "Nobody will ask you.",
}


def chat(args, lines):
    env = {**os.environ, "FLOWS_DIR": str(ROOT / "flows"), "LOCALES_DIR": str(ROOT / "no-locales")}
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--lang", "en", *args],
        input="\n".join(lines) + "\n", capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )


@pytest.mark.parametrize("flow_id", sorted(SCRIPTS))
def test_chat_completes_each_shipped_flow(flow_id):
    args = [] if flow_id == "onboarding" else ["--flow", flow_id]
    proc = chat(args, SCRIPTS[flow_id])
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert ENDINGS[flow_id] in proc.stdout
    if flow_id != "onboarding":
        assert f"end of flow {flow_id}" in proc.stdout


def test_wrong_input_is_answered_kindly():
    proc = chat(["--flow", "workshop_feedback"], ["1", "oops", "/quit"])
    assert "Please write a number" in proc.stdout and proc.returncode == 0


def test_unknown_flow_is_reported():
    proc = chat(["--flow", "nope"], [])
    assert proc.returncode == 1 and "unknown flow 'nope'" in proc.stdout


def test_chat_speaks_the_chosen_language():
    from bot.i18n import get_catalogs
    from bot.settings import get_settings

    ar = get_catalogs(get_settings()).translator("ar")
    question = ar.gettext("Hi! Which language do you want to use?", "onboarding/language")
    assert question != "Hi! Which language do you want to use?"
    env = {**os.environ, "FLOWS_DIR": str(ROOT / "flows"), "LOCALES_DIR": str(ROOT / "locales")}
    result = subprocess.run([sys.executable, "-m", "bot", "chat", "--lang", "ar"], input="/quit\n",
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert question in result.stdout
