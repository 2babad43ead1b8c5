"""False positives of the parity check on aligned official-style texts, per rule.

The corpus is ``tests/drafts/corpus_official/``: ``calibration/`` and ``holdout/`` hold
resolutions whose every unit (title, paragraph, item) says the same thing in every
language, so any finding there is a false positive; ``seeded/`` holds the real mismatches
listed in ``seeded.toml``, each of which must be found by its rule, naming its languages.

For each rule the script prints how many units it raised a finding on (false positives)
out of the units checked, per part of the corpus, and which seeded mismatches were found.
It runs against whatever code is checked out (``git stash`` or a worktree of an older
commit gives the figures before a change).

    python bench/parity_corpus.py [--json] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "drafts" / "corpus_official"
PARTS = ("calibration", "holdout")
#: the parts shown in the table (the seeded files' other units last)
SHOWN = (*PARTS, "seeded")


def _load(path: Path) -> Any:
    from drafts.source import load

    return load(path.read_text(encoding="utf-8"), str(path))[0]


def _units(resolution: Any) -> int:
    from drafts.parity.core import units

    langs = resolution.languages
    return sum(1 for u in units(resolution) if any(u.has_text(lang) for lang in langs))


def measure(corpus: Path = CORPUS) -> dict[str, Any]:
    """Figures per part (units, files refused, false positives per rule) and the seeds."""
    from drafts.errors import DraftError
    from drafts.parity.rules import RULES, check

    out: dict[str, Any] = {"rules": list(RULES), "parts": {}, "seeds": []}
    for part in PARTS:
        units, refused, fps = 0, [], Counter()
        examples: list[str] = []
        languages: set[str] = set()
        for path in sorted((corpus / part).glob("*.yaml")):
            try:
                resolution = _load(path)
            except DraftError as exc:
                refused.append(f"{path.name}: {str(exc).splitlines()[0][:120]}")
                continue
            languages.update(resolution.languages)
            units += _units(resolution)
            flagged: set[tuple[str, str]] = set()
            for finding in check(resolution):
                if (finding.paragraph_id, finding.rule) in flagged:
                    continue
                flagged.add((finding.paragraph_id, finding.rule))
                fps[finding.rule] += 1
                examples.append(f"{path.name} {finding.ref} {finding.rule}: "
                                f"{finding.message[:140]}")
        out["parts"][part] = {"units": units, "refused": refused,
                              "languages": sorted(languages),
                              "false_positives": {r: fps[r] for r in RULES},
                              "total": sum(fps.values()), "examples": examples}
    seeds = tomllib.loads((corpus / "seeded.toml").read_text("utf-8"))["seed"]
    cache: dict[str, Any] = {}
    for seed in seeds:
        path = corpus / "seeded" / seed["file"]
        if seed["file"] not in cache:
            try:
                cache[seed["file"]] = check(_load(path))
            except DraftError as exc:
                cache[seed["file"]] = exc
        got = cache[seed["file"]]
        found = (not isinstance(got, Exception)) and any(
            f.ref == seed["ref"] and f.rule == seed["rule"]
            and list(f.languages)[:len(seed["languages"])] == seed["languages"]
            for f in got)
        out["seeds"].append({**seed, "found": found})
    # the seeded files' other units are equivalent: a finding there is a false positive too
    seeded = {(s["file"], s["ref"], s["rule"]) for s in seeds}
    units, fps, examples = 0, Counter(), []
    for name, got in sorted(cache.items()):
        if isinstance(got, Exception):
            continue
        units += _units(_load(corpus / "seeded" / name))
        for finding in got:
            if (name, finding.ref, finding.rule) not in seeded:
                fps[finding.rule] += 1
                examples.append(f"{name} {finding.ref} {finding.rule}: {finding.message[:140]}")
    seed_units = units - len(seeds)
    out["parts"]["seeded"] = {"units": seed_units, "refused": [], "languages": [],
                              "false_positives": {r: fps[r] for r in RULES},
                              "total": sum(fps.values()), "examples": examples}
    return out


def markdown(figures: dict[str, Any]) -> str:
    parts = [p for p in SHOWN if figures["parts"].get(p)]
    head = "| rule | " + " | ".join(f"{p} FP (of {figures['parts'][p]['units']} units)"
                                      for p in parts) + " |"
    lines = [head, "| --- |" + " ---: |" * len(parts)]
    for rule in figures["rules"]:
        cells = []
        for p in parts:
            n = figures["parts"][p]["false_positives"][rule]
            units = figures["parts"][p]["units"] or 1
            cells.append(f"{n} ({100 * n / units:.1f} %)")
        lines.append(f"| `{rule}` | " + " | ".join(cells) + " |")
    totals = [f"**{figures['parts'][p]['total']}**" for p in parts]
    lines.append("| all rules | " + " | ".join(totals) + " |")
    found = sum(1 for s in figures["seeds"] if s["found"])
    lines.append("")
    lines.append(f"Seeded real mismatches found: {found} of {len(figures['seeds'])}.")
    for p in parts:
        for line in figures["parts"][p]["refused"]:
            lines.append(f"- {p}: refused {line}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--examples", action="store_true", help="list each false positive")
    args = parser.parse_args()
    figures = measure(args.corpus)
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    print(markdown(figures), end="")
    for seed in figures["seeds"]:
        mark = "found" if seed["found"] else "MISSED"
        print(f"  {mark:6} {seed['file']} {seed['ref']} {seed['rule']}: {seed['why']}")
    if args.examples:
        for part in SHOWN:
            for line in figures["parts"].get(part, {}).get("examples", []):
                print(f"  {part}: {line}")


if __name__ == "__main__":
    main()
