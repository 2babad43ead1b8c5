"""Eight writers at once on PostgreSQL and SQLite, and what each write command costs.

**As a deployment uses it.** On PostgreSQL the bench starts the suite's kind of cluster
(``tests/pg.py``: TLS on loopback, ``verify-full`` against a test CA, ``scram-sha-256``, no
connection without TLS) and gives every login a password of its own in a libpq passfile of
its own (0600): the administrator (``<database>_admin``, who creates the working group and
its members' roles) and each member (``<database>_<member>``, first password given with
``member add --password-file``). The secretariat's folder is made by ``init``; each writer
works in a folder of its own, made with ``attach`` — a machine each — logged in as its own
role with nothing but its own password at hand. On SQLite the writers share the one folder
(``--as``), as an embedded workspace is used.

**Writers.** ``--writers`` (8) processes, each running the write commands in turn for
``--seconds`` (60) through the command line's own entry point (``cli.main``, one command
after another as a busy secretary would, a fresh workspace object each time): ``comment``
and ``amend`` on one resolution in review, ``edit`` of the writer's own paragraph of one
draft (its text taken with ``source`` first, so the version it was taken from is often
replaced meanwhile and the edit merges), and ``member add``. Each writer is a reviewer of
the round, a drafter and a secretary (the gate lets only a secretary add members); on
PostgreSQL ``member add`` logs in as the administrator — creating a login role is what only
the administrator's login may do — with the writer named as who acts (``--as``), and the
new member gets a first password. Every write serialises on the audit head. Afterwards,
in the secretariat's folder, as the secretary: each command that exited 0 is looked up —
its comment, amendment, member, and its edit's change in the final text; *lost updates*
counts those missing — and ``audit verify`` runs. Reported per backend and command:
p50/p95 latency, how many ran, were refused (by name) or were lost.

**CPU of a write command.** Each write command as a fresh ``resolutions`` process (median
CPU, user + system, of ``--cpu-runs``), in writer ``w0``'s folder with ``w0``'s login,
against the floor: a plain ``sqlite3`` / ``psycopg`` script (``bench/out/floor_write.py``)
that makes the same write the way the engine makes it — logs in as the member's own role
(``member add``: as the administrator), takes the head lock (``resolutions_lock_head()``
on PostgreSQL), reads what the write needs (the round, the next number, the current
version), inserts the row and touches the resolution's row version, hashes each row written
(the chain's fact hash: the row's SHA-256 and a digest per field), builds the event over its
fields, the facts and the previous hash, appends it (on PostgreSQL through
``resolutions_append()``, which checks who the login is, the links and the hash; on SQLite
by inserting it and moving the head), commits. It checks no role, state or rule and parses
no YAML. The two take turns, in the same invocation, on a workspace each; afterwards
``audit verify`` runs on the floor's workspace too — it accepts the floor's rows and events
as the engine's. Target: ≤ 3× (issue 32's Measure).

    python bench/pg_concurrency.py [--seconds 60] [--writers 8] [--backend sqlite,postgresql]
        [--cpu-runs 5]

At the end it prints a summary (load averages, the figures, the ratios) to paste into
docs/BENCHMARKS.md; the figures are also in ``bench/out/pg_concurrency.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    LOADER,
    OUT,
    PYTHON,
    RESOLUTIONS,
    ROOT,
    Figure,
    bench_env,
    median,
    print_figures,
    refresh_bytecode,
    save,
    timed_run,
)

FROZEN = "2024-10-13T10:00:00+00:00"
COMMANDS = ("comment", "amend", "edit", "member add")
TARGET = 3.0
URL = "RESOLUTIONS_DATABASE_URL"
#: the paragraph the cold ``comment`` and ``amend`` are about (``OP 1`` of the demo text)
COLD_REF, COLD_PARAGRAPH = "OP 1", "op-transition"


# -- the workspace ----------------------------------------------------------------------
def _close_apps(tracked: list[Any]) -> None:
    """Close what the command opened: a ``resolutions`` process gives its connections back
    when it exits, and a writer runs hundreds of commands in one process."""
    while tracked:
        opened = tracked.pop()
        opened.db.dispose()
        if "files" in vars(opened.workspace):  # the shared store's connection, if it made one
            opened.workspace.files.close()


def _cli(root: Path, args: list[str], actor: str | None = None,
         url: str | None = None) -> tuple[int, str]:
    """``resolutions ARGS`` in this process: (exit code, output); ``url``: the database
    login to use (``RESOLUTIONS_DATABASE_URL`` for this command only)."""
    import click

    from cli import cli
    from tests.reliability.worker import track_apps

    tracked = track_apps()
    out = io.StringIO()
    code = 0
    prefix = ["--workspace", str(root)] + (["--as", actor] if actor else [])
    saved = os.environ.get(URL)
    if url:
        os.environ[URL] = url
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            cli.main(args=prefix + args, prog_name="resolutions", standalone_mode=False)
    except SystemExit as exc:
        code = int(exc.code or 0)
    except click.ClickException as exc:
        code = exc.exit_code
        out.write(exc.format_message())
    finally:
        _close_apps(tracked)
        if url:
            if saved is None:
                os.environ.pop(URL, None)
            else:
                os.environ[URL] = saved
    return code, out.getvalue()


def _ok(root: Path, args: list[str], actor: str | None = None, url: str | None = None) -> str:
    code, out = _cli(root, args, actor, url)
    if code != 0:
        raise RuntimeError(f"resolutions {' '.join(args)}: {out}")
    return out


class Logins:
    """How each login reaches a database of the bench's cluster, as on a deployment: TLS
    (``verify-full`` against the cluster's CA), a SCRAM password of its own, and a libpq
    passfile (0600) holding only that login's line — a member's machine knows only their
    own password. The administrator's password is the one ``Cluster.create_database``
    gave its role."""

    def __init__(self, cluster: Any, admin_url: str, folder: Path) -> None:
        from workflow.store.logins import database_name

        self.cluster = cluster
        self.database = database_name(admin_url)
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        self._passwords: dict[str, str] = {}

    def _role(self, member: str | None) -> str:
        from workflow.store.pgroles import role_name

        return f"{self.database}_admin" if member is None else role_name(self.database, member)

    def _passfile(self, member: str | None, password: str) -> Path:
        role = self._role(member)
        path = self.folder / f"{member or 'admin'}.pgpass"
        path.write_text(f"{self.cluster.host}:{self.cluster.port}:{self.database}:{role}:"
                        f"{password}\n", "utf-8")
        path.chmod(0o600)
        return path

    def admin(self) -> str:
        """The administrator's URL (its own passfile)."""
        passfile = self._passfile(None, self.cluster.password)
        return self.cluster.role_url(self.database, self._role(None), passfile)

    def password_file(self, member: str) -> Path:
        """The first password of ``member``'s role, for ``member add --password-file``."""
        password = self._passwords.setdefault(member, secrets.token_urlsafe(18))
        path = self.folder / f"{member}.password"
        path.write_text(password + "\n", "utf-8")
        path.chmod(0o600)
        return path

    def member(self, member: str) -> str:
        """``member``'s own URL: their role, their passfile (after :meth:`password_file`)."""
        passfile = self._passfile(member, self._passwords[member])
        return self.cluster.role_url(self.database, self._role(member), passfile)

    def newcomers(self) -> Path:
        """The first password of the members the writers add (they never log in here)."""
        return self.password_file("newcomers")


def setup(root: Path, writers: int, logins: Logins | None = None) -> dict[str, Any]:
    """Members (a secretary, ``writers`` writers who review, draft and keep the register),
    one resolution in review (comments, amendments) and one draft (edits). SQLite (no
    ``logins``): one folder, ``root``. PostgreSQL: ``root`` is the secretariat's folder,
    made by the administrator; each writer ``attach``-es a folder of its own, logged in as
    its own role. ``plan["writers"][w]``: the writer's folder, its own URL and the URL its
    ``member add`` logs in with (None: SQLite)."""
    source = ROOT / "workflow" / "demo_data" / "resolution.yaml"
    admin = logins.admin() if logins else None

    def first(member: str) -> list[str]:
        return ["--password-file", str(logins.password_file(member))] if logins else []

    _ok(root.parent, ["init", str(root), "--name", "Bench working group", "--prefix", "RCWG"],
        url=admin)
    _ok(root, ["member", "add", "sec", "--name", "Secretary", "--role", "secretary",
               *first("sec")], url=admin)
    ids = [f"w{i}" for i in range(writers)]
    for mid in ids:
        _ok(root, ["member", "add", mid, "--name", f"Writer {mid}", "--email",
                   f"{mid}@wg.example", "--role", "reviewer", "--role", "drafter",
                   "--role", "secretary", *first(mid)], url=admin)
    sec = logins.member("sec") if logins else None
    review = _ok(root, ["new", str(source)], url=sec).split()[0]
    args = ["circulate", review]
    for mid in ids:
        args += ["--reviewer", mid]
    _ok(root, args, url=sec)
    draft = _ok(root, ["new", str(source)], url=sec).split()[0]
    from drafts.source import load

    model, _ = load(source.read_text("utf-8"))
    paragraphs = [loc.paragraph.id for loc in model.walk() if loc.paragraph.texts.get("en")]
    plan: dict[str, Any] = {"review": review, "draft": draft, "paragraphs": paragraphs[:writers],
                            "secretariat": str(root), "secretary_url": sec, "writers": {}}
    newcomers = str(logins.newcomers()) if logins else None
    for mid in ids:
        folder, own = root, None
        if logins:
            folder = root.parent / f"{root.name}-{mid}"
            own = logins.member(mid)
            _ok(root.parent, ["attach", str(folder)], url=own)
        plan["writers"][mid] = {"folder": str(folder), "url": own, "admin_url": admin,
                                "newcomers": newcomers}
    return plan


def _edited(text: str, paragraph: str, tag: str) -> str:
    """The source with ``tag`` appended to ``paragraph``'s English (the base line kept)."""
    from drafts.model import Resolution
    from drafts.source import dump, load

    first, _, rest = text.partition("\n")
    model, _ = load(rest)

    def visit(items: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(p._replace(texts={**p.texts, "en": f"{p.texts['en']} {tag}"}
                                if p.id == paragraph else p.texts, items=visit(p.items))
                     for p in items)

    changed: Resolution = model._replace(preamble=visit(model.preamble),
                                         operative=visit(model.operative))
    return f"{first}\n{dump(changed)}"


def _member_add(me: dict[str, Any], member: str, tag: str) -> tuple[list[str], str | None]:
    """``member add`` as the product requires it: on PostgreSQL on the administrator's
    login (it creates the member's role), with a first password; (args, URL)."""
    args = ["member", "add", member, "--name", f"Member {tag}", "--role", "reviewer"]
    if me["newcomers"]:
        args += ["--password-file", me["newcomers"]]
    return args, me["admin_url"] or me["url"]


def writer(index: int, plan_file: str, go_file: str, seconds: float) -> None:
    """One writer process: the four commands in turn until the time is up; JSON on stdout."""
    from tests.launch import env_clock
    from workflow import clock

    clock.use(env_clock)
    plan = json.loads(Path(plan_file).read_text("utf-8"))
    me = f"w{index}"
    mine = plan["writers"][me]
    here, url = Path(mine["folder"]), mine["url"]
    paragraph = plan["paragraphs"][index]
    scratch = Path(plan_file).with_name(f"edit-{me}.yaml")
    import workflow.drafting.resolutions  # noqa: F401  (what the commands import, warmed)
    import workflow.members  # noqa: F401
    import workflow.review.amendments  # noqa: F401
    import workflow.review.rounds  # noqa: F401
    from workflow.app import App

    warm = App.open(here, me, database_url=url)
    with warm.read() as session:
        warm.resolution(session, plan["review"])
    warm.db.dispose()
    code, taken = _cli(here, ["source", plan["draft"]], me, url)
    if code != 0:
        raise RuntimeError(f"resolutions source {plan['draft']} as {me} in {here}: {taken}")
    Path(f"{go_file}.ready-{index}").touch()
    while not Path(go_file).exists():
        time.sleep(0.005)
    deadline = time.perf_counter() + seconds
    samples: list[dict[str, Any]] = []
    turn = 0
    while time.perf_counter() < deadline:
        kind = COMMANDS[turn % len(COMMANDS)]
        key = f"{me}-{turn}"
        turn += 1
        login = url
        if kind == "comment":
            args = ["comment", plan["review"], "--by", me, "--ref", f"OP {turn % 5 + 1}",
                    "--type", "ge", "--text", f"comment {key}"]
        elif kind == "amend":
            args = ["amend", plan["review"], "--by", me, "--target", f"OP {turn % 5 + 1}",
                    "--op", "replace", "--text", f"en=amended {key}", "--why", f"why {key}"]
        elif kind == "edit":
            code, taken = _cli(here, ["source", plan["draft"]], me, url)
            if code != 0:
                raise RuntimeError(f"resolutions source {plan['draft']} as {me}: {taken}")
            scratch.write_text(_edited(taken, paragraph, f"({key})"), "utf-8")
            args = ["edit", plan["draft"], str(scratch)]
        else:
            args, login = _member_add(mine, f"m-{key}", key)
        started = time.perf_counter()
        cpu = time.process_time()
        code, out = _cli(here, args, me, login)
        samples.append({"kind": kind, "key": key, "ms": (time.perf_counter() - started) * 1000,
                        "cpu_ms": (time.process_time() - cpu) * 1000, "code": code,
                        "merged": "merged:" in out, "out": out.strip()[-300:] if code else ""})
    print(json.dumps(samples))


def lost_updates(plan: dict[str, Any], samples: list[dict[str, Any]]) -> dict[str, int]:
    """Per command: how many that exited 0 left nothing behind (must be 0); read in the
    secretariat's folder, as the secretary."""
    root, url = Path(plan["secretariat"]), plan["secretary_url"]

    def read(args: list[str]) -> Any:
        return json.loads(_ok(root, ["--json", *args], url=url))

    comments = {c["text"] for c in read(["comments", plan["review"]])["comments"]}
    amendments = {a["why"] for a in read(["amendments", plan["review"]])["amendments"]}
    members = {m["id"] for m in read(["member", "list"])["members"]}
    final = _ok(root, ["source", plan["draft"]], url=url)
    lost = {k: 0 for k in COMMANDS}
    for s in samples:
        if s["code"] != 0:
            continue
        key = s["key"]
        found = {"comment": f"comment {key}" in comments, "amend": f"why {key}" in amendments,
                 "edit": f"({key})" in final, "member add": f"m-{key}" in members}[s["kind"]]
        lost[s["kind"]] += 0 if found else 1
    return lost


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _verify(plan: dict[str, Any], everywhere: bool = False) -> tuple[int, str]:
    """``audit verify`` in the secretariat's folder, as the secretary; ``everywhere``: on
    PostgreSQL in each writer's folder too, as that writer (exit code 0 only if all are
    clean)."""
    code, out = _cli(Path(plan["secretariat"]), ["audit", "verify"], url=plan["secretary_url"])
    told = " ".join(out.split())
    folders = [(w, me) for w, me in plan["writers"].items()
               if everywhere and me["url"]]
    bad = []
    for w, me in folders:
        there, said = _cli(Path(me["folder"]), ["audit", "verify"], w, me["url"])
        if there != 0 or " ".join(said.split()) != told:
            bad.append(f"{w}'s folder: {' '.join(said.split())[:200]}")
    if folders:
        told += (f"; the same in each of the {len(folders)} writers' folders" if not bad
                 else f"; NOT in {len(bad)} writers' folders: {' / '.join(bad)}")
    return (code or (1 if bad else 0)), told


def concurrency(backend: str, seconds: float, writers: int, tmp: Path,
                cluster: Any = None) -> list[Figure]:
    root = tmp / f"writers-{backend}"
    env = bench_env(RESOLUTIONS_NOW=FROZEN)
    loads = [os.getloadavg()]
    t = time.perf_counter()
    logins = Logins(cluster, cluster.create_database(), tmp / f"logins-{backend}") \
        if backend == "postgresql" else None
    plan = setup(root, writers, logins)
    setup_s = time.perf_counter() - t
    plan_file = tmp / f"plan-{backend}.json"
    plan_file.write_text(json.dumps(plan), "utf-8")
    go = str(tmp / f"go-{backend}")
    procs = [subprocess.Popen([PYTHON, __file__, "--writer", str(i), "--plan", str(plan_file),
                               "--go", go, "--seconds", str(seconds)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                              text=True) for i in range(writers)]
    while sum(Path(f"{go}.ready-{i}").exists() for i in range(writers)) < writers:
        if any(p.poll() not in (None, 0) for p in procs):
            break
        time.sleep(0.01)
    Path(go).touch()
    loads.append(os.getloadavg())
    samples: list[dict[str, Any]] = []
    failed = []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            failed.append(err[-2000:])
        else:
            samples += json.loads(out)
    loads.append(os.getloadavg())
    if failed:
        raise RuntimeError(f"{len(failed)} writer(s) failed: {failed[0]}")
    lost = lost_updates(plan, samples)
    code, verified = _verify(plan, everywhere=True)
    ok = [s for s in samples if s["code"] == 0]
    refused = [s for s in samples if s["code"] != 0]
    reasons = sorted({s["out"][:120] for s in refused})
    load_text = " → ".join(f"{a:.1f}/{b:.1f}/{c:.1f}" for a, b, c in loads)
    figures = [Figure(backend, f"{writers} writers × {seconds:.0f} s: commands stored",
                      float(len(ok)), unit="",
                      note=f"{len(ok) / seconds:.1f}/s; {len(refused)} refused; "
                           f"lost updates {sum(lost.values())}; audit verify "
                           f"{'clean' if code == 0 else 'FAILED'}: {verified[:200]}; "
                           f"set-up {setup_s:.0f} s; load average (1/5/15 min) before, at "
                           f"the start, at the end: {load_text}"
                           + (f"; refusals: {' / '.join(reasons)[:300]}" if reasons else ""))]
    for kind in COMMANDS:
        mine = [s for s in samples if s["kind"] == kind]
        done = [s for s in mine if s["code"] == 0]
        merged = sum(1 for s in done if s["merged"])
        lat = [s["ms"] for s in mine]
        figures.append(Figure(backend, f"{kind}: p95 latency", _percentile(lat, 95),
                              note=f"p50 {_percentile(lat, 50):.0f} ms; {len(done)} of "
                                   f"{len(mine)} stored, lost {lost[kind]}"
                                   + (f", {merged} merged over a newer version"
                                      if kind == "edit" else "")
                                   + f"; in-process CPU p50 "
                                     f"{_percentile([s['cpu_ms'] for s in mine], 50):.0f} ms"))
    figures.append(Figure(backend, "lost updates", float(sum(lost.values())), unit="",
                          note="commands that exited 0 and left nothing behind"))
    figures.append(Figure(backend, "audit verify afterwards", float(code), unit="",
                          note=verified[:300]))
    return figures


# -- CPU of a cold write command against the floor ---------------------------------------
FLOOR = r'''"""The floor of a write command, made the way the engine makes it: log in (PostgreSQL:
as the member's own role over TLS with its password from the passfile; member add as the
administrator), take the head lock, read what the write needs, insert the row and touch the
resolution's row version, hash each row written (the chain's fact hash), build the event
over its fields, the facts and the previous hash, append it (PostgreSQL: through
resolutions_append(), as the engine does), commit. Plain sqlite3 or psycopg, nothing else.

    floor_write.py KIND URL RESOLUTION_ID TAG MEMBER PARAGRAPH_ID REF [parse]

With ``parse`` an edit's floor also parses the new source with ruamel's round-trip loader,
configured as ``drafts.source`` configures it: a store of a text needs its paragraphs.
"""
import datetime
import hashlib
import json
import sys

kind, url, rid, tag, me, pid, ref = sys.argv[1:8]
PARSE = sys.argv[8:] == ["parse"]


#: LOADER
rid = int(rid)
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
SQLITE = url.startswith("sqlite")
if SQLITE:
    import sqlite3
    conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
    conn.execute("BEGIN IMMEDIATE")
    q = lambda sql, *a: conn.execute(sql, a)
    at = now.replace(tzinfo=None).isoformat(" ", "microseconds")  # as SQLAlchemy stores it
else:
    import psycopg
    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1))
    q = lambda sql, *a: conn.execute(sql.replace("?", "%s"), a)
    q("SELECT resolutions_lock_head()")
    at = now


def canonical(name, value):
    """A column's value in the one text form the chain hashes (workflow.store.rowhash)."""
    if SQLITE and name in ("created_at", "updated_at") and isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if SQLITE and name == "active":
        value = bool(value)
    if isinstance(value, datetime.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
        return value.astimezone(datetime.timezone.utc).isoformat()
    return value


def dumps(value):
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def written(table, cursor, key):
    """[table, key, row digest, field digests] of the row a RETURNING * gave back."""
    names = [d[0] for d in cursor.description]
    row = {n: canonical(n, v) for n, v in zip(names, cursor.fetchone())}
    return [table, [str(row[k]) for k in key],
            hashlib.sha256(dumps({"table": table, "row": row})).hexdigest(),
            {n: hashlib.sha256(dumps(v)).hexdigest()[:16] for n, v in row.items()}]


def touch(**values):
    sets = "".join(f", {k} = ?" for k in values)
    return written("resolutions", q(f"UPDATE resolutions SET row_version = row_version + 1, "
                                    f"updated_at = ?{sets} WHERE id = ? RETURNING *",
                                    at, *values.values(), rid), ["id"])


symbol = ""
if kind in ("comment", "amend"):
    symbol, = q("SELECT symbol FROM resolutions WHERE id = ?", rid).fetchone()
    rnd, ver = q("SELECT id, version_number FROM review_rounds WHERE resolution_id = ? "
                 "AND closed_at IS NULL ORDER BY number DESC LIMIT 1", rid).fetchone()
    table = "comments" if kind == "comment" else "amendments"
    number = (q(f"SELECT max(number) FROM {table} WHERE resolution_id = ?", rid).fetchone()[0]
              or 0) + 1
if kind == "comment":
    text = f"comment {tag}"
    facts = [written("comments", q(
        "INSERT INTO comments (resolution_id, number, round_id, version_number, paragraph_id, "
        "ref, author, type, text, proposal, disposition, note, disposed_by, source, "
        "created_at, lang, quote, anchor) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
        "RETURNING *", rid, number, rnd, ver, pid, ref, me, "ge", text, "", "", "", "", "cli",
        at, "", "", ""), ["id"]), touch()]
    detail = {"by": me, "comment": number, "ref": ref, "paragraph": pid, "type": "ge",
              "source": "cli", "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
              "proposal_sha256": hashlib.sha256(b"").hexdigest()}
elif kind == "amend":
    facts = [written("amendments", q(
        "INSERT INTO amendments (resolution_id, number, round_id, version_number, author, "
        "target_id, target_ref, op, texts_json, why, status, decided_by, applied_version, "
        "created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING *", rid, number, rnd, ver,
        me, pid, ref, "replace", json.dumps({"en": f"amended {tag}"}), f"why {tag}",
        "proposed", "", None, at), ["id"]), touch()]
    detail = {"by": me, "amendment": number, "target": ref, "paragraph": pid, "op": "replace",
              "languages": ["en"]}
elif kind == "edit":
    symbol, state, number, source = q(
        "SELECT r.symbol, r.state, v.number, v.source FROM versions v JOIN resolutions r "
        "ON r.id = v.resolution_id AND r.current_version = v.number WHERE r.id = ?",
        rid).fetchone()
    source = source.replace("*Noting*", f"*Noting* ({tag})", 1)
    if PARSE:
        load(source)
    digest = hashlib.sha256(source.encode()).hexdigest()
    facts = [written("versions", q(
        "INSERT INTO versions (resolution_id, number, source, content_hash, author, note, "
        "created_at) VALUES (?,?,?,?,?,?,?) RETURNING *", rid, number + 1, source, digest, me,
        "", at), ["id"]), touch(current_version=number + 1)]
    detail = {"version": number + 1, "content_hash": digest, "note": "", "state": state,
              "voided_approvals": 0}
else:
    member, rid = f"f-{tag}", None
    facts = [written("members", q(
        "INSERT INTO members (id, name, names_json, org, delegation, email, lang, created_at, "
        "active) VALUES (?,?,?,?,?,?,?,?,?) RETURNING *", member, f"Member {tag}", "{}", "", "",
        "", "en", at, True), ["id"]),
        written("member_roles", q("INSERT INTO member_roles (member_id, role) VALUES (?, ?) "
                                  "RETURNING *", member, "reviewer"), ["member_id", "role"])]
    db_role = None
    if not SQLITE:  # a member is a login role of their own, with a first password
        database, = conn.execute("SELECT current_database()").fetchone()
        db_role = f"{database}_{member}"[:63]
        verifier = conn.pgconn.encrypt_password(f"first {tag}".encode(), db_role.encode(),
                                                b"scram-sha-256").decode()
        conn.execute(f'CREATE ROLE "{db_role}" LOGIN INHERIT NOSUPERUSER NOCREATEDB '
                     f"NOCREATEROLE PASSWORD '{verifier}'")
        conn.execute(f'GRANT "{database}_members", "{database}_r_reviewer" TO "{db_role}"')
    detail = {"member": member, "roles": ["reviewer"], "delegation": "", "db_role": db_role}
    kind = "member-add"
detail["facts"] = sorted(facts, key=lambda f: (f[0], str(f[1])))
detail_text = json.dumps(detail, ensure_ascii=False, sort_keys=True)
seq, prev = q("SELECT seq, hash FROM audit_head WHERE id = 1").fetchone()
payload = json.dumps({"seq": seq + 1, "at": now.isoformat(), "actor": me, "action": kind,
                      "outcome": "ok", "resolution_id": rid, "symbol": symbol,
                      "detail": detail, "prev": prev},
                     ensure_ascii=False, sort_keys=True, separators=(",", ":"))
digest = hashlib.sha256(payload.encode()).hexdigest()
if SQLITE:
    q("INSERT INTO audit_events (seq, at, actor, action, outcome, resolution_id, symbol, "
      "detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)", seq + 1, at, me, kind, "ok",
      rid, symbol, detail_text, prev, digest)
    q("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", seq + 1, digest)
    conn.execute("COMMIT")
else:
    q("SELECT resolutions_append(?, ?, ?, ?, ?, ?, ?, ?, ?)", now, me, kind, "ok", rid, symbol,
      detail_text, payload, digest)
    conn.commit()
'''


def _cold_args(kind: str, folder: Path, plan: dict[str, Any], tag: str,
               url: str | None) -> tuple[list[str], str | None]:
    """The command line of a cold ``kind`` by ``w0`` and the login it uses."""
    me = plan["writers"]["w0"]
    if kind == "comment":
        return ["comment", plan["review"], "--by", "w0", "--ref", COLD_REF, "--type", "ge",
                "--text", f"comment {tag}"], url
    if kind == "amend":
        return ["amend", plan["review"], "--by", "w0", "--target", COLD_REF, "--op",
                "replace", "--text", f"en=amended {tag}", "--why", f"why {tag}"], url
    if kind == "edit":
        taken = _ok(folder, ["source", plan["draft"]], "w0", url)
        path = folder.parent / f"{folder.name}-edit-{tag}.yaml"
        path.write_text(_edited(taken, plan["paragraphs"][0], f"({tag})"), "utf-8")
        return ["edit", plan["draft"], str(path)], url
    return _member_add(me, f"c-{tag}", tag)


def _rid(plan: dict[str, Any], kind: str) -> int:
    symbol = plan["draft"] if kind == "edit" else plan["review"]
    shown = _ok(Path(plan["secretariat"]), ["--json", "show", symbol],
                url=plan["secretary_url"])
    return int(json.loads(shown)["number"])


def cpu(backend: str, runs: int, tmp: Path, cluster: Any = None) -> list[Figure]:
    """Median CPU of each cold write command against the floor script, taking turns."""
    floor = OUT / "floor_write.py"
    floor.write_text(FLOOR.replace("#: LOADER\n", LOADER), "utf-8")
    plans = {}
    for side in ("cold", "floor"):  # a workspace (and database) each
        root = tmp / f"{side}-{backend}"
        logins = Logins(cluster, cluster.create_database(), tmp / f"logins-{side}") \
            if backend == "postgresql" else None
        plans[side] = setup(root, 1, logins)
    ours, theirs = plans["cold"], plans["floor"]
    rids = {kind: _rid(theirs, kind) for kind in COMMANDS}
    sqlite_url = f"sqlite:///{Path(theirs['secretariat']) / '.resolutions' / 'resolutions.db'}"
    env = bench_env()
    samples: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in COMMANDS}
    parsing: list[float] = []  # the edit's floor that also parses the source
    loads = [os.getloadavg()]
    for run in range(runs + 1):  # the first round warms the caches and is not counted
        for kind in COMMANDS:
            tag = f"r{run}"
            mine_w = ours["writers"]["w0"]
            folder = Path(mine_w["folder"])
            args, login = _cold_args(kind, folder, ours, tag, mine_w["url"])
            _, mine = timed_run([RESOLUTIONS, "--workspace", str(folder), "--as", "w0", *args],
                                env=dict(env, **({URL: login} if login else {})))
            floor_w = theirs["writers"]["w0"]
            db = (floor_w["admin_url"] if kind == "member add" else floor_w["url"]) or sqlite_url
            _, base = timed_run([PYTHON, str(floor), kind, db, str(rids[kind]),
                                 f"{kind[:1]}{tag}", "w0", COLD_PARAGRAPH, COLD_REF], env=env)
            if run:
                samples[kind][0].append(mine)
                samples[kind][1].append(base)
            if kind == "edit":
                _, parsed = timed_run([PYTHON, str(floor), kind, db, str(rids[kind]),
                                       f"p{tag}", "w0", COLD_PARAGRAPH, COLD_REF, "parse"],
                                      env=env)
                if run:
                    parsing.append(parsed)
    loads.append(os.getloadavg())
    code, verified = _verify(theirs)
    if code != 0:
        raise RuntimeError(f"the floor's writes do not verify as the engine's: {verified}")
    ours_code, ours_verified = _verify(ours)
    load_text = " → ".join(f"{a:.1f}/{b:.1f}/{c:.1f}" for a, b, c in loads)
    figures = []
    for kind, (mine, base) in samples.items():
        figures.append(Figure(backend, f"resolutions {kind} (cold), cpu", median(mine),
                              baseline=f"plain {'psycopg' if backend == 'postgresql' else 'sqlite3'} floor",
                              baseline_value=median(base), target=TARGET,
                              note=f"median of {runs}; ours {min(mine):.0f}–{max(mine):.0f} ms, "
                                   f"floor {min(base):.0f}–{max(base):.0f} ms"))
    figures.append(Figure(backend, "resolutions edit (cold), cpu", median(samples["edit"][0]),
                          baseline="the floor also parsing the source", target=TARGET,
                          baseline_value=median(parsing),
                          note=f"median of {runs}; floor {min(parsing):.0f}–{max(parsing):.0f} ms"))
    figures.append(Figure(backend, "cold CPU: audit verify of both workspaces", 0.0, unit="",
                          note=f"floor's: {verified[:120]}; ours: {ours_verified[:120]}; "
                               f"load average during: {load_text}"))
    return figures


def run(seconds: float = 60, writers: int = 8, backends: tuple[str, ...] = ("sqlite", "postgresql"),
        cpu_runs: int = 5) -> list[Figure]:
    import datetime as dt

    from tests.pg import Cluster
    from workflow import clock

    OUT.mkdir(parents=True, exist_ok=True)
    refresh_bytecode()
    cluster = Cluster().start() if "postgresql" in backends else None
    clock.use(lambda: dt.datetime.fromisoformat(FROZEN))
    figures: list[Figure] = []
    try:
        with tempfile.TemporaryDirectory(prefix="writers-", dir=OUT) as tmp:
            for backend in backends:
                for measure in (lambda: concurrency(backend, seconds, writers, Path(tmp),
                                                    cluster),
                                lambda: cpu(backend, cpu_runs, Path(tmp), cluster)):
                    part = measure()
                    print_figures(part)  # as they come: a later failure keeps these
                    figures += part
    finally:
        clock.use(None)
        if cluster is not None:
            cluster.stop()
    return figures


def summary(figures: list[Figure]) -> str:
    """The run in a few lines, to paste into docs/BENCHMARKS.md."""
    import datetime as dt

    lines = [f"## pg_concurrency, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, "
             f"{os.cpu_count()} cores", ""]
    for backend in dict.fromkeys(f.group for f in figures):
        mine = {f.name: f for f in figures if f.group == backend}
        stored = next(f for n, f in mine.items() if n.endswith("commands stored"))
        lines.append(f"**{backend}** — {stored.name}: {stored.value:.0f} ({stored.note})")
        lines += ["", "| command | p50 / p95 latency | stored / ran, lost | cold CPU: ours / "
                  "floor = ratio (goal ≤ 3×) |", "| --- | --- | --- | --- |"]
        for kind in COMMANDS:
            lat, cold = mine[f"{kind}: p95 latency"], mine[f"resolutions {kind} (cold), cpu"]
            p50, rest = lat.note.split("; ", 1)
            counts = rest.split("; in-process")[0]
            lines.append(f"| `{kind}` | {p50.removeprefix('p50 ')} / {lat.value:,.0f} ms | "
                         f"{counts} | {cold.value:,.0f} / {cold.baseline_value:,.0f} ms = "
                         f"{cold.ratio:.1f}× {'(met)' if cold.met else '(not met)'} |")
        lines += ["", f"Lost updates: {mine['lost updates'].value:.0f}. `audit verify` "
                  f"afterwards (secretariat's folder, as the secretary): "
                  f"{mine['audit verify afterwards'].note}. Cold CPU: median of "
                  f"{mine[f'resolutions {COMMANDS[0]} (cold), cpu'].note.split(';')[0][10:]}, "
                  f"the two taking turns; `audit verify` of the two workspaces afterwards: "
                  f"{mine['cold CPU: audit verify of both workspaces'].note}.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--backend", "--backends", dest="backends",
                        default="sqlite,postgresql",
                        help="sqlite, postgresql or both, comma-separated")
    parser.add_argument("--cpu-runs", type=int, default=5, help="cold runs per command "
                        "(median; at least 3)")
    parser.add_argument("--writer", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    parser.add_argument("--go", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer is not None:
        writer(args.writer, args.plan, args.go, args.seconds)
        return
    backends = tuple(b.strip() for b in args.backends.split(",") if b.strip())
    if not set(backends) <= {"sqlite", "postgresql"} or args.cpu_runs < 3:
        parser.error("--backend takes sqlite and/or postgresql; --cpu-runs at least 3")
    figures = run(args.seconds, args.writers, backends, args.cpu_runs)
    save("pg_concurrency", figures)
    print()
    print(summary(figures))
    if any(f.name == "lost updates" and f.value for f in figures):
        sys.exit(1)


if __name__ == "__main__":
    main()
