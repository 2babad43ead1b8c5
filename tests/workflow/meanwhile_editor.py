"""An $EDITOR for the merge tests: while "the human" is in the editor, a colleague stores
another version (``resolutions edit REF $MEANWHILE_FILE``, a process of its own); then this
editor changes its own buffer (``$EDIT_FROM`` → ``$EDIT_TO``) and saves."""

import os
import subprocess
import sys
from pathlib import Path

path = Path(sys.argv[-1])
colleague = subprocess.run(
    [sys.executable, "-m", "tests.launch", "--workspace", os.environ["MEANWHILE_WORKSPACE"],
     "edit", os.environ["MEANWHILE_REF"], os.environ["MEANWHILE_FILE"]],
    capture_output=True, text=True, env=dict(os.environ, EDITOR="false"))
if colleague.returncode != 0:
    sys.exit(f"the colleague's edit failed: {colleague.stdout}{colleague.stderr}")
text = path.read_text(encoding="utf-8")
path.write_text(text.replace(os.environ["EDIT_FROM"], os.environ["EDIT_TO"], 1),
                encoding="utf-8")
