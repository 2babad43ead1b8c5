"""The seed scenario, end to end, played through the public commands a user types.

``play()`` receives ``run(args) -> output`` (the CLI, invoked in-process) so the demo
exercises exactly what a secretary would type; it never reaches behind the commands. The
resolution is the Russian–Chinese working group's on the transition from “market” to
“production” (``demo_data/resolution.yaml``), addressed to the Higher Council of BRICS.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from workflow import clock
from workflow.errors import WorkflowError

__all__ = ["play", "DemoResult", "Artefact", "MEMBERS", "DemoError", "member_adds"]


class DemoError(WorkflowError):
    """A demo step failed; the message names the step and what the command said."""


#: id, name, names per language, organisation, delegation, e-mail, language, roles
if TYPE_CHECKING:
    from signatures.tsa import LoopbackTsa

#: a demo member: id, name, names by language, organisation, delegation, e-mail, language,
#: roles
DemoMember = tuple[str, str, dict[str, str], str, str, str, str, list[str]]

MEMBERS: list[DemoMember] = [
    ("ivanova", "Иванова Анна Петровна", {"en": "Anna Ivanova", "zh": "安娜·伊万诺娃"},
     "ВО «ФАРЭКСПО»", "ru", "ivanova@farexpo.example", "ru", ["secretary"]),
    ("orlov", "Орлов Сергей Викторович", {"en": "Sergey Orlov", "zh": "谢尔盖·奥尔洛夫"},
     "АНО «Российско-Китайский Центр по Уралу и Сибири»", "ru", "orlov@rcc-ural.example",
     "ru", ["reviewer"]),
    ("wang-fang", "王芳", {"en": "Wang Fang", "ru": "Ван Фан"}, "TTF Electronic (陕西)", "zh",
     "wang.fang@ttf.example", "zh", ["reviewer"]),
    ("sokolov", "Соколов Михаил Андреевич", {"en": "Mikhail Sokolov", "zh": "米哈伊尔·索科洛夫"},
     "ВО «ФАРЭКСПО»", "ru", "sokolov@farexpo.example", "ru", ["approver", "signatory"]),
    ("kuznetsova", "Кузнецова Елена Игоревна", {"en": "Elena Kuznetsova", "zh": "叶莲娜·库兹涅佐娃"},
     "АНО «Российско-Китайский Центр по Уралу и Сибири»", "ru", "kuznetsova@rcc-ural.example",
     "ru", ["signatory"]),
    ("li-wei", "李伟", {"en": "Li Wei", "ru": "Ли Вэй"}, "TTF Electronic (陕西)", "zh",
     "li.wei@ttf.example", "zh", ["approver", "signatory"]),
]
GROUP = ("Russian–Chinese working group on microelectronics",
         "Российско-китайская рабочая группа по микроэлектронике", "中俄微电子工作组")


@dataclass(frozen=True)
class Artefact:
    path: str
    kind: str
    pages: int
    size: int
    sha256: str


@dataclass
class DemoResult:
    root: Path
    symbol: str = ""
    steps: list[str] = field(default_factory=list)
    artefacts: list[Artefact] = field(default_factory=list)
    verdict: str = ""
    independent: list[str] = field(default_factory=list)


Run = Callable[[list[str]], str]


def _secret(root: Path, name: str) -> str:
    """A demo passphrase in a 0600 file (passphrases never go on the command line)."""
    folder = root / ".demo-secrets"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / f"{name}.pass"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(hashlib.sha256(os.urandom(32)).hexdigest()[:24] + "\n")
    return str(path)


_LETTER = """Working group secretariat,

The delegation of the People's Republic of China approves draft resolution {symbol}
in the version circulated in the second review round.

工作组秘书处：中方代表团批准第二轮审议中分发的决议草案 {symbol}。

