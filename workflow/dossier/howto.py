"""``VERIFY.txt``: how to check the bag with open tools alone (English, Russian, Chinese).

Written into every bag before the tag manifests (so the seal covers it). Every command
is on a line of its own starting with ``$ ``, runs in ``bash`` from any folder once
``BAG`` names the bag's folder, and exits non-zero when its check fails; the test suite
runs exactly these lines. The tools: ``bagit.py`` (the Library of Congress ``bagit``
package), ``openssl`` (cms, ts, x509), ``certutil`` and ``pdfsig`` (NSS, poppler).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflow.dossier.report import JSONObject, VerifyReport

__all__ = ["HOWTO", "Howto", "howto_text", "commands", "steps", "SEALED_AT", "signed_files",
           "detached_facts", "check_howto"]

HOWTO = "VERIFY.txt"
PROMPT = "$ "


@dataclass
class Howto:
    ca: str                              # data/… of the working group's CA
    seal_cert: str                       # data/… of the seal certificate
    ca_sha256: str
    seal_sha256: str
    head: tuple[int, str]
    attime: int                          # seconds since 1970: the moment of sealing
    tsa_roots: list[str] = field(default_factory=list)   # data/… roots for timestamps
    seal_timestamp: bool = False
    archive_timestamp: bool = False
    pdfs: list[str] = field(default_factory=list)        # data/… signed PDFs
    detached: list[tuple[str, str]] = field(default_factory=list)  # (data/….p7s, content)
    #: data/….p7s → the moment it was signed (its signature timestamp, else its signing
    #: time), for those that carry their CRL: checked with -crl_check as at that moment
    crl_checked: dict[str, int] = field(default_factory=dict)


def _q(rel: str) -> str:
    return f'"$BAG/{rel}"'


def _tsa_file(h: Howto) -> str:
    if len(h.tsa_roots) == 1:
        return _q(h.tsa_roots[0])
    return "<(cat " + " ".join(_q(r) for r in h.tsa_roots) + ")"


def _cms(p7s: str, content: str, h: Howto, extra: str = "") -> str:
    attime = h.crl_checked.get(p7s, h.attime)
    if p7s in h.crl_checked:
        extra = " -crl_check" + extra
    return (f"{PROMPT}openssl cms -verify -binary -inform DER -in {_q(p7s)} -content "
            f"{_q(content)} -CAfile {_q(h.ca)} -purpose any -attime {attime}{extra} "
            "-out /dev/null")


def _fp(rel: str) -> str:
    return f"{PROMPT}openssl x509 -in {_q(rel)} -noout -fingerprint -sha256"


def _steps(h: Howto) -> list[tuple[dict[str, str], list[str]]]:
    steps: list[tuple[dict[str, str], list[str]]] = [
        ({"en": "0. Set BAG to the bag's folder (unzip it first if it is a ZIP), and make a "
                "scratch folder:",
          "ru": "0. Укажите в BAG папку пакета (ZIP сначала распакуйте) и создайте "
                "временную папку:",
          "zh": "0. 将 BAG 设为本包的文件夹（若为 ZIP 先解压），并建立临时文件夹："},
         ['   BAG=/path/to/this/bag', f"{PROMPT}T=$(mktemp -d)"]),
        ({"en": "1. Every file against the manifests (bagit.py from the 'bagit' package):",
          "ru": "1. Каждый файл по манифестам (bagit.py из пакета 'bagit'):",
          "zh": "1. 按清单核对每个文件（'bagit' 软件包中的 bagit.py）："},
         [f'{PROMPT}bagit.py --validate "$BAG"']),
        ({"en": "2. The seal: a CMS signature over tagmanifest-sha256.txt by the secretariat's "
                "seal, issued by the working group's CA; then the signer's fingerprint:",
          "ru": "2. Печать: подпись CMS секретариата над tagmanifest-sha256.txt, сертификат "
                "выдан УЦ рабочей группы; затем отпечаток подписанта:",
          "zh": "2. 印章：秘书处印章证书对 tagmanifest-sha256.txt 的 CMS 签名，由工作组 CA "
                "签发；然后查看签名者指纹："},
         [_cms("seal.p7s", "tagmanifest-sha256.txt", h, ' -signer "$T/seal-signer.pem"'),
          f'{PROMPT}openssl x509 -in "$T/seal-signer.pem" -noout -fingerprint -sha256']),
    ]
    steps += _timestamp_step(h) + _pdf_step(h)
    if h.detached:
        steps.append(({"en": "5. The detached signatures (.p7s) over the DOCX and the approval "
                             "statements:",
                       "ru": "5. Открепленные подписи (.p7s) над DOCX и заявлениями об "
                             "одобрении:",
                       "zh": "5. DOCX 及批准声明的分离式签名（.p7s）："},
                      [_cms(p7s, content, h) for p7s, content in h.detached]))
    steps.append(({"en": "6. The fingerprints (SHA-256 of the DER certificate). Compare them with "
                         "the ones the working group published, NOT with the values below "
                         "(a forger would change both):",
                   "ru": "6. Отпечатки (SHA-256 сертификата в DER). Сравните их с "
                         "опубликованными рабочей группой, а НЕ со значениями ниже (подделыватель "
                         "изменил бы и их):",
                   "zh": "6. 指纹（DER 证书的 SHA-256）。请与工作组公布的指纹比较，而不是与下面的"
                         "值比较（伪造者会同时修改）："},
                  [_fp(h.ca), _fp(h.seal_cert)]))
    return steps


def _timestamp_step(h: Howto) -> list[tuple[dict[str, str], list[str]]]:
    """3. The RFC 3161 timestamps on the seal and on the whole bag, when there are any."""
    stamps = []
    if h.seal_timestamp:
        stamps.append(f"{PROMPT}openssl ts -verify -data {_q('seal.p7s')} -in "
                      f"{_q('seal-timestamp.tsr')} -CAfile {_tsa_file(h)} "
                      f"-attime {h.attime}")
    if h.archive_timestamp:
        stamps.append(f"{PROMPT}openssl ts -verify -data {_q('manifest-sha512.txt')} -in "
                      f"{_q('archive-timestamp.tsr')} -CAfile {_tsa_file(h)} "
                      f"-attime {h.attime}")
    if stamps:
        return [({"en": "3. The timestamps (RFC 3161) on the seal and on the whole bag:",
                  "ru": "3. Метки времени (RFC 3161) на печати и на всём пакете:",
                  "zh": "3. 印章及整个包的时间戳（RFC 3161）："}, stamps)]
    return []


def _pdf_step(h: Howto) -> list[tuple[dict[str, str], list[str]]]:
    """4. The signed PDFs through pdfsig, trusting only the CA."""
    if not h.pdfs:
        return []
    return [({"en": "4. The signed PDFs, with an NSS database trusting only the CA "
                    "(every signature must say 'Signature is Valid'):",
              "ru": "4. Подписанные PDF; база NSS доверяет только УЦ (у каждой "
                    "подписи должно быть 'Signature is Valid'):",
              "zh": "4. 已签名的 PDF；NSS 数据库只信任本 CA（每个签名都应显示 "
                    "'Signature is Valid'）："},
             [f'{PROMPT}certutil -N -d "sql:$T" --empty-password',
              f'{PROMPT}certutil -A -d "sql:$T" -n wg-ca -t C,C,C -i {_q(h.ca)}']
             + [f'{PROMPT}pdfsig -nssdir "sql:$T" {_q(p)} > "$T/pdfsig.txt"; '
                f'cat "$T/pdfsig.txt"; grep -q "Signature is Valid" "$T/pdfsig.txt" '
                f'&& ! grep -q "Signature is Invalid\\|Digest Mismatch" "$T/pdfsig.txt"'
                for p in h.pdfs])]


#: what the reading room writes for the moment of sealing, which is known only at the end
SEALED_AT = "$SEALED_AT"


def steps(h: Howto) -> list[tuple[dict[str, str], list[str]]]:
    """VERIFY.txt's steps: what each proves (en, ru, zh) and its command lines."""
    return _steps(h)


