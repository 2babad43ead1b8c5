"""kill -9 at every crash point of render, sign and submit (`workflow/crashpoints.py`,
set through RESOLUTIONS_CRASH_AT): afterwards no partial file is visible at any destination
under its real name, the database is consistent (`audit verify` exits 0), and running the
same command again completes.

A first, uncrashed run of each command lists the points it passes (RESOLUTIONS_CRASH_LOG);
then, on a fresh copy of the workspace for each point and each time it is reached, the
command is killed exactly there.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FROZEN_NOW, Cli, make_workspace
from tests.reliability.helpers import files_under, run, setup_keys, sign_all, to_approved


def _complete(path: Path) -> None:
    """A file visible under its real name must be whole."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:], path
    elif path.suffix in (".docx", ".zip"):
        with zipfile.ZipFile(path) as zf:
            assert zf.testzip() is None, path
    elif path.suffix == ".json":
        json.loads(data)
    elif path.suffix == ".eml":
        assert b"\r\n\r\n" in data and data.rstrip().endswith(b"--"), path


def _check_destinations(root: Path, out: Path) -> None:
    for name in files_under(root, out):
        path = Path(name)
        parts = [p for p in path.relative_to(root if root in path.parents else out).parts
                 if p != ".resolutions"]
        if any(p.startswith(".") for p in parts):
            continue  # a hidden temp file or staging folder a crash left: never read or named
        if ".resolutions/store" in name:  # content-addressed: bytes must match the name
            import hashlib

            assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name, path
        else:
            _complete(path)


