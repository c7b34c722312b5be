"""The container, without a Docker engine: the Dockerfile passes hadolint and has what
the deployment relies on, compose.yaml wires PostgreSQL and two bots, and
scripts/docker-build-check builds the image's runtime in a fresh venv and runs it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.botfixtures import ROOT

DOCKERFILE = (ROOT / "Dockerfile").read_text()


def instructions(name: str) -> list[str]:
    """The arguments of every instruction `name` (continuation lines joined)."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.upper().startswith(name + " ")]


def test_hadolint_finds_nothing():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run([hadolint, "--no-color", "-"], input=DOCKERFILE, text=True, capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_runs_as_a_non_root_user_with_its_content_and_a_health_check():
    final = DOCKERFILE.rsplit("\nFROM ", 1)[1]
    assert re.match(r"python:3\.1[1-9]-slim", final), "the runtime stage starts from a slim Python"
    (user,) = instructions("USER")
    assert user.split(":")[0] not in ("0", "root")
    assert instructions("RUN")[0] == "sh scripts/install-runtime /src /opt/venv"  # what the check runs
    assert "[test]" not in DOCKERFILE
    copies = instructions("COPY")
    assert "flows flows" in copies and "locales locales" in copies
    assert instructions("VOLUME") == ['["/app/var"]']
    (health,) = instructions("HEALTHCHECK")
    assert "/healthz" in health
    env = " ".join(instructions("ENV"))
    for setting in (
        "FLOWS_DIR=/app/var/flows",
        "FLOWS_SEED_DIR=/app/flows",
        "LOCALES_DIR=/app/locales",
        "VAR_DIR=/app/var",
        "WEB_HOST=0.0.0.0",
    ):
        assert setting in env
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".env", ".venv", "var", "tests", ".git"} <= set(ignored)


def test_compose_runs_postgresql_and_two_bots():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    bots = [s for name, s in services.items() if name.startswith("bot-")]
    assert len(bots) == 2
    ports = {port for bot in bots for port in bot["ports"]}
    assert len(ports) == 2, "each bot has its own port"
    for bot in bots:
        assert bot["environment"]["DATABASE_URL"].startswith("postgresql+asyncpg://")
        assert "PSEUDONYM_KEY" in bot["environment"], "both bots must make the same pseudonyms"
        assert {"./flows:/app/flows:ro", "./locales:/app/locales:ro"} <= set(bot["volumes"])
        assert bot["depends_on"]["db"]["condition"] == "service_healthy"


def test_compose_runs_libretranslate_beside_the_bots_with_its_languages():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    lt = compose["services"]["libretranslate"]
    assert lt["image"].startswith("libretranslate/libretranslate")
    assert set(lt["environment"]["LT_LOAD_ONLY"].split(",")) == {"sv", "en", "ar", "fa", "uk"}
    assert "ports" not in lt, "only the bots reach it"
    for name in ("bot-1", "bot-2"):
        bot = compose["services"][name]
        assert bot["environment"]["TRANSLATE_URL"].endswith("http://libretranslate:5000}")
        assert "libretranslate" not in bot["depends_on"], "the bots start without it: translations wait"


def test_the_build_steps_work_in_a_fresh_virtual_environment():
    result = subprocess.run(
        ["sh", str(ROOT / "scripts" / "docker-build-check")], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "docker-build-check: ok" in result.stdout