李伟 (Li Wei), TTF Electronic, Xi'an
"""


def _sign_as_member(root: Path, member: str, statement: Path) -> None:
    """What the member does on their own machine: a detached CMS signature with their key
    over the exact statement (here with the demo key the workspace issued them)."""
    from signatures.cms import sign_detached
    from signatures.keys import load_p12
    from signatures.signer import Signer

    passphrase = Path(_secret(root, member)).read_bytes().rstrip(b"\r\n")
    key = root / ".resolutions" / "keys" / f"{member}.p12"
    signer = Signer.from_loaded(load_p12(key, passphrase))
    Path(f"{statement}.p7s").write_bytes(sign_detached(statement.read_bytes(), signer))


def _demo_tsa(root: Path) -> tuple[LoopbackTsa, Path]:
    """A timestamp authority for the demo on loopback (labelled "demo", its own root); the
    workspace names it as its ``timestamp_url`` at init."""
    from signatures.tsa import LoopbackTsa

    tsa = LoopbackTsa(label="demo")
    root.mkdir(parents=True, exist_ok=True)
    pem = root / "demo-tsa-root.pem"
    pem.write_bytes(tsa.root_pem)
    return tsa, pem


def _fill_comment_form(form: Path, out: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """Fill the comment form as a reviewer would in Word: ref, type, comment, proposal."""
    import docx

    document = docx.Document(str(form))
    table = max(document.tables, key=lambda t: len(t.rows))
    header = [c.text.strip().lower() for c in table.rows[0].cells]

    from drafts.comment_form import column_kind

    kinds = [column_kind(h) for h in header]  # headers in the reviewer's language(s)
    ref_c, type_c, text_c, prop_c = (kinds.index(k) for k in ("ref", "type", "comment",
                                                              "proposal"))
    pending = list(rows)
    for row in table.rows[1:]:
        if not pending:
            break
        cells = row.cells
        if cells[ref_c].text.strip() == pending[0][0]:
            _, kind, text, proposal = pending.pop(0)
            cells[type_c].text, cells[text_c].text, cells[prop_c].text = kind, text, proposal
    if pending:
        raise DemoError(f"the comment form has no row for {pending[0][0]}")
    document.save(str(out))


def _review_in_tool(xliff: Path, out: Path, unit_id: str) -> None:
    """What the translator's tool does when the translator checks a segment and confirms it
    unchanged: the target's state becomes ``translated``."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.fromstring(xliff.read_bytes(), parser)
    ns = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
    for target in tree.findall(f".//x:trans-unit[@id='{unit_id}']/x:target", ns):
        target.set("state", "translated")
    out.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


def _annotate_copy(copy: Path, out: Path, notes: list[tuple[str, str, str]]) -> None:
    """What a reviewer does in a PDF reader: a sticky note on a paragraph's column
    (paragraph id, language, text), placed where the copy's position map puts it."""
    import json

    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Text

    from templates.pdf.positions import MAP_NAME

    rects = json.loads(PdfReader(copy).attachments[MAP_NAME][0])["rects"]
    writer = PdfWriter(clone_from=copy)
    for pid, lang, text in notes:
        page, x0, _, _, top, _, _ = next(r for r in rects if r[5] == pid and r[6] == lang)
        writer.add_annotation(page - 1, Text(rect=(x0 + 4, top - 18, x0 + 22, top), text=text))
    writer.write(out)


def play(root: Path, run: Run, *, force: bool = False,
         echo: Callable[[str], None] = print) -> DemoResult:
    """Build a fresh workspace in ``root`` and play the whole life cycle."""
    root = root.resolve()
    if (root / "resolutions.toml").exists() or (root.exists() and any(root.iterdir())):
        if not force:
            raise DemoError(f"{root} already exists; run the demo elsewhere, or add --force "
                            "to delete it and start again")
        shutil.rmtree(root)
    tsa, tsa_root = _demo_tsa(root)
    # the working group publishes its CA's CRL at an http address its certificates name
    crl_url = tsa.publish("rcwg-ca.crl", root / ".resolutions" / "keys" / "ca" / "crl.der")
    try:
        result = _play(root, run, echo, tsa.url, tsa_root, crl_url)
    finally:
        tsa.stop()
    _independent(result, tsa_root, echo)
    return result