def _points(log: Path, writes: int = 3) -> list[str]:
    """'name@n' for each time a point was reached: every named point of the command, and
    ``writes`` file writes spread from the first to the last (first, last, middle)."""
    seen: Counter[tuple[str, str]] = Counter()
    hits: list[str] = []
    for line in log.read_text().splitlines():
        name, pid = line.split()
        seen[(name, pid)] += 1  # the N-th time in that process, as crashpoint() counts
        if f"{name}@{seen[(name, pid)]}" not in hits:
            hits.append(f"{name}@{seen[(name, pid)]}")
    write_hits = [h for h in hits if h.startswith("write.")]
    chosen = {h for h in hits if not h.startswith("write.")}
    picks = [0, -1, len(write_hits) // 2][:writes] if write_hits else []
    chosen |= {write_hits[i] for i in picks}
    return sorted(chosen, key=hits.index)


def _crash_and_rerun(template: Path, tmp: Path, args: list[str], out: Path,
                     then: list[list[str]] | None = None, writes: int = 3) -> list[str]:
    def at(root: Path, argv: list[str]) -> list[str]:  # paths inside the copy, not the template
        return [a.replace(str(template), str(root)) for a in argv]

    log = tmp / "points.log"
    probe = tmp / "probe"
    shutil.copytree(template, probe)
    result = run(probe, at(probe, args), extra_env={"RESOLUTIONS_CRASH_LOG": str(log)})
    assert result.returncode == 0, result.stderr
    points = _points(log, writes)
    assert points, f"{args} passes no crash point"
    for point in points:
        root = tmp / point.replace("@", "-")
        shutil.copytree(template, root)
        dest = Path(str(out).replace(str(template), str(root)))
        killed = run(root, at(root, args), extra_env={"RESOLUTIONS_CRASH_AT": point})
        # a point reached in a render worker kills that worker; the command then fails as
        # unexpected (exit 1, a bug), in one line
        worker_killed = killed.returncode == 1 and "terminated abruptly" in killed.stderr
        assert killed.returncode == -signal.SIGKILL or worker_killed, (
            f"{point}: {killed.returncode} {killed.stderr}")
        _check_destinations(root, dest)
        verify = run(root, ["audit", "verify"])
        assert verify.returncode == 0, f"after kill at {point}: {verify.stdout}{verify.stderr}"
        again = run(root, at(root, args))
        assert again.returncode == 0, f"re-run after kill at {point}: {again.stderr}"
        for extra in then or []:
            assert run(root, at(root, extra)).returncode == 0, extra
        _check_destinations(root, dest)
        assert run(root, ["audit", "verify"]).returncode == 0, point
        shutil.rmtree(root)
    return points


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    """A workspace with keys and an approved resolution (and its base rendered by one
    signature, to be copied per kill)."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("RESOLUTIONS_WORKSPACE", "RESOLUTIONS_DATABASE_URL", "RESOLUTIONS_USER"):
            mp.delenv(name, raising=False)
        mp.setenv("RESOLUTIONS_NOW", FROZEN_NOW)
        tmp = tmp_path_factory.mktemp("crash")
        ws = make_workspace(tmp / "ws")
        secrets = tmp / "secrets"
        setup_keys(ws, secrets)
        symbol = to_approved(ws, tmp)
        yield ws.root, symbol, secrets


@pytest.mark.slow
def test_kill_during_render(approved: tuple[Path, str, Path], tmp_path: Path) -> None:
    root, symbol, _ = approved
    out = root / "out"
    points = _crash_and_rerun(root, tmp_path, ["render", symbol, "--stage", "draft",
                                               "--format", "pdf", "--lang", "en",
                                               "-o", str(out)], out)
    assert any(p.startswith("render.after-write") for p in points), points
    print(f"\nrender: killed at {len(points)} points: {points}")


@pytest.mark.slow
def test_kill_during_sign(approved: tuple[Path, str, Path], tmp_path: Path) -> None:
    root, symbol, secrets = approved
    first = tmp_path / "signed-once"  # the signing base is rendered and pinned by the first
    shutil.copytree(root, first)
    assert run(first, ["sign", symbol, "--by", "appr-zh", "--passphrase-file",
                       str(secrets / "appr-zh.pass")]).returncode == 0
    args = ["sign", symbol, "--by", "appr-ru", "--passphrase-file", str(secrets / "appr-ru.pass")]
    points = _crash_and_rerun(first, tmp_path, args, first / "signed", writes=2)
    assert any(p.startswith("sign.before-record") for p in points), points
    print(f"\nsign: killed at {len(points)} points: {points}")


@pytest.mark.slow
def test_kill_during_submit(approved: tuple[Path, str, Path], tmp_path: Path) -> None:
    root, symbol, secrets = approved
    signed = tmp_path / "signed-template"
    shutil.copytree(root, signed)
    ws = Cli(signed, __import__("click.testing").testing.CliRunner())
    sign_all(ws, symbol, secrets)
    points = _crash_and_rerun(signed, tmp_path, ["submit", symbol, "--to", "brics-higher-council"],
                              signed / ".resolutions" / "submissions",
                              then=[["outbox"]], writes=2)
    assert any(p.startswith("submit.after-package") for p in points), points
    print(f"\nsubmit: killed at {len(points)} points: {points}")


@pytest.mark.slow
def test_kill_during_dossier_export(approved: tuple[Path, str, Path], tmp_path: Path) -> None:
    root, symbol, secrets = approved
    out = root / "archive" / "dossier.zip"
    points = _crash_and_rerun(root, tmp_path, ["dossier", "export", symbol, "-o", str(out),
                                               "--zip", "--seal-passphrase-file",
                                               str(secrets / "seal.pass")], root / "archive",
                              then=[["dossier", "verify", str(out)]], writes=1)
    assert any(p.startswith("dossier.before-publish") for p in points), points
    print(f"\ndossier export: killed at {len(points)} points: {points}")


@pytest.mark.slow
def test_kill_during_circulate_then_resume(approved: tuple[Path, str, Path], tmp_path: Path) -> None:
    """circulate opens the round in one transaction and queues each copy in another: killed
    anywhere, the round is open with some copies unqueued — status names exactly those,
    audit verify exits 0, and circulate --resume queues them, each once."""
    from click.testing import CliRunner

    from tests.reliability.helpers import draft

    root, _, _ = approved
    template = tmp_path / "draft-template"
    shutil.copytree(root, template)
    symbol = draft(Cli(template, CliRunner()), tmp_path)
    args = ["circulate", symbol, "--reviewer", "rev-ru", "--reviewer", "rev-zh"]
    log = tmp_path / "points.log"
    probe = tmp_path / "probe"
    shutil.copytree(template, probe)
    assert run(probe, args, extra_env={"RESOLUTIONS_CRASH_LOG": str(log)}).returncode == 0
    points = [p for p in _points(log, writes=3)
              if p.startswith(("circulate.", "write."))]
    assert {"circulate.after-round@1", "circulate.after-copy@1"} <= set(points), points
    for point in points:
        copy = tmp_path / point.replace("@", "-")
        shutil.copytree(template, copy)
        killed = run(copy, args, extra_env={"RESOLUTIONS_CRASH_AT": point})
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr)
        _check_destinations(copy, copy / ".resolutions" / "outbox")
        outbox = json.loads(run(copy, ["outbox", "--json"]).stdout)["messages"]
        queued = {m["recipient"].split("@")[0] for m in outbox
                  if m["kind"] == "review-copy" and symbol in m["subject"]}
        state = json.loads(run(copy, ["status", symbol, "--json"]).stdout)
        assert state["state"] == "in_review", point
        missing = [r for r in ("rev-ru", "rev-zh") if r not in queued]
        note = [f for f in state["facts"] if f.startswith("circulation of round 1 unfinished")]
        if missing:
            assert note == [f"circulation of round 1 unfinished: no review copy queued for "
                            f"{', '.join(missing)}; 'resolutions circulate {symbol} --resume' "
                            "queues them"], (point, state["facts"])
        else:
            assert not note, point
        assert run(copy, ["audit", "verify"]).returncode == 0, point
        again = run(copy, ["circulate", symbol, "--reviewer", "rev-ru"])
        assert again.returncode == 1 and "is in_review" in again.stderr, point
        resumed = run(copy, ["circulate", symbol, "--resume"])
        if missing:
            assert resumed.returncode == 0, (point, resumed.stderr)
            for reviewer in missing:
                assert f"{reviewer} <{reviewer}@wg.example>: review copy" in resumed.stdout
        else:
            assert resumed.returncode == 1 and "queued already" in resumed.stderr, point
        outbox = json.loads(run(copy, ["outbox", "--json"]).stdout)["messages"]
        copies = sorted(m["recipient"] for m in outbox
                        if m["kind"] == "review-copy" and symbol in m["subject"])
        assert copies == ["rev-ru@wg.example", "rev-zh@wg.example"], (point, copies)
        _check_destinations(copy, copy / ".resolutions" / "outbox")
        state = json.loads(run(copy, ["status", symbol, "--json"]).stdout)
        assert not [f for f in state["facts"] if "unfinished" in f], point
        assert run(copy, ["audit", "verify"]).returncode == 0, point
        shutil.rmtree(copy)
    print(f"\ncirculate: killed at {len(points)} points: {points}")


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_kill_the_parent_of_dossier_export_and_its_workers_are_gone(
        approved: tuple[Path, str, Path], tmp_path: Path) -> None:
    """kill -9 the `dossier export` process while its render workers run: the kernel kills
    the workers too (none is left rendering for nobody), and a re-run exports the dossier."""
    import subprocess
    import time

    from tests.reliability.helpers import ROOT, env_for

    root, symbol, secrets = approved
    copy = tmp_path / "ws"
    shutil.copytree(root, copy)
    env = env_for(copy)
    env["PYTHONPATH"] = str(ROOT)
    args = [__import__("sys").executable, "-m", "tests.launch", "dossier", "export", symbol,
            "-o", str(tmp_path / "bag"), "--seal-passphrase-file", str(secrets / "seal.pass"),
            "--workers", "2"]
    parent = subprocess.Popen(args, env=env, cwd=copy, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    workers: list[int] = []
    for _ in range(600):  # wait (up to a minute) for the render workers to be forked
        workers = _children(parent.pid)
        if len(workers) >= 2 or parent.poll() is not None:
            break
        time.sleep(0.1)
    assert len(workers) >= 2, f"no workers seen: {parent.poll()} {parent.stderr.read()!r}"  # type: ignore[union-attr]
    parent.kill()
    parent.wait()
    for _ in range(100):  # the kernel delivers the workers' SIGKILL right after the parent's
        if not any(_alive(w) for w in workers):
            break
        time.sleep(0.05)
    survivors = [w for w in workers if _alive(w)]
    for pid in survivors:  # never leave them running, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not survivors, "workers outlived their parent"
    assert not (tmp_path / "bag").exists()
    assert run(copy, ["audit", "verify"]).returncode == 0
    again = run(copy, args[3:])
    assert again.returncode == 0, again.stderr
    assert run(copy, ["dossier", "verify", str(tmp_path / "bag")]).returncode == 0
