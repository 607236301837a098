"""Reading a source's bytes. Local files for now; every harvester goes through here."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from .base import SourceError

MAX_BYTES = 50 * 1024 * 1024


def fetch(location: str) -> bytes:
    parts = urlsplit(location)
    if parts.scheme in ("", "file"):
        path = Path(parts.path if parts.scheme else location)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise SourceError(f"{path.name} is larger than {MAX_BYTES // 2**20} MiB")
            return path.read_bytes()
        except OSError as exc:
            raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from exc
    raise SourceError(f"unsupported location {location!r}: give a file path")