def _independent(result: DemoResult, tsa_root: Path, echo: Callable[[str], None]) -> None:
    """pyHanko's AdES validator (not ours) on the signed PDF, offline — the demo's timestamp
    authority and CRL address are gone — trusting only the CA and the TSA root, as on
    today, 2031 and 2040."""
    from signatures.independent import adesverify

    signed = sorted((result.root / "out" / "signed").glob("*_signed.pdf"))
    if not signed:
        return
    ca = result.root / ".resolutions" / "keys" / "ca" / "ca.pem"
    now = clock.real_now()  # the signatures' own time: the validator's clock, not the workflow's
    echo("  ✓ independent AdES validator (pyhanko sign adesverify), offline, trusting only "
         "the CA and the TSA root:")
    for moment in (now, datetime.datetime(2031, 1, 1, tzinfo=datetime.timezone.utc),
                   datetime.datetime(2040, 1, 1, tzinfo=datetime.timezone.utc)):
        verdict = adesverify(signed[0], [ca, tsa_root], moment)
        line = f"    as on {moment:%Y-%m-%d}: {verdict.summary}"
        result.independent.append(line.strip())
        echo(line)
        if verdict.available and not verdict.ok:
            raise DemoError("the independent validator does not accept the signed PDF as on "
                            f"{moment:%Y-%m-%d}: " + "; ".join(verdict.lines))


def _play(root: Path, run: Run, echo: Callable[[str], None], tsa_url: str,
          tsa_root: Path, crl_url: str) -> DemoResult:
    """The life cycle, chapter by chapter (each a method of :class:`_Demo`)."""
    demo = _Demo(root, run, echo)
    demo.workspace(tsa_url, crl_url)
    demo.draft()
    demo.first_round()
    demo.translations()
    demo.keys(tsa_root)
    demo.approve_and_sign()
    demo.submit()
    demo.dossier()
    demo.search_and_room()
    demo.step("audit chain verified", ["audit", "verify"])
    demo.result.artefacts = collect_artefacts(root)
    return demo.result



def member_adds(members: Sequence[DemoMember],
                password_file: Path | None = None) -> list[list[str]]:
    """The ``member add`` command lines of ``members`` (rows shaped like :data:`MEMBERS`);
    with ``password_file``, each member's database role gets that password."""
    adds = []
    for mid, name, names, org, delegation, email, lang, roles in members:
        args = ["member", "add", mid, "--name", name, "--org", org, "--delegation",
                delegation, "--email", email, "--lang", lang]
        for code, value in names.items():
            args += [f"--name-{code}", value]
        for role in roles:
            args += ["--role", role]
        if password_file is not None:
            args += ["--password-file", str(password_file)]
        adds.append(args)
    return adds