def howto_text(h: Howto) -> str:
    out = ["HOW TO VERIFY THIS DOSSIER — КАК ПРОВЕРИТЬ ЭТО ДОСЬЕ — 如何核验本档案", "",
           "This folder is a BagIt bag (RFC 8493), sealed by the secretariat of the working "
           "group. It can be checked with open tools alone: bagit.py, openssl, certutil, "
           "pdfsig. Each line starting with '$ ' is a bash command; each must succeed.",
           "Папка — пакет BagIt (RFC 8493), скрепленный печатью секретариата рабочей группы. "
           "Его можно проверить только открытыми средствами: bagit.py, openssl, certutil, "
           "pdfsig. Каждая строка, начинающаяся с '$ ', — команда bash; каждая должна "
           "завершиться успешно.",
           "本文件夹是 BagIt 包（RFC 8493），由工作组秘书处加盖印章。只需开放工具即可核验："
           "bagit.py、openssl、certutil、pdfsig。以 '$ ' 开头的每一行都是 bash 命令，都必须成功。",
           "", f"-attime {h.attime} is the moment of sealing"
           + ("; seal-timestamp.tsr proves it." if h.seal_timestamp else
              " (no timestamp authority: nothing outside the seal proves it).")
           + f" / -attime {h.attime} — момент наложения печати. / -attime {h.attime} "
           "为加盖印章的时刻。", ""]
    for texts, lines in _steps(h):
        out += [texts["en"], texts["ru"], texts["zh"], *lines, ""]
    out += ["Values at sealing (for reference only) / Значения при опечатывании / 盖章时的值:",
            f"  CA SHA-256:          {h.ca_sha256}",
            f"  seal SHA-256:        {h.seal_sha256}",
            f"  audit head (seq hash): {h.head[0]} {h.head[1]}",
            "Also compare the audit head with a head you hold as a witness (a message from the "
            "working group carries one). / Сравните также вершину журнала с имеющейся у вас. / "
            "另请将审计链头与您持有的见证值比较。", ""]
    return "\n".join(out)


