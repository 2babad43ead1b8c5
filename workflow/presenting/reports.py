"""Reports for the terminal: a resolution's status, the parity check, signature and
dossier verification, the audit chain, this machine's checks, and what delivery did.

A report that ends in a verdict ends with it on its last line, so ``| tail -1`` reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drafts.parity.core import FindingJSON
    from drafts.parity.rules import Report as ParityReport
    from signatures.verdict import SignatureJSON
    from workflow.delivery.outbox import SendResult
    from workflow.delivery.submission import SubmitResult
    from workflow.doctor import Check
    from workflow.dossier.export import ExportResult
    from workflow.dossier.report import VerifyReport
    from workflow.lifecycle.overview import Status
    from workflow.signing.binding import FileReport
    from workflow.store.audit import Problem

__all__ = [
    "audit_text", "check_text", "doctor_text", "dossier_text", "export_text", "sent_json",
    "sent_text", "signatures_text", "status_text", "submission_json", "submission_text",
]


def status_text(st: Status) -> str:
    """State and version, the facts that matter now, and each next step with who takes it
    and what blocks it."""
    out = [f"{st.symbol}: {st.state} (version {st.version})"]
    out += [f"  · {fact}" for fact in st.facts]
    for w in getattr(st, "waivers", []):
        if w["holds"]:
            out.append(f"  · set aside: {w['finding']} {w['ref']} {w['rule']} "
                       f"[{','.join(w['languages'])}] by {w['by']} (version {w['version']}): "
                       f"{w['reason']}")
        else:
            out.append(f"  · lapsed: {w['finding']} {w['ref']} {w['rule']} set aside by "
                       f"{w['by']} — the paragraph changed since; judge it again "
                       f"('check {st.symbol}')")
    for step in st.steps:
        mark = f"blocked: {step['blocked_by']}" if step["blocked_by"] else "ready"
        out.append(f"  → {step['command']:<32} ({step['who']}) {mark}")
    return "\n".join(out)


def check_text(symbol: str, report: ParityReport) -> str:
    """Parity findings, each with its fix, then the count of errors and warnings."""
    out = [] if report["findings"] else [f"{symbol}: all authentic languages agree"]
    for f in report["findings"]:
        out.append(f"{f['severity']:<7} {f['id']:<10} {f['ref']:<14} "
                   f"[{','.join(f['languages'])}] {f['rule']}: {_detail(f)}")
        out.append(f"        fix: {f['fix']}")
    for f in report.get("waived", []):
        w = f["waiver"]
        out.append(f"set aside {f['id']:<10} {f['ref']:<14} [{','.join(f['languages'])}] "
                   f"{f['rule']}: {_detail(f)}")
        out.append(f"        by {w['by']} (version {w['version']}): {w['reason']}")
    s = report["summary"]
    waived = f", {len(report['waived'])} set aside" if report.get("waived") else ""
    out.append(f"{s.get('error', 0)} error(s), {s.get('warning', 0)} warning(s){waived}")
    if report["findings"]:
        out.append(f"set one aside: 'resolutions check {symbol} --accept ID --reason \"…\"'")
    return "\n".join(out)


def _detail(finding: FindingJSON) -> str:
    """A finding's message without the reference it starts with (shown beside it)."""
    message, ref = str(finding["message"]), str(finding["ref"])
    return message[len(ref) + 2:] if message.startswith(ref + ": ") else message


def signatures_text(file: str, report: FileReport) -> str:
    """One line per signature (OK or FAIL, signer, time, integrity and trust), its
    problems indented, then the file's verdict."""
    out: list[str] = []
    if report["schema"] == "brics-resolutions/verify-pdf/1":
        if report["level"]:
            out.append(f"PAdES {report['level']}"
                       + (f", judged as on {report['at']}" if report["at"] else ""))
        for s in report["signatures"]:
            out += _signature_lines(s, f" {s['field_name']} "
                                       f"modification={s['modification_level']}"
                                       f"{' certification' if s['certification'] else ''}")
        if report["fields"]:
            out.append("fields: " + ", ".join(
                f"{f['name']} " + ("signed" if f["signed"] else
                                   "EMPTY" if f["required"] else "empty (optional)")
                for f in report["fields"]))
    else:
        for d in report["signatures"]:
            out += _signature_lines(d, f" {d.get('p7s', '')}")
    out += [f"FAIL {problem}" for problem in report["problems"]]
    verdict = (f"all {report['signature_count']} signature(s) valid" if report["ok"]
               else "NOT VALID")
    out.append(f"{file}: {verdict}")
    return "\n".join(out)