class _Demo:
    """The demo's workspace and what each chapter leaves for the next."""

    def __init__(self, root: Path, run: Run, echo: Callable[[str], None]) -> None:
        self.root, self.run, self.echo = root, run, echo
        self.result = DemoResult(root)
        self.ws = ["--workspace", str(root)]
        self.out = root / "out"
        self.forms = root / "forms"
        self.symbol = ""

    def step(self, text: str, *commands: list[str]) -> list[str]:
        """Run ``commands`` (in the workspace) as one step of the walk-through."""
        outputs = []
        for args in commands:
            try:
                outputs.append(self.run(args if args[0] == "init" else self.ws + args))
            except DemoError as exc:
                raise DemoError(f"step '{text}': resolutions {' '.join(args)}\n{exc}") from None
        self.result.steps.append(text)
        self.echo(f"  ✓ {text}")
        return outputs

    def workspace(self, tsa_url: str, crl_url: str) -> None:
        root = self.root
        self.step("workspace created for the working group",
                  ["init", str(root), "--name", GROUP[0], "--name-ru", GROUP[1], "--name-zh",
                   GROUP[2], "--prefix", "RCWG", "--approval-rule", "each-delegation",
                   "--require-signature", "sokolov", "--require-signature", "kuznetsova",
                   "--require-signature", "li-wei", "--timestamp-url", tsa_url,
                   "--crl-url", crl_url])
        self.step("6 members: FAREXPO, the Russian–Chinese Centre, TTF Electronic (Shaanxi)",
                  *member_adds(MEMBERS))

    def draft(self) -> None:
        source = self.root / "resolution.yaml"
        source.write_bytes(resources.files("workflow").joinpath(
            "demo_data/resolution.yaml").read_bytes())
        self.symbol = self.step("draft resolution stored (ru, zh, en)",
                                ["new", str(source)])[0].strip()
        self.result.symbol = symbol = self.symbol
        self.step("draft rendered: parallel ru | zh | en, PDF and DOCX",
                  ["render", symbol, "--stage", "draft", "--format", "all", "-o", str(self.out)])
        self.step("circulated to 2 reviewers (review copies and comment forms in the outbox)",
                  ["circulate", symbol, "--reviewer", "orlov", "--reviewer", "wang-fang",
                   "--due", (clock.today() + datetime.timedelta(days=12)).isoformat()])

    def first_round(self) -> None:
        """Each reviewer's copy as mailed to them, returned by reply: 王芳's comment form,
        Орлов's copy annotated in his PDF reader."""
        from workflow import demo_mail

        root, symbol, forms = self.root, self.symbol, self.forms
        to_wang = demo_mail.received(root, "wang-fang")
        blank = demo_mail.attachment(to_wang, ".docx", forms)
        filled = forms / "comment-form-wang-fang-returned.docx"
        _fill_comment_form(blank, filled, [
            ("OP 2(c)", "te", "应明确认证所依据的标准。",
             "for the testing and certification of components to agreed standards;"),
            ("OP 9", "ed", "建议写明报告提交对象。", ""),
        ])
        back = demo_mail.reply(to_wang, [filled], forms / "reply-wang-fang.eml",
                               text="意见表见附件。")
        self.step("王芳's reply with her filled comment form imported",
                  ["comments", "import", symbol, str(back)])
        to_orlov = demo_mail.received(root, "orlov")
        copy = demo_mail.attachment(to_orlov, ".pdf", forms)
        annotated = forms / "review-copy-orlov-annotated.pdf"
        _annotate_copy(copy, annotated, [("op-supplies", "ru", "общ: Поставки на переходный "
                                          "период следует увязать с дорожной картой.")])
        back = demo_mail.reply(to_orlov, [annotated], forms / "reply-orlov.eml",
                               text="Замечания — в приложенном экземпляре.")
        self.step("Орлов С. В.'s reply with the review copy he annotated in his PDF reader "
                  "imported", ["comments", "import", symbol, str(back)])
        self.amend_and_close()

    def amend_and_close(self) -> None:
        symbol, out = self.symbol, self.out
        self.step("amendments by Орлов С. В.",
                  ["amend", symbol, "--by", "orlov", "--target", "OP 3(c)(ii)", "--op",
                   "insert-after", "--text", "ru=создание совместных инжиниринговых центров;",
                   "--text", "zh=设立联合工程中心；",
                   "--text", "en=the establishment of joint engineering centres;",
                   "--why", "Подготовка кадров требует инфраструктуры"],
                  ["amend", symbol, "--by", "orlov", "--target", "OP 4", "--op", "replace",
                   "--text", "en=*Invites* the Chinese partners to continue timely supplies of "
                             "quality components in the required volume during the "
                             "transition period;",
                   "--why", "Editorial: 'timely' is the agreed term"])
        self.step("dispositions recorded; amendments accepted",
                  ["dispose", symbol, "1", "--partial", "--note",
                   "Standards will be set in the roadmap"],
                  ["dispose", symbol, "2", "--accept", "--note", "Addressee stated in OP 11"],
                  ["dispose", symbol, "3", "--accept", "--note", "Reflected in the annex"],
                  ["amendment", "accept", symbol, "1"], ["amendment", "accept", symbol, "2"])
        self.step("review closed with changes: version 2 made from the accepted amendments",
                  ["close-review", symbol, "--changes"])
        self.step("comments matrix and redline rendered",
                  ["render", symbol, "--stage", "matrix", "--format", "pdf", "--lang", "ru,zh",
                   "-o", str(out)],
                  ["render", symbol, "--stage", "redline", "--format", "all", "--lang",
                   "ru,zh,en", "-o", str(out)])

    def translations(self) -> None:
        symbol = self.symbol
        try:
            self.run(self.ws + ["check", symbol])
        except DemoError:
            pass  # stale translations expected here: the English of OP 4 changed
        xliff = self.root / "translations" / "zh.xlf"
        self.step("Chinese of the amended OP 4 sent to the translator as XLIFF",
                  ["translations", "export", symbol, "--lang", "zh", "--from", "en", "-o",
                   str(xliff), "--send", "wang-fang"])
        returned = xliff.with_name("zh-returned.xlf")
        _review_in_tool(xliff, returned, "op-supplies")
        self.step("translations checked and confirmed (the Chinese came back as XLIFF, the "
                  "Russian confirmed here)",
                  ["translations", "import", symbol, str(returned)],
                  ["translations", "confirm", symbol, "--lang", "ru"], ["check", symbol])
        self.step("second round: each reviewer's copy marked against version 1, with the "
                  "decision on each of their comments; closed with no objection",
                  ["circulate", symbol, "--reviewer", "orlov", "--reviewer", "wang-fang"],
                  ["close-review", symbol, "--no-objection"])

    def keys(self, tsa_root: Path) -> None:
        root = self.root
        ca_pass = _secret(root, "ca")
        key_cmds = [["keys", "init-ca", "--passphrase-file", ca_pass]]
        for member in ("sokolov", "kuznetsova", "li-wei"):
            key_cmds.append(["keys", "issue", member, "--ca-passphrase-file", ca_pass,
                             "--passphrase-file", _secret(root, member)])
        key_cmds.append(["keys", "seal-issue", "--ca-passphrase-file", ca_pass,
                         "--passphrase-file", _secret(root, "seal")])
        self.step("working-group CA, 3 signing certificates and the secretariat's seal issued "
                  "(demo keys)", *key_cmds)
        self.step("demo timestamp authority on loopback trusted for timestamps",
                  ["keys", "trust", str(tsa_root), "--for", "timestamps"])

    def approve_and_sign(self) -> None:
        """Each delegation's word reaches the secretary (a statement Sokolov signs with his
        own key, a letter from the Chinese delegation); then the three signatures."""
        root, symbol, out = self.root, self.symbol, self.out
        letters = root / "letters"
        letters.mkdir(exist_ok=True)
        statement = letters / "sokolov-approve.json"
        statement.write_bytes(self.run(self.ws + ["statement", symbol, "--by", "sokolov",
                                                  "--for", "approve"]).encode("utf-8"))
        _sign_as_member(root, "sokolov", statement)
        letter = letters / "li-wei-approval-letter.txt"
        letter.write_text(_LETTER.format(symbol=symbol), encoding="utf-8")
        self.step("approved by each delegation: Соколов М. А. (signed statement), 李伟 (letter)",
                  ["approve", symbol, "--by", "sokolov", "--signed-statement",
                   f"{statement}.p7s"],
                  ["approve", symbol, "--by", "li-wei", "--evidence", str(letter)])
        self.step("signed by 3 signatories (PAdES B-T, incremental; first certifies; the last "
                  "makes it B-LTA)",
                  *[["sign", symbol, "--by", m, "--passphrase-file", _secret(root, m)]
                    for m in ("sokolov", "kuznetsova", "li-wei")])
        self.step("signed files written out",
                  ["signed-files", symbol, "-o", str(out / "signed")],
                  ["render", symbol, "--stage", "final", "--format", "pdf", "--lang", "ru,zh",
                   "--layout", "parallel", "-o", str(out)])
        signed_pdf = next((out / "signed").glob("*_signed.pdf"))
        self.step("signed PDF verified as an archivist would on 2040-01-01",
                  ["verify", str(signed_pdf), "--at", "2040-01-01"])

    def submit(self) -> None:
        self.step("submitted to the Higher Council of BRICS (package and message in the "
                  "outbox)", ["submit", self.symbol, "--to", "brics-higher-council"])
        self.step("receipt recorded: acknowledged",
                  ["receipt", self.symbol, "--ref", "HC-BRICS/2024/117", "--outcome",
                   "acknowledged"])

    def dossier(self) -> None:
        root, symbol = self.root, self.symbol
        dossier = root / "dossier"
        self.step("dossier exported (BagIt, PDF/A-3b), sealed by the secretariat and "
                  "timestamped",
                  ["dossier", "export", symbol, "-o", str(dossier), "--seal-passphrase-file",
                   _secret(root, "seal")])
        verdict = self.step("dossier verified with nothing but the bag, also as on 2040-01-01",
                            ["dossier", "verify", str(dossier), "--at", "2040-01-01"],
                            ["dossier", "verify", str(dossier)])[-1].strip().splitlines()
        for line in verdict:  # the seal's fingerprints and the audit head, to compare
            if line.startswith(("compare out of band", "  ")):
                self.echo(f"    {line}")
        self.result.verdict = verdict[-1] if verdict else ""
        again = self.step("dossier exported again: nothing changed, so the last payload was "
                          "copied from the store, checked and sealed anew",
                          ["dossier", "export", symbol, "-o", str(root / "dossier-again"),
                           "--seal-passphrase-file", _secret(root, "seal")])[-1].strip()
        self.echo(f"    {again.split('; ', 1)[-1]}")

    def search_and_room(self) -> None:
        found = self.step("searched every version in every language: a Russian phrase, and "
                          "two Chinese characters (the aligned paragraphs shown beside each "
                          "hit)",
                          ["search", "интегральных схем", "--limit", "1"],
                          ["search", "合资", "--lang", "zh", "--limit", "1"])
        for text in found:
            for line in text.strip().splitlines()[:4]:
                self.echo(f"    {line}")
        room = self.root / "dossier" / "data" / "index.html"
        if not room.is_file():
            raise DemoError(f"the dossier has no reading room ({room})")
        self.step(f"reading room in the dossier: open {room.relative_to(self.root)} in a "
                  "browser (static pages, no network)")


