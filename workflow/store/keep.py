"""Best-effort JSON files under ``.resolutions/`` that only spare work (the parsed
versions, the parity errors ``status`` reports, the settings as read): written whole or
not at all, readable by their owner only, and never a refusal — a folder that cannot be
written, or a value JSON cannot hold, keeps nothing."""

import contextlib
import json
import os
from pathlib import Path

__all__ = ["keep_json"]


def keep_json(path: Path, data: object) -> None:
    """``data`` as JSON at ``path`` (a temporary file renamed over it), or nothing."""
    try:
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # (the C
        # encoder: json.dump writes through the pure-Python one, chunk by chunk)
    except (TypeError, ValueError):
        return
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = str(path.parent / f".{os.getpid()}-{os.urandom(6).hex()}.tmp")  # (as mkstemp,
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # without its import)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