def _signature_lines(s: SignatureJSON, extra: str) -> list[str]:
    signer, proof = s["signer"], s["proof"]
    when = (f"{proof['time']} ({proof['by']})" if proof is not None and proof["by"] != "none"
            else s["signing_time"] or "")
    return [f"{'OK  ' if s['ok'] else 'FAIL'} {signer['common_name']} "
            f"({signer['member_id'] or '?'}) {when}"
            f" intact={s['intact']} trusted={s['trusted']}{extra}",
            *(f"     {problem}" for problem in s["problems"])]


def dossier_text(report: VerifyReport) -> str:
    out = [f"PROBLEM: {problem}" for problem in report.problems]
    counts = ", ".join(f"{n} {what}" for what, n in sorted(report.checked.items()))
    seal = report.seal
    if seal is not None:
        out.append("compare out of band (SHA-256 of DER):")
        out.append(f"  CA          {seal.ca_sha256 or '?'}")
        out.append(f"  seal        {seal.seal_sha256 or '?'}"
                   + (f"  (timestamped {seal.sealed_at:%Y-%m-%d %H:%M:%S} UTC)"
                      if seal.sealed_at else ""))
        if seal.head:
            out.append(f"  audit head  {seal.head[0]} {seal.head[1]}")
        for a in seal.anchors:
            out.append(f"  anchor      {a['seq']} {a['hash'][:16]}… at {a['time'] or '?'}")
    out.append(f"dossier intact: {counts}" if report.ok else
               f"dossier NOT intact: {len(report.problems)} problem(s)")
    return "\n".join(out)


def export_text(result: ExportResult) -> str:
    if getattr(result, "reused", False):
        how = ("nothing changed since the last export of these resolutions: its payload "
               "was copied from the store and checked")
    else:
        how = f"{result.rendered} rendered, {result.cached} from the cache"
    line = (f"{result.path}: {len(result.resolutions)} resolution(s), {result.files} files, "
            f"{result.octets:,} bytes; {how} ({result.workers} worker(s), "
            f"{result.seconds:.1f} s)")
    anchor = getattr(result, "anchor", "")
    return f"{line}\n{anchor}" if anchor else line


def audit_text(problems: Sequence[Problem], count: int) -> str:
    if not problems:
        return f"audit log intact: {count} events verified"
    return "\n".join(f"BROKEN: {p}" for p in problems)


def doctor_text(checks: Sequence[Check]) -> str:
    """ok, FAIL (required) or warn per check, and the fix under each that failed."""
    out = []
    for c in checks:
        mark = "ok  " if c.ok else ("FAIL" if c.required else "warn")
        out.append(f"{mark} {c.name:<24} {c.detail}")
        if not c.ok:
            out.append(f"     fix: {c.fix}")
    return "\n".join(out)


def sent_json(results: Sequence[SendResult]) -> dict[str, object]:
    failed = sum(1 for r in results if r.status != "sent")
    return {"sent": len(results) - failed, "failed": failed,
            "results": [r.__dict__ for r in results]}


def sent_text(results: Sequence[SendResult]) -> str:
    if not results:
        return "nothing to send"
    failed = [r for r in results if r.status != "sent"]
    out = [f"{len(results) - len(failed)} sent, {len(failed)} failed"]
    out += [f"  message {r.id} to {r.recipient}: {r.error}" for r in failed]
    return "\n".join(out)


def submission_json(result: SubmitResult) -> dict[str, object]:
    return {"symbol": result.symbol, "body": result.body, "submission": result.number,
            "state": result.state, "folder": str(result.folder), "zip": str(result.zip_path),
            "package_sha256": result.package_sha256, "files": result.files,
            "message": result.message, "message_status": result.message_status,
            "error": result.error, "anchor": result.anchor}


def submission_text(result: SubmitResult) -> str:
    """The new state, the package with its digest and files, and the message's fate."""
    out = [f"{result.symbol}: submission {result.number} to {result.body} → {result.state}",
           f"  package {result.zip_path} (sha256 {result.package_sha256[:16]}…)"]
    out += [f"    {f['name']}  {f['size']} bytes" for f in result.files]
    extra = f": {result.error}" if result.error else ""
    out.append(f"  message {result.message}: {result.message_status}{extra}")
    if result.anchor:
        out.append(f"  {result.anchor}")
    return "\n".join(out)
