"""An $EDITOR for the concurrency tests: waits a moment (so other processes store versions
meanwhile), then tags one unit with the worker and a timestamp — the English title, or with
``EDIT_PARAGRAPH`` that paragraph's English text — and saves."""

import os
import sys
import time
from pathlib import Path

path = Path(sys.argv[1])
time.sleep(float(os.environ.get("EDIT_DELAY", "0.3")))
text = path.read_text(encoding="utf-8")
tag = f"({os.environ.get('EDIT_TAG', '?')} {time.time_ns()})"
paragraph = os.environ.get("EDIT_PARAGRAPH")
if not paragraph:
    text = text.replace("in microelectronics", f"in microelectronics {tag}", 1)
else:
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() in (f"- id: {paragraph}",
                                                                        f"id: {paragraph}"))
    at = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("en:"))
    line = lines[at].rstrip()
    lines[at] = f"{line[:-1]} {tag}{line[-1]}" if line.endswith(("'", '"')) else f"{line} {tag}"
    text = "\n".join(lines)
path.write_text(text, encoding="utf-8")
