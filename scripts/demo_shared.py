"""`make demo-shared`: the seed scenario on three machines (workflow/demo_shared.py), on a
throwaway PostgreSQL cluster this script starts (as the test suite does, tests/pg.py) and
stops at the end. Each machine is a folder of its own under DIR (default
demo-shared-workspace); every command runs as its own `resolutions` process with that
folder as its workspace, connected with the acting member's own database role."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from tests.pg import Cluster
    from workflow.demo import DemoError
    from workflow.demo_shared import play, process_runner, role_url

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("directory", nargs="?", default="demo-shared-workspace")
    args = parser.parse_args()
    base = Path(args.directory).resolve()
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    print(f"brics-resolutions shared demo → {base}")
    cluster = Cluster().start()
    try:
        owner = cluster.create_database()  # the administrator's URL (TLS, SCRAM, passfile)
        print(f"  a throwaway PostgreSQL cluster on {cluster.host}:{cluster.port} (TLS, "
              "SCRAM passwords; stopped at the end)")
        run = process_runner(base, lambda member: role_url(owner, member),
                             [str(Path(sys.executable).with_name("resolutions"))],
                             dict(os.environ))
        result = play(base, run, password_file=cluster.password_file)
        for machine, verdict in result.verdicts.items():
            print(f"  {machine:<8} audit verify: {verdict}")
        return 0
    except DemoError as exc:
        print(f"demo-shared failed: {exc}", file=sys.stderr)
        return 1
    finally:
        cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