def _kind(path: Path) -> str:
    name = path.name
    if path.suffix == ".eml":
        return "message: " + name.split("-")[0].replace("review", "review copy")
    if name == "seal.p7s":
        return "seal (secretariat)"
    if path.suffix == ".p7s":
        return "detached signature"
    if path.suffix == ".tsr":
        return "timestamp (RFC 3161)"
    if name == "VERIFY.txt":
        return "how to verify"
    if name == "index.html":
        return "reading room"
    if name == "premis.xml":
        return "PREMIS 3.0 history"
    if name.endswith("_signed.pdf"):
        return "signed resolution"
    if "returned" in name:
        return "returned comment form"
    for stage in ("draft", "redline", "matrix", "final", "review", "comment-form",
                  "cover-letter", "certificate", "index", "audit-report", "approval"):
        if f"_{stage}_" in name or f"_{stage}." in name or name.startswith(f"{stage}."):
            return stage
    if name.startswith(("bag", "manifest", "tagmanifest")):
        return "bag metadata"
    return path.suffix.lstrip(".") or "file"


def collect_artefacts(root: Path) -> list[Artefact]:
    """The files a newcomer would open, with pages, size and a hash prefix."""
    out: list[Artefact] = []
    folders = [root / "out", root / "forms", root / ".resolutions" / "outbox"]
    files: list[Path] = []
    for folder in folders:
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*") if p.is_file())
    dossier = root / "dossier"
    if dossier.is_dir():
        files += sorted(p for p in dossier.iterdir() if p.is_file())
        for name in ("index.pdf", "index.html", "premis.xml"):
            if (dossier / "data" / name).is_file():
                files.append(dossier / "data" / name)
    for path in files:
        if path.name.startswith("."):
            continue
        data = path.read_bytes()
        pages = 0
        if path.suffix == ".pdf":
            try:
                import io

                from pypdf import PdfReader

                pages = len(PdfReader(io.BytesIO(data)).pages)
            except Exception:
                pages = 0
        out.append(Artefact(str(path.relative_to(root)), _kind(path), pages, len(data),
                            hashlib.sha256(data).hexdigest()[:12]))
    return out
