"""The seed scenario on three machines: one PostgreSQL database, three workspace folders.

- **moscow** — the Russian secretary (Иванова) creates the working group, drafts the
  resolution and circulates it; the Russian signatories' keys live here.
- **xian** — the Chinese co-secretary (陈静) attaches a folder of her own, imports 王芳's
  comment form (taken from the review copy's message, which she reads from the shared
  store), records the Chinese delegation's approval, imports 李伟's certificate — issued by
  the Chinese delegation's own CA with ``openssl``, its key never leaving this folder — and
  李伟 signs there.
- **archive** — the archivist (Жукова) attaches a third folder, receives the secretariat's
  seal from the secretary, exports the dossier and verifies it.

Each step is a command a user types on that machine (``run(machine, member, args)``); the
scenario never reaches behind the commands. ``audit verify`` ends clean in every folder.
The caller provides the database (``tests/pg.py``'s throwaway cluster in the test and in
``make demo-shared``) and how each member connects to it: every member with their own
database role, the working group's administrator (:data:`ADMIN`, the database's owner) only
to create the group and its members' roles.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from workflow import clock
from workflow.demo import (
    GROUP,
    MEMBERS,
    DemoError,
    _demo_tsa,
    _fill_comment_form,
    _secret,
    member_adds,
)

__all__ = ["play", "SharedResult", "MACHINES", "SHARED_MEMBERS", "ADMIN", "process_runner",
           "role_url"]

#: who runs ``init`` and ``member add``: the database's owner (it creates members' roles)
ADMIN = "admin"

#: machine → the member who works there
MACHINES = {"moscow": "ivanova", "xian": "chen-jing", "archive": "zhukova"}
#: the seed's members, the Chinese co-secretary and the archivist
SHARED_MEMBERS = [*MEMBERS,
                  ("chen-jing", "陈静", {"en": "Chen Jing", "ru": "Чэнь Цзин"},
                   "TTF Electronic (陕西)", "zh", "chen.jing@ttf.example", "zh", ["secretary"]),
                  ("zhukova", "Жукова Ольга Николаевна", {"en": "Olga Zhukova",
                                                           "zh": "奥尔加·茹科娃"},
                   "ВО «ФАРЭКСПО»", "ru", "zhukova@farexpo.example", "ru", ["archivist"])]

Run = Callable[[str, str, list[str]], str]

_LETTER = """Working group secretariat,

The delegation of the People's Republic of China approves draft resolution {symbol}
in the version circulated for review.

工作组秘书处：中方代表团批准分发审议的决议草案 {symbol}。

