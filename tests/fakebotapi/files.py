"""Files known to the fake server: sent by simulated users or uploaded by the bot."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes

    def api(self) -> dict[str, Any]:
        """The Bot API File object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }


class FileStore:
    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._counter = itertools.count(1)

    def add(self, data: bytes, folder: str, filename: str | None = None) -> StoredFile:
        n = next(self._counter)
        suffix = filename.rsplit(".", 1)[-1] if filename and "." in filename else "bin"
        unique = hashlib.sha256(data + n.to_bytes(8, "big")).hexdigest()[:16]
        stored = StoredFile(f"FAKE{folder[:3].upper()}{n:06d}{unique}", unique, f"{folder}/file_{n}.{suffix}", data)
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, path: str) -> StoredFile | None:
        return self._by_path.get(path)
