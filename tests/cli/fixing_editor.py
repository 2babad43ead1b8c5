"""An $EDITOR for the edit-recovery tests. The first session changes the English year and
breaks the YAML on the ``operative:`` line; a session opened at a line (``+N``) mends the
YAML and nothing else. Every call's arguments go to ``$EDIT_LOG``."""

import os
import sys
from pathlib import Path

args = sys.argv[1:]
path = Path(args[-1])
with open(os.environ["EDIT_LOG"], "a", encoding="utf-8") as log:
    log.write(" ".join(args[:-1]) + "\n")
text = path.read_text(encoding="utf-8")
if any(a.startswith("+") for a in args[:-1]):
    text = text.replace("\noperative: : oops\n", "\noperative:\n")
else:
    text = text.replace("until 2030", "until 2031").replace("\noperative:\n",
                                                            "\noperative: : oops\n")
path.write_text(text, encoding="utf-8")
