"""An $EDITOR for the concurrency test: waits a moment (so every process has read the same
version), then changes the English title, tagging it with the worker and a timestamp."""

import os
import sys
import time
from pathlib import Path

path = Path(sys.argv[1])
time.sleep(float(os.environ.get("EDIT_DELAY", "0.3")))
text = path.read_text(encoding="utf-8")
tag = f"[{os.environ.get('EDIT_TAG', '?')}:{time.time_ns()}]"
path.write_text(text.replace("in microelectronics", f"in microelectronics {tag}", 1),
                encoding="utf-8")