李伟 (Li Wei), TTF Electronic, Xi'an
"""


@dataclass
class SharedResult:
    base: Path
    symbol: str = ""
    steps: list[str] = field(default_factory=list)
    verdicts: dict[str, str] = field(default_factory=dict)


def role_url(admin_url: str, member: str) -> str:
    """The database URL ``member`` logs in with: their own role (``<database>_<member>``,
    the password from the URL's passfile), or the administrator's URL for :data:`ADMIN`."""
    from workflow.store.logins import member_url

    return admin_url if member == ADMIN else member_url(admin_url, member)


def process_runner(base: Path, url_for: Callable[[str], str], command: list[str],
                   env: dict[str, str], keep: tuple[str, ...] = ()) -> Run:
    """``run(machine, member, args)``: ``command + args`` as a process of its own, in the
    machine's folder (``base/machine``), connected with ``url_for(member)``. Of the
    caller's ``RESOLUTIONS_*`` variables only those named in ``keep`` pass through."""
    def run(machine: str, member: str, args: list[str]) -> str:
        here = {k: v for k, v in env.items() if not k.startswith("RESOLUTIONS_") or k in keep}
        here["RESOLUTIONS_DATABASE_URL"] = url_for(member)
        if args[0] not in ("init", "attach"):
            here["RESOLUTIONS_WORKSPACE"] = str(base / machine)
        done = subprocess.run([*command, *args], env=here, capture_output=True, text=True,
                              cwd=base)
        if done.returncode != 0:
            raise DemoError((done.stdout + done.stderr).strip())
        return done.stdout
    return run


def _openssl(*args: str, cwd: Path) -> None:
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise DemoError(f"openssl {' '.join(args[:2])}: {done.stderr.strip()}")


def delegation_key(folder: Path, member: str, name: str, passphrase_file: Path) -> Path:
    """What the Chinese delegation does on its own machine, with openssl: its own CA, and a
    signing key and certificate for ``member`` in a PKCS#12 bundle — in ``folder`` only."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    _openssl("req", "-x509", "-newkey", "rsa:3072", "-nodes", "-keyout", "ca.key",
             "-out", "ca.pem", "-days", "3650", "-subj",
             "/O=TTF Electronic/CN=TTF Electronic delegation CA",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    _openssl("req", "-newkey", "rsa:3072", "-nodes", "-keyout", f"{member}.key",
             "-out", f"{member}.csr", "-utf8", "-subj",
             f"/O=TTF Electronic/CN={name}/UID={member}", cwd=folder)
    (folder / "ext.cnf").write_text(
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,nonRepudiation\n"
        "extendedKeyUsage=1.3.6.1.5.5.7.3.36,emailProtection\n", encoding="utf-8")
    _openssl("x509", "-req", "-in", f"{member}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "1095", "-extfile", "ext.cnf",
             "-out", f"{member}.pem", cwd=folder)
    _openssl("pkcs12", "-export", "-inkey", f"{member}.key", "-in", f"{member}.pem",
             "-certfile", "ca.pem", "-out", f"{member}.p12",
             "-passout", f"file:{passphrase_file}", cwd=folder)
    for leftover in (f"{member}.key", f"{member}.csr", "ext.cnf"):
        (folder / leftover).unlink()
    (folder / f"{member}.p12").chmod(0o600)
    return folder / f"{member}.p12"


def play(base: Path, run: Run, echo: Callable[[str], None] = print,
         password_file: Path | None = None) -> SharedResult:
    """Play the scenario in ``base`` (which must not exist or be empty): one folder per
    machine, ``run(machine, member, args)`` runs ``resolutions ARGS`` there as ``member``.
    ``password_file``: the first password of each member's role (``member add
    --password-file``; each member changes it on their own machine)."""
    base = base.resolve()
    if base.exists() and any(base.iterdir()):
        raise DemoError(f"{base} is not empty; run the shared demo in a new folder")
    tsa, tsa_root = _demo_tsa(base)
    try:
        return _play(base, run, echo, tsa.url, tsa_root, password_file)
    finally:
        tsa.stop()


def _play(base: Path, run: Run, echo: Callable[[str], None], tsa_url: str,
          tsa_root: Path, password_file: Path | None) -> SharedResult:
    scene = _Scene(base, run, echo, SharedResult(base))
    symbol = _moscow_drafts(scene, tsa_url, password_file)
    _xian_comments(scene, symbol)
    _moscow_closes_the_review(scene, symbol, tsa_root)
    _approved_and_signed(scene, symbol)
    _archived(scene, symbol)
    for machine in MACHINES:
        scene.result.verdicts[machine] = scene.step("audit verify", machine,
                                                    ["audit", "verify"])[0].strip()
    return scene.result


@dataclass
class _Scene:
    """The three folders, the way to run a command in one, and what was done so far;
    passphrase files (0600) live under ``base/.demo-secrets``, one per owner."""

    base: Path
    run: Run
    echo: Callable[[str], None]
    result: SharedResult

    def folder(self, machine: str) -> Path:
        return self.base / machine

    def secret(self, owner: str) -> str:
        return _secret(self.base, owner)

    def step(self, text: str, machine: str, *commands: list[str], member: str | None = None
             ) -> list[str]:
        who = member or MACHINES[machine]
        outputs = []
        for args in commands:
            try:
                outputs.append(self.run(machine, who, args))
            except DemoError as exc:
                raise DemoError(f"step '{text}' on {machine} as {who}: resolutions "
                                f"{' '.join(args)}\n{exc}") from None
        self.result.steps.append(f"{machine}: {text}")
        self.echo(f"  ✓ [{machine}] {text}")
        return outputs


def _moscow_drafts(scene: _Scene, tsa_url: str, password_file: Path | None) -> str:
    """Moscow: the working group, its members, the draft, the circulation."""
    moscow = scene.folder("moscow")
    scene.step("working group created on the shared database (by its administrator)",
               "moscow", ["init", str(moscow), "--name", GROUP[0], "--name-ru", GROUP[1],
                          "--name-zh", GROUP[2], "--prefix", "RCWG", "--approval-rule",
                          "each-delegation", "--require-signature", "sokolov",
                          "--require-signature", "kuznetsova", "--require-signature",
                          "li-wei", "--timestamp-url", tsa_url], member=ADMIN)
    scene.step("8 members, each with a database role of their own: the seed's six, the "
               "Chinese co-secretary and the archivist", "moscow",
               *member_adds(SHARED_MEMBERS, password_file), member=ADMIN)
    source = moscow / "resolution.yaml"
    source.write_bytes(resources.files("workflow").joinpath("demo_data/resolution.yaml")
                       .read_bytes())
    symbol = scene.step("draft resolution stored (ru, zh, en)", "moscow",
                        ["new", str(source)])[0].strip()
    scene.result.symbol = symbol
    scene.step("circulated to Орлов С. В. and 王芳", "moscow",
               ["circulate", symbol, "--reviewer", "orlov", "--reviewer", "wang-fang",
                "--due", (clock.today() + datetime.timedelta(days=12)).isoformat()])
    return symbol


def _xian_comments(scene: _Scene, symbol: str) -> None:
    """Xi'an: attached; 王芳's comment form comes back in her reply and is imported."""
    from workflow import demo_mail

    xian = scene.folder("xian")
    scene.step("folder attached to the working group's database", "xian",
               ["attach", str(xian)])
    listing = json.loads(scene.run("xian", MACHINES["xian"], ["outbox", "--json"]))
    eml = xian / next(m["eml_path"] for m in listing["messages"]
                      if m["kind"] == "review-copy" and m["recipient"].startswith("wang.fang@"))
    forms = xian / "forms"
    blank = demo_mail.attachment(eml, ".docx", forms)  # the message, fetched on this machine
    filled = forms / "comment-form-wang-fang-returned.docx"
    _fill_comment_form(blank, filled, [
        ("OP 2(c)", "te", "应明确认证所依据的标准。",
         "for the testing and certification of components to agreed standards;"),
        ("OP 9", "ed", "建议写明报告提交对象。", "")])
    back = demo_mail.reply(eml, [filled], forms / "reply-wang-fang.eml", text="意见表见附件。")
    scene.step("王芳's reply (to the review copy's message, read from the shared outbox) with "
               "her filled comment form imported", "xian",
               ["comments", "import", symbol, str(back)])


def _moscow_closes_the_review(scene: _Scene, symbol: str, tsa_root: Path) -> None:
    """Moscow: the Russian comment, the dispositions, the review closed; keys issued."""
    scene.step("Орлов С. В.'s comment recorded; each comment disposed; review closed",
               "moscow",
               ["comment", symbol, "--by", "orlov", "--ref", "OP 4", "--type", "ge", "--text",
                "Поставки на переходный период следует увязать с дорожной картой."],
               ["dispose", symbol, "1", "--partial", "--note",
                "Standards will be set in the roadmap"],
               ["dispose", symbol, "2", "--accept", "--note", "Addressee stated in OP 11"],
               ["dispose", symbol, "3", "--accept", "--note", "Reflected in the annex"],
               ["close-review", symbol, "--no-objection"])
    ca_pass = scene.secret("ca")
    scene.step("working-group CA, the Russian signatories' keys and the secretariat's seal "
               "issued; the demo timestamp authority trusted", "moscow",
               ["keys", "init-ca", "--passphrase-file", ca_pass],
               *[["keys", "issue", m, "--ca-passphrase-file", ca_pass, "--passphrase-file",
                  scene.secret(m)] for m in ("sokolov", "kuznetsova")],
               ["keys", "seal-issue", "--ca-passphrase-file", ca_pass, "--passphrase-file",
                scene.secret("seal")],
               ["keys", "trust", str(tsa_root), "--for", "timestamps"])


def _approved_and_signed(scene: _Scene, symbol: str) -> None:
    """李伟's key stays in Xi'an; each delegation approves; three signatures on two
    machines; Moscow submits."""
    xian, moscow = scene.folder("xian"), scene.folder("moscow")
    li_pass = Path(scene.secret("li-wei"))
    bundle = delegation_key(xian / "delegation", "li-wei", "Li Wei", li_pass)
    letter = xian / "letters" / "li-wei-approval-letter.txt"
    letter.parent.mkdir()
    letter.write_text(_LETTER.format(symbol=symbol), encoding="utf-8")
    scene.step("李伟's certificate from the Chinese delegation's CA (openssl) registered; his "
               "key stays in this folder", "xian",
               ["keys", "import", "li-wei", str(bundle), "--passphrase-file", str(li_pass)])
    scene.step("the Chinese delegation's approval recorded (李伟's letter)", "xian",
               ["approve", symbol, "--by", "li-wei", "--evidence", str(letter)])
    statement = moscow / "letters" / "sokolov-approve.json"
    statement.parent.mkdir()
    statement.write_bytes(scene.run("moscow", "ivanova", [
        "statement", symbol, "--by", "sokolov", "--for", "approve"]).encode("utf-8"))
    _sign_statement(moscow, scene.base, "sokolov", statement)
    scene.step("the Russian delegation's approval: Соколов М. А.'s signed statement", "moscow",
               ["approve", symbol, "--by", "sokolov", "--signed-statement", f"{statement}.p7s"])
    scene.step("李伟 signs on this machine, with the key only this folder holds (the first "
               "signature certifies)", "xian",
               ["sign", symbol, "--by", "li-wei", "--passphrase-file", str(li_pass)],
               member="li-wei")
    for member in ("sokolov", "kuznetsova"):
        last = " (the last signature: PAdES B-LTA)" if member == "kuznetsova" else ""
        scene.step(f"{member} signs{last}", "moscow",
                   ["sign", symbol, "--by", member, "--passphrase-file", scene.secret(member)],
                   member=member)
    scene.step("submitted to the Higher Council of BRICS; receipt recorded", "moscow",
               ["submit", symbol, "--to", "brics-higher-council"],
               ["receipt", symbol, "--ref", "HC-BRICS/2024/117", "--outcome", "acknowledged"])


def _archived(scene: _Scene, symbol: str) -> None:
    """The archivist's folder: the seal's key handed over, the dossier exported and
    verified with nothing but the bag."""
    archive = scene.folder("archive")
    scene.step("folder attached", "archive", ["attach", str(archive)])
    handed = archive / ".resolutions" / "keys" / "seal"
    handed.mkdir(parents=True, exist_ok=True)
    shutil.move(str(scene.folder("moscow") / ".resolutions" / "keys" / "seal" / "seal.p12"),
                str(handed / "seal.p12"))
    scene.echo("    (the secretary hands the seal's key to the archivist: it moves, it is not "
               "copied, and never passes through the database)")
    dossier = archive / "dossier"
    scene.step("dossier exported from the shared store, sealed and timestamped; verified with "
               "nothing but the bag", "archive",
               ["dossier", "export", symbol, "-o", str(dossier), "--seal-passphrase-file",
                scene.secret("seal")],
               ["dossier", "verify", str(dossier)])


def _sign_statement(root: Path, secrets: Path, member: str, statement: Path) -> None:
    """What the member does with their own key: a detached CMS signature over the
    statement (the demo keys are in ``root``'s keys folder)."""
    from signatures.cms import sign_detached
    from signatures.keys import load_p12
    from signatures.signer import Signer

    passphrase = Path(_secret(secrets, member)).read_bytes().rstrip(b"\r\n")
    key = root / ".resolutions" / "keys" / f"{member}.p12"
    signer = Signer.from_loaded(load_p12(key, passphrase))
    Path(f"{statement}.p7s").write_bytes(sign_detached(statement.read_bytes(), signer))
