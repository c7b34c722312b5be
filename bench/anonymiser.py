"""The anonymiser's recall and speed against the code before issue 16 (or --baseline REF), in one run:
`python -m bench.anonymiser [--out bench/RESULTS.md] [--baseline REF]`.

Both versions score the project's corpora (tests/corpus: the tuning part and the
held-out parts separately, see bot/privacy/score.py) and anonymise every sentence of
them `--repeat` times; the figure is the best time per 1,000 sentences. The baseline's
bot/privacy is taken from git (`git archive REF bot/privacy`) and imported under another
package name. The section it writes replaces the one between the markers in --out.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from types import ModuleType

from bot.privacy import score as scoring

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- anonymiser: begin -->", "<!-- anonymiser: end -->"
PRESIDIO = (
    "Presidio could not be run beside it: `presidio-analyzer` installs from PyPI, but its "
    "recognisers need a spaCy pipeline (en_core_web_lg by default), and no English spaCy model "
    "is on PyPI here (`pip download en-core-web-sm` finds none); models come from a hub."
)


def load_baseline(ref: str, workdir: Path) -> ModuleType:
    """bot/privacy at `ref`, importable as `baseline_privacy`."""
    tar = subprocess.run(["git", "archive", ref, "bot/privacy"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(workdir, filter="data")
    package = workdir / "bot" / "privacy"
    spec = importlib.util.spec_from_file_location(
        "baseline_privacy", package / "__init__.py", submodule_search_locations=[str(package)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_privacy"] = module
    spec.loader.exec_module(module)
    return module


def per_thousand(anonymize, sentences: list[str], repeat: int) -> float:
    anonymize("warm up: Jag heter Sara, ring 070-174 06 05")
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for s in sentences:
            anonymize(s)
        best = min(best, time.perf_counter() - t0)
    return best / len(sentences) * 1000 * 1000  # ms per 1,000


def measure(ref: str, repeat: int) -> str:
    from bot.privacy import anonymize, find_spans

    corpora = scoring.project_corpora()
    sentences = [i.text for items, _ in corpora.values() for i in items]
    sentences += [s for _, clean in corpora.values() for ss in clean.values() for s in ss]
    lines = [
        BEGIN,
        "## Anonymiser (issue 16)",
        "",
        f"Written by `python -m bench.anonymiser`; this branch against `{ref}` in the same run, "
        f"on {len(sentences)} sentences of tests/corpus ({repeat} passes, the best).",
        "",
    ]
    with tempfile.TemporaryDirectory(prefix="anon-baseline-") as tmp:
        try:
            base = load_baseline(ref, Path(tmp))
        except (subprocess.CalledProcessError, OSError) as exc:
            base = None
            lines.append(f"- baseline `{ref}` not available ({exc}); only this branch is measured.")
        now_ms = per_thousand(anonymize, sentences, repeat)
        row = f"| time per 1,000 sentences | {now_ms:.0f} ms |"
        if base is not None:
            base_ms = per_thousand(base.anonymize, sentences, repeat)
            row += f" {base_ms:.0f} ms | ×{now_ms / base_ms:.2f} | < 2× |"
        lines += ["| measure | this branch | baseline | ratio | target |", "| --- | --- | --- | --- | --- |", row, ""]
        for title, (items, clean) in corpora.items():
            for name, find, anon in (
                ("this branch", find_spans, anonymize),
                *((("baseline", base.find_spans, base.anonymize),) if base else ()),
            ):
                s = scoring.score(items, clean, find_spans=find, anonymize=anon)
                lines += [
                    f"**{title}, {name}** ({len(items)} labelled sentences, "
                    f"{sum(s.clean_total.values())} clean; recall by type and language, then "
                    "clean sentences altered):",
                    "",
                    "```",
                    scoring.table(s),
                    "```",
                    "",
                ]
    lines += [f"- {PRESIDIO}", END]
    return "\n".join(lines)


# The last commit before the issue-16 anonymiser: the fixed baseline of the time ratio.
BEFORE_ISSUE_16 = "7dcd143"


def write_section(out: Path, section: str) -> None:
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + section + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    out.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.anonymiser", description=__doc__.splitlines()[0])
    p.add_argument(
        "--baseline",
        default=BEFORE_ISSUE_16,
        help=f"git ref of the code to compare with (default {BEFORE_ISSUE_16}, the anonymiser before issue 16)",
    )
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--out", type=Path, help="report to update (e.g. bench/RESULTS.md); default: print only")
    args = p.parse_args(argv)
    section = measure(args.baseline, args.repeat)
    print(section)
    if args.out:
        write_section(args.out, section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
