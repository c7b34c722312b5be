"""Extraction of flow texts and bot strings, catalog update and status, on a small project."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.i18n.catalogs import Catalogs, po_path
from bot.i18n.cli import (
    catalog_status,
    extract_template,
    placeholder_problems,
    print_status,
    update_catalog,
    write_catalog,
)
from bot.cli.i18n_extract import ExtractionError, extract_flows

ROOT = Path(__file__).resolve().parents[2]

FLOW = """\
id: demo
title: Demo flow
start: hello
expires_after: 3d
remind_after: 1d
reminder: Are you still there?
steps:
  - id: hello
    type: message
    text:
      - Hello!
      - I have {count} questions.
    next: colour
  - id: colour
    type: choice
    text: Which colour do you like?
    save: colour
    choices:
      - id: red
        label: Red
      - id: blue
        label: Blue
    next: bye
  - id: bye
    type: end
    text: Bye!
"""

STRINGS = '''\
"""Invented bot strings."""
from bot.i18n.texts import N_

THANKS = N_("Thank you, {name}!")
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "demo.yaml").write_text(FLOW, encoding="utf-8")
    (tmp_path / "bot").mkdir()
    (tmp_path / "bot" / "strings.py").write_text(STRINGS, encoding="utf-8")
    return tmp_path


def keyed(catalog) -> dict:
    return {(m.context, m.id): m for m in catalog if m.id}


def test_flow_texts_get_context_and_yaml_line(project: Path) -> None:
    messages = keyed(extract_template(project))
    expected = {
        ("demo/title", "Demo flow"): 2,
        ("demo/reminder", "Are you still there?"): 6,
        ("demo/hello", "Hello!"): 11,
        ("demo/hello", "I have {count} questions."): 12,
        ("demo/colour", "Which colour do you like?"): 16,
        ("demo/colour/red", "Red"): 20,
        ("demo/colour/blue", "Blue"): 22,
        ("demo/bye", "Bye!"): 26,
    }
    for key, line in expected.items():
        assert messages[key].locations == [("flows/demo.yaml", line)]
    assert messages[(None, "Thank you, {name}!")].locations == [("bot/strings.py", 4)]
    assert len(messages) == len(expected) + 1
    assert any("Button label" in c for c in messages[("demo/colour/red", "Red")].auto_comments)
    assert not messages[("demo/hello", "Hello!")].auto_comments


def test_plain_pybabel_extract_gives_the_same_template(project: Path) -> None:
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-o", "out.pot", "."], cwd=project, check=True)
    with (project / "out.pot").open("rb") as fh:
        by_pybabel = keyed(read_po(fh))
    ours = keyed(extract_template(project))
    assert by_pybabel.keys() == ours.keys()
    assert all(by_pybabel[k].locations == ours[k].locations for k in ours)


def test_a_broken_flow_stops_extraction(project: Path) -> None:
    fileobj = io.BytesIO(b"id: demo\ntitle: [unclosed\n")
    fileobj.name = "flows/broken.yaml"
    with pytest.raises(ExtractionError, match="flows/broken.yaml:"):
        list(extract_flows(fileobj, {"pgettext": None}, [], {}))


def test_update_creates_and_merges_catalogs(project: Path) -> None:
    locales = project / "locales"
    template = extract_template(project)
    uk = update_catalog(template, po_path(locales, "uk"), "uk")
    assert uk.num_plurals == 4
    assert update_catalog(template, po_path(locales, "ar"), "ar").num_plurals == 6

    en = update_catalog(template, po_path(locales, "en"), "en")
    assert all(m.string == m.id and not m.fuzzy for m in en if m.id)

    sv_path = po_path(locales, "sv")
    sv = update_catalog(template, sv_path, "sv")
    sv.get("Which colour do you like?", "demo/colour").string = "Vilken färg gillar du?"
    write_catalog(sv_path, sv)
    status = catalog_status(template, sv, "sv")
    assert (status.reviewed, status.draft, status.missing, status.percent) == (1, 0, 8, 11)

    # the flow's admin rewords the question: the translation survives, marked fuzzy
    flow = project / "flows" / "demo.yaml"
    flow.write_text(FLOW.replace("Which colour do you like?", "Which colour do you like best?"))
    template = extract_template(project)
    sv = update_catalog(template, sv_path, "sv")
    moved = sv.get("Which colour do you like best?", "demo/colour")
    assert moved.fuzzy and moved.string == "Vilken färg gillar du?"
    assert moved.previous_id == ["Which colour do you like?"]
    status = catalog_status(template, sv, "sv")
    assert (status.reviewed, status.draft, status.missing, status.percent) == (0, 1, 8, 0)  # a draft is not done


def test_status_reports_placeholder_problems(project: Path) -> None:
    locales = project / "locales"
    template = extract_template(project)
    sv = update_catalog(template, po_path(locales, "sv"), "sv")
    sv.get("I have {count} questions.", "demo/hello").string = "Jag har {antal} frågor."
    sv.get("Thank you, {name}!").string = "Tack, {name}!"
    problems = list(placeholder_problems(sv.get("I have {count} questions.", "demo/hello")))
    assert problems == ["demo/hello: msgstr has ['antal'], source has ['count']"]
    out = io.StringIO()
    print_status([catalog_status(template, sv, "sv")], {}, out)
    lines = out.getvalue().splitlines()
    assert lines[1].split() == ["sv", "2", "0", "7", "22%", "0/0", "Svenska"]
    assert "1 placeholder problem(s):" in out.getvalue()


def test_runtime_reads_updated_catalogs(project: Path) -> None:
    locales = project / "locales"
    template = extract_template(project)
    ar_path = po_path(locales, "ar")
    ar = update_catalog(template, ar_path, "ar")
    ar.get("Bye!", "demo/bye").string = "مع السلامة!"
    write_catalog(ar_path, ar)
    tr = Catalogs.load(locales, ["sv", "ar"], "sv").translator("ar")
    assert tr.gettext("Bye!", "demo/bye") == "مع السلامة!"


def test_status_command_runs_without_catalogs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "i18n", "status"], cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "run `python -m bot i18n extract` first" in result.stdout


def test_extract_command_names_a_broken_flow_and_keeps_the_template(project: Path) -> None:
    (project / "flows" / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    (project / "locales").mkdir()
    (project / "locales" / "messages.pot").write_text("before\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "i18n", "extract"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "flows/broken.yaml:2:" in result.stdout and "Traceback" not in result.stderr
    assert (project / "locales" / "messages.pot").read_text(encoding="utf-8") == "before\n"
