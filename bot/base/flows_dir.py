"""The flows folder on disk (FLOWS_DIR): seeded from the shipped flows, files replaced atomically.

In a container the image's flows are read-only, so admins' flows live on a writable
volume instead, and FLOWS_SEED_DIR names the shipped flows that fill it at the first
start (when it holds no flow file). After that the folder is the admins': a newer
image does not overwrite their flows. The crisis word list is the exception: it is
changed in the repository, where the safeguarding tests check it, never from the
chat, so the shipped one replaces the folder's copy at every start and reload.

A file is replaced in two steps so that the database can go first: `write_temp`
writes the new content beside the target (fsynced, under a name no loader reads) and
`install` renames it over the target. Whatever fails, the old file is still whole.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.base.settings import Settings

log = logging.getLogger(__name__)

LEXICON_FILE = "safeguarding.yaml"
FLOW_SUFFIXES = (".yaml", ".yml")
STALE_TEMP = 3600.0  # seconds: a temporary file this old belongs to a process that died
# Why a file could not be saved, in words an admin in the staff group can pass on.
REASONS = {
    errno.EROFS: "the flows folder is read-only",
    errno.EACCES: "the bot may not write in the flows folder",
    errno.EPERM: "the bot may not write in the flows folder",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EISDIR: "a folder of that name is in the way",
    errno.ENOTDIR: "the flows folder is not a folder",
    errno.ENOENT: "the flows folder does not exist",
}


def why(exc: OSError) -> str:
    """An OSError in plain words."""
    return REASONS.get(exc.errno or 0) or (exc.strerror or type(exc).__name__).lower()


def write_temp(target: Path, data: bytes) -> Path:
    """Write `data` beside `target` under a name no flow loader or watcher picks up, fsynced."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def install(tmp: Path, target: Path) -> None:
    """Rename the written file over the target (atomic), and make the rename durable."""
    try:
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)  # gone after a rename; removed when it failed
    try:
        fd = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return  # the rename happened; only its durability across a power cut is unsure
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def replace(target: Path, data: bytes) -> None:
    """Write a file atomically: readers see the old content or the new, never a part."""
    install(write_temp(target, data), target)


def _flow_files(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.iterdir() if p.suffix in FLOW_SUFFIXES and p.is_file() and not p.name.startswith(".")
    )


def sweep_temp(folder: Path, now: float | None = None) -> list[str]:
    """Remove the temporary files `write_temp` left behind when a process died between
    writing and renaming (older than STALE_TEMP, so none another process still writes)."""
    now = time.time() if now is None else now
    removed = []
    for path in folder.glob(".*.tmp"):
        try:
            if path.is_file() and now - path.stat().st_mtime > STALE_TEMP:
                path.unlink()
                removed.append(path.name)
        except OSError:
            continue  # gone meanwhile, or not ours to remove: the next start tries again
    if removed:
        log.info("flows folder %s: %d stale temporary file(s) removed", folder, len(removed))
    return removed


def seed(flows_dir: Path, seed_dir: Path | None) -> list[str]:
    """Fill an empty flows folder from the shipped flows, and bring the shipped crisis word
    list in. Returns the names of the files written; raises OSError when it cannot."""
    if flows_dir.is_dir():
        sweep_temp(flows_dir)
    if seed_dir is None or not seed_dir.is_dir():
        return []
    flows_dir.mkdir(parents=True, exist_ok=True)
    if flows_dir.resolve() == seed_dir.resolve():
        return []
    shipped = _flow_files(seed_dir)
    if any(p.name != LEXICON_FILE for p in _flow_files(flows_dir)):
        shipped = [p for p in shipped if p.name == LEXICON_FILE]
    written = []
    for source in shipped:
        data = source.read_bytes()
        target = flows_dir / source.name
        if target.is_file() and target.read_bytes() == data:
            continue
        replace(target, data)
        written.append(source.name)
    if written:
        log.info("flows folder %s: %s copied from %s", flows_dir, ", ".join(written), seed_dir)
    return written


def seed_flows(settings: Settings) -> None:
    """`seed` for the settings' folders, at start; a failure stops the start in one line."""
    from bot.base.problems import StartupError

    flows_dir, seed_dir = Path(settings.flows_dir), settings.flows_seed_dir
    try:
        seed(flows_dir, seed_dir)
    except OSError as exc:
        raise StartupError(f"cannot fill FLOWS_DIR {flows_dir} from FLOWS_SEED_DIR {seed_dir}: {why(exc)}") from exc