def signed_files(howto: Howto, folder: str, record: JSONObject) -> None:
    """The signed PDFs and the .p7s files (with their contents) VERIFY.txt checks."""
    base = f"data/{folder}"
    for sig in record.get("signatures", []):
        pdf = f"{base}/{sig['pdf']}" if sig.get("pdf") else None
        if pdf and pdf not in howto.pdfs:
            howto.pdfs.append(pdf)
        if sig.get("p7s") and sig.get("docx"):
            howto.detached.append((f"{base}/{sig['p7s']}", f"{base}/{sig['docx']}"))
    for a in record.get("approvals", []):
        if a.get("p7s") and a.get("statement"):
            howto.detached.append((f"{base}/{a['p7s']}", f"{base}/{a['statement']}"))


def detached_facts(bag: Path, howto: Howto) -> None:
    """For each .p7s in the bag that carries its CRL: the moment it was signed."""
    from signatures.cms import embedded_crls, signed_at

    howto.crl_checked = {}
    for p7s, _ in howto.detached:
        try:
            data = (Path(bag) / p7s).read_bytes()
        except OSError:
            continue
        when = signed_at(data)
        if embedded_crls(data) and when is not None:
            howto.crl_checked[p7s] = int(when.timestamp())


_ATTIME = re.compile(r"^-attime (\d+) is the moment of sealing", re.MULTILINE)


def check_howto(root: Path, dossier: JSONObject, records: list[tuple[str, JSONObject]],
                tsa_roots: list[str], report: VerifyReport) -> None:
    """``VERIFY.txt`` must be exactly the text the export writes for this bag: the commands
    an archivist runs are part of what the seal vouches for, and a rewritten one (a
    ``-noverify`` slipped in, a step dropped) is named with its line."""
    path = Path(root) / HOWTO
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.add(HOWTO, f"is missing or unreadable ({exc}); every dossier carries it")
        return
    found = _ATTIME.search(text)
    if found is None:
        report.add(HOWTO, "does not state the moment of sealing (-attime): it was rewritten")
        return
    howto = Howto(ca=f"data/{(dossier.get('ca') or {}).get('file', 'trust/ca.pem')}",
                  seal_cert=f"data/{(dossier.get('seal') or {}).get('certificate', 'seal.pem')}",
                  ca_sha256=str((dossier.get("ca") or {}).get("sha256", "")),
                  seal_sha256=str((dossier.get("seal") or {}).get("sha256", "")),
                  head=(int((dossier.get("audit") or {}).get("head_seq", 0)),
                        str((dossier.get("audit") or {}).get("head_hash", ""))),
                  attime=int(found.group(1)), tsa_roots=list(tsa_roots))
    declared = bool(dossier.get("timestamps"))  # a removed timestamp is named elsewhere
    howto.seal_timestamp = declared or (Path(root) / "seal-timestamp.tsr").is_file()
    howto.archive_timestamp = declared or (Path(root) / "archive-timestamp.tsr").is_file()
    for folder, record in records:
        signed_files(howto, folder, record)
    detached_facts(Path(root), howto)
    expected = howto_text(howto).splitlines()
    actual = text.splitlines()
    for n, (want, got) in enumerate(zip(expected, actual), 1):
        if want != got:
            report.add(HOWTO, f"line {n} is not what the export writes for this bag "
                       f"({got[:120]!r} instead of {want[:120]!r}): the instructions were "
                       "rewritten")
            return
    if len(expected) != len(actual):
        report.add(HOWTO, f"has {len(actual)} lines where the export writes {len(expected)}: "
                   "the instructions were rewritten")


def commands(text: str) -> list[str]:
    """The command lines of a ``VERIFY.txt`` (without the prompt), in order."""
    return [line[len(PROMPT):] for line in text.splitlines() if line.startswith(PROMPT)]
