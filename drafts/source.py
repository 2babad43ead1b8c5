"""Read and write the YAML source of a resolution.

``load()`` validates a source and returns the model together with the normalised
source text: the text as written, with generated paragraph ids (and the symbol, when the
workspace assigns one) inserted in place, comments and key order kept. Errors name the
file, the line, the field and the fix; nothing is returned half-checked.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import re
from collections.abc import Mapping
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent

from drafts.errors import SourceError
from drafts.languages import LABEL_STYLES, supported
from drafts.model import KEY_LANGUAGES, LANGUAGES, Annex, Paragraph, Resolution
from drafts.texts import MAX_TEXT_CHARS, check_text  # (re-exported)

__all__ = ["load", "dump", "with_symbol", "check_text", "MAX_SOURCE_BYTES", "MAX_TEXT_CHARS",
           "MAX_PARAGRAPHS"]

MAX_SOURCE_BYTES = 2 * 1024 * 1024
MAX_DEPTH = 3  # paragraph, item, sub-item
#: paragraphs, items and sub-items in one source, annexes included. The longest resolutions
#: of the UN General Assembly have a few hundred; the YAML parser takes about a millisecond
#: per paragraph, so a source far above this would keep every command busy for minutes.
MAX_PARAGRAPHS = 1_000
_ENTRY = re.compile(r"^[ \t]*- ", re.MULTILINE)
MAX_FLOW_DEPTH = 64  # '[' / '{' nesting; a real source uses two or three
_BRACKETS = re.compile(r"[\[\]{}]")

_TOP_KEYS = ("symbol", "body", "date", "distribution", "languages", "title",
             "preamble", "operative", "annexes")
_ANNEX_KEYS = ("id", "title", "preamble", "operative")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


class _Reader:
    """Walks the parsed YAML, validating as it goes and remembering ids."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.languages: tuple[str, ...] = ()
        self.ids: dict[str, str] = {}
        self.inserted = False
        self.count = 0  # paragraphs read so far

    def fail(self, message: str, line: int | None, field: str, fix: str | None = None) -> None:
        raise SourceError(message, file=self.file, line=line, field=field, fix=fix)

    # -- helpers -----------------------------------------------------------------
    @staticmethod
    def key_line(node: Any, key: Any) -> int | None:
        try:
            return int(node.lc.key(key)[0]) + 1
        except Exception:
            return getattr(getattr(node, "lc", None), "line", -1) + 1 or None

    @staticmethod
    def item_line(node: Any, index: int) -> int | None:
        try:
            return int(node.lc.item(index)[0]) + 1
        except Exception:
            return None

    def text(self, value: Any, line: int | None, field: str) -> str:
        return check_text(value, field, self.file, line)

    def texts(self, node: Any, line: int | None, field: str) -> dict[str, str]:
        if not isinstance(node, Mapping):
            self.fail("expected one text per language (ru: …, zh: …, en: …)", line, field)
        out: dict[str, str] = {}
        for key, value in node.items():
            key_line = self.key_line(node, key)
            lang = self.check_lang(key, key_line, f"{field}.{key}")
            out[lang] = self.text(value, key_line, f"{field}.{key}")
        return out

    def check_lang(self, key: Any, line: int | None, field: str) -> str:
        """The language a text key names (``ind`` → ``id``), refused when unknown or not
        one of the resolution's languages."""
        key = KEY_LANGUAGES.get(str(key), key)
        if key not in LANGUAGES:
            self.fail(f"unknown language {key!r}", line, field,
                      f"use one of the supported languages: {supported()}")
        if key not in self.languages:
            self.fail(f"language {key!r} is not in 'languages' ({', '.join(self.languages)})",
                      line, field, f"add {key} to 'languages' or remove this text")
        return str(key)

    def assign_id(self, node: CommentedMap, prefix: str, seed: str, line: int | None,
                  field: str) -> str:
        raw = node.get("id")
        if raw is not None:
            if not isinstance(raw, str) or not _ID.match(raw):
                hint = ("; an Indonesian text is written under 'ind:' ('id:' is the "
                        "paragraph's id)" if "id" in self.languages else "")
                self.fail(f"invalid id {raw!r}", self.key_line(node, "id"), f"{field}.id",
                          "ids start with a letter and use letters, digits, '-', '_' or '.'"
                          + hint)
            if raw in self.ids:
                self.fail(f"duplicate id {raw!r} (also at {self.ids[raw]})",
                          self.key_line(node, "id"), f"{field}.id",
                          "give each paragraph its own id, or delete the id to have one generated")
            self.ids[raw] = field
            return str(raw)
        digest = hashlib.sha1(f"{prefix}\n{seed}".encode("utf-8")).hexdigest()
        candidate = f"{prefix}-{digest[:6]}"
        n = 2
        while candidate in self.ids:
            candidate = f"{prefix}-{digest[:6]}-{n}"
            n += 1
        self.ids[candidate] = field
        node.insert(0, "id", candidate)
        self.inserted = True
        return candidate

    # -- structure ---------------------------------------------------------------
    def paragraphs(self, seq: Any, line: int | None, field: str, prefix: str,
                   depth: int) -> tuple[Paragraph, ...]:
        if seq is None:
            return ()
        if not isinstance(seq, list):
            self.fail("expected a list of paragraphs", line, field,
                      "start each paragraph with '- ' on its own line")
        if depth > MAX_DEPTH:
            self.fail(f"items nested {depth} levels deep", line, field,
                      "use at most paragraphs, items and sub-items (three levels)")
        result = []
        style = ""  # the label style of this list, from its first item that names one
        for index, node in enumerate(seq):
            item_field = f"{field}[{index}]"
            item_line = self.item_line(seq, index) or line
            if not isinstance(node, CommentedMap):
                self.fail("expected a paragraph with one text per language", item_line,
                          item_field, "write e.g. '- en: …' followed by 'ru: …' and 'zh: …'")
            texts: dict[str, str] = {}
            items: tuple[Paragraph, ...] = ()
            for key in list(node.keys()):
                key_line = self.key_line(node, key)
                if key == "id":
                    continue
                if key == "label":
                    style = self.label(node[key], style, depth, key_line, item_field, index)
                    continue
                if key == "items":
                    items = self.paragraphs(node[key], key_line, f"{item_field}.items",
                                            "it", depth + 1)
                    continue
                lang = self.check_lang(key, key_line, f"{item_field}.{key}")
                texts[lang] = self.text(node[key], key_line, f"{item_field}.{key}")
            if not texts and not items:
                self.fail("empty paragraph", item_line, item_field,
                          "write its text in each language or delete it")
            self.count += 1
            if self.count > MAX_PARAGRAPHS:
                self.fail(f"more than {MAX_PARAGRAPHS:,} paragraphs", item_line, item_field,
                          _TOO_MANY)
            seed = next((texts[lang] for lang in self.languages if texts.get(lang)), "")
            seed = seed or field + str(index)
            pid = self.assign_id(node, prefix, seed, item_line, item_field)
            result.append(Paragraph(pid, texts, items, style))
        return tuple(result)

    def label(self, value: Any, style: str, depth: int, line: int | None, field: str,
              index: int) -> str:
        """The label style an item names (``label: roman``), checked against its list."""
        if depth < 2:
            self.fail("'label' is for items and sub-items", line, f"{field}.label",
                      "operative paragraphs are numbered 1., 2.; give 'label' to the items "
                      "whose style you keep, e.g. 'label: roman' for (i), (ii)")
        if value not in LABEL_STYLES:
            self.fail(f"unknown label style {value!r}", line, f"{field}.label",
                      f"use one of {', '.join(LABEL_STYLES)} ((a), (i) or (1))")
        if style and value != style:
            self.fail(f"label style {value!r} differs from the list's {style!r}", line,
                      f"{field}.label", "the items of one paragraph are labelled alike; "
                      f"write 'label: {style}' or drop the key here")
        if not style and index > 0:
            self.fail(f"label style {value!r} set on item {index + 1} but not on the first",
                      line, f"{field}.label", "put 'label:' on the first item of the list "
                      "(it applies to them all)")
        return str(value)

    def annexes(self, seq: Any, line: int | None) -> tuple[Annex, ...]:
        if seq is None:
            return ()
        if not isinstance(seq, list):
            self.fail("expected a list of annexes", line, "annexes")
        result = []
        for index, node in enumerate(seq):
            field = f"annexes[{index}]"
            item_line = self.item_line(seq, index) or line
            if not isinstance(node, CommentedMap):
                self.fail("expected an annex with a title and paragraphs", item_line, field)
            for key in node:
                if key not in _ANNEX_KEYS:
                    self.fail(f"unknown key {key!r}", self.key_line(node, key), f"{field}.{key}",
                              f"an annex has {', '.join(_ANNEX_KEYS)}")
            if "title" not in node:
                self.fail("annex without a title", item_line, field,
                          "add 'title: {en: …, ru: …, zh: …}'")
            title = self.texts(node["title"], self.key_line(node, "title"), f"{field}.title")
            seed = next((title[lang] for lang in self.languages if title.get(lang)), str(index))
            aid = self.assign_id(node, "annex", seed, item_line, field)
            preamble = self.paragraphs(node.get("preamble"), self.key_line(node, "preamble"),
                                       f"{field}.preamble", "pp", 1)
            operative = self.paragraphs(node.get("operative"), self.key_line(node, "operative"),
                                        f"{field}.operative", "op", 1)
            result.append(Annex(aid, title, preamble, operative))
        return tuple(result)

    def resolution(self, root: Any) -> Resolution:
        if not isinstance(root, CommentedMap):
            self.fail("a resolution source is a mapping (symbol, body, languages, title, "
                      "preamble, operative, annexes)", 1, "(top)")
        for key in root:
            if key not in _TOP_KEYS:
                self.fail(f"unknown key {key!r}", self.key_line(root, key), str(key),
                          f"the keys are {', '.join(_TOP_KEYS)}")
        for required in ("body", "languages", "title"):
            if required not in root:
                self.fail(f"missing {required!r}", 1, required,
                          f"add '{required}:' at the top level")
        langs = root["languages"]
        line = self.key_line(root, "languages")
        if not isinstance(langs, list) or not langs:
            self.fail("expected a list of language codes", line, "languages",
                      "write e.g. 'languages: [ru, zh, en]'")
        langs = [KEY_LANGUAGES.get(str(lang), lang) for lang in langs]
        for lang in langs:
            if lang not in LANGUAGES:
                self.fail(f"unknown language {lang!r}", line, "languages",
                          f"use one of the supported languages: {supported()}")
        if len(set(langs)) != len(langs):
            self.fail("a language is listed twice", line, "languages")
        self.languages = tuple(str(x) for x in langs)
        body = root["body"]
        if not isinstance(body, str) or not re.match(r"^[a-z0-9][a-z0-9-]{0,63}$", body):
            self.fail(f"invalid body code {body!r}", self.key_line(root, "body"), "body",
                      "use a body code from 'resolutions body list'")
        symbol = root.get("symbol")
        if symbol is not None:
            symbol = self.text(symbol, self.key_line(root, "symbol"), "symbol")
            if not re.match(r"^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$", symbol) or ".." in symbol:
                self.fail(f"invalid symbol {symbol!r}", self.key_line(root, "symbol"), "symbol",
                          "use letters, digits and '/', '.', '-', e.g. RCWG/RES/2024/1")
        date = root.get("date")
        if isinstance(date, _dt.datetime):
            self.fail(f"the date {date} has a time of day", self.key_line(root, "date"), "date",
                      "write the date alone, as YYYY-MM-DD")
        if isinstance(date, _dt.date):
            date = date.isoformat()
        elif date is not None:
            try:
                date = _dt.date.fromisoformat(str(date)).isoformat()
            except ValueError:
                self.fail(f"invalid date {date!r}", self.key_line(root, "date"), "date",
                          "write the date as YYYY-MM-DD")
        distribution = root.get("distribution")
        if distribution is not None:
            distribution = self.text(distribution, self.key_line(root, "distribution"),
                                     "distribution")
        title = self.texts(root["title"], self.key_line(root, "title"), "title")
        preamble = self.paragraphs(root.get("preamble"), self.key_line(root, "preamble"),
                                   "preamble", "pp", 1)
        operative = self.paragraphs(root.get("operative"), self.key_line(root, "operative"),
                                    "operative", "op", 1)
        annexes = self.annexes(root.get("annexes"), self.key_line(root, "annexes"))
        return Resolution(body=body, languages=self.languages, title=title, preamble=preamble,
                          operative=operative, annexes=annexes, symbol=symbol, date=date,
                          distribution=distribution)


_TOO_MANY = ("split it into several resolutions (an annex can become a resolution of its "
             "own)")


def _too_many_paragraphs(text: str, file: str) -> None:
    """Refuse a source with far more block-list entries than paragraphs allowed, before the
    parser spends minutes on it (the exact count is taken while reading the tree)."""
    entries = len(_ENTRY.findall(text))
    if entries > MAX_PARAGRAPHS + 64:  # the languages may be a block list too
        raise SourceError(f"more than {MAX_PARAGRAPHS:,} paragraphs ({entries:,} list "
                          "entries)", file=file, line=None, fix=_TOO_MANY)


def _flow_depth(text: str) -> int:
    """The deepest run of unclosed '[' / '{' (quotes ignored: an over-estimate)."""
    depth = peak = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        peak = max(peak, depth)
    return peak


def _parse(text: str, file: str) -> Any:
    if len(text.encode("utf-8")) > MAX_SOURCE_BYTES:
        raise SourceError(f"source is larger than {MAX_SOURCE_BYTES // 1024 // 1024} MiB",
                          file=file, line=1, fix="split annexes into separate resolutions")
    _too_many_paragraphs(text, file)
    if _flow_depth(text) > MAX_FLOW_DEPTH:  # ruamel takes seconds per thousand '[' levels
        raise SourceError("YAML nested too deeply", file=file, line=None,
                          fix="use at most paragraphs, items and sub-items")
    yaml = _yaml()
    try:
        # An alias needs an anchor ('&'); without one a text that loads has no alias, so
        # the event scan (as costly as the load itself) runs only when it could find one.
        if "&" not in text:
            try:
                return yaml.load(text)
            except (YAMLError, RecursionError):
                yaml = _yaml()
        for event in yaml.parse(io.StringIO(text)):
            if isinstance(event, AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else None
                raise SourceError("YAML aliases (*name) are not allowed", file=file, line=line,
                                  fix="write the text out in full")
        return yaml.load(text)
    except SourceError:
        raise
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "malformed YAML").strip()
        raise SourceError(f"malformed YAML: {problem}", file=file, line=line,
                          fix="check the indentation and quoting on that line") from None
    except YAMLError as exc:
        raise SourceError("malformed YAML: " + " ".join(str(exc).split()), file=file,
                          line=None) from None
    except RecursionError:
        raise SourceError("YAML nested too deeply", file=file, line=None,
                          fix="use at most paragraphs, items and sub-items") from None
    except TypeError:  # a list or a mapping written as a key ("? - a"): it cannot be hashed
        raise SourceError("malformed YAML: a key is a list or a mapping", file=file, line=None,
                          fix="write each key as a plain word, such as 'ru:' or 'text:'") from None


def load(text: str, file: str = "<source>", *, symbol: str | None = None
         ) -> tuple[Resolution, str]:
    """Validate a source; return the model and the normalised source text.

    When ``symbol`` is given and the source has none, it is inserted at the top.
    """
    return Source(text, file).stored(symbol)


_PLAIN_SYMBOL = re.compile(r"[A-Za-z0-9][A-Za-z0-9/._-]*")
_TOP_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*:(?: |$)", re.MULTILINE)


class Source:
    """A source parsed and validated once: its model, and the text to store (with a
    symbol inserted when asked) without parsing it again."""

    def __init__(self, text: str, file: str = "<source>") -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.text = text
        self.root = _parse(text, file)
        reader = _Reader(file)
        self.model = reader.resolution(self.root)
        self.changed = reader.inserted  # ids were assigned: the text must be rewritten

    def stored(self, symbol: str | None = None) -> tuple[Resolution, str]:
        """The model and the text to store (the tree takes the symbol in place)."""
        resolution = self.model
        if not (symbol and not resolution.symbol):
            if not self.changed:
                return resolution, self.text
        else:
            resolution = resolution.with_symbol(symbol)
            if not self.changed and "symbol" not in self.root:
                inserted = _insert_symbol(self.text, symbol)
                if inserted is not None:
                    return resolution, inserted
            if "symbol" not in self.root:
                self.root.insert(0, "symbol", symbol)
        out = io.StringIO()
        _yaml().dump(self.root, out)
        return resolution, out.getvalue()

    def stored_as(self, text: str, symbol: str | None = None) -> tuple[Resolution, str] | None:
        """What ``Source(text).stored(symbol)`` gives, without parsing ``text``: it must be
        this source without comment lines before its first key (the base line of an edit).
        None when the result is written out from the tree (ids were assigned, the symbol
        cannot go in as a line), which holds those comments: parse ``text`` then."""
        if text.startswith("\ufeff"):
            text = text[1:]
        if self.changed:
            return None
        if not (symbol and not self.model.symbol):
            return self.model, text
        if "symbol" in self.root:
            return None
        inserted = _insert_symbol(text, symbol)
        return None if inserted is None else (self.model.with_symbol(symbol), inserted)


def _insert_symbol(text: str, symbol: str) -> str | None:
    """``symbol: …`` as the first key of a block-mapping source, as the round-trip dump
    writes it (after the leading comments), the rest kept byte for byte; None when the
    text starts otherwise (a directive, '---', a flow mapping) or the symbol needs quotes."""
    if not _PLAIN_SYMBOL.fullmatch(symbol) or "\r" in text:
        return None
    first = _TOP_KEY.search(text)
    if first is None:
        return None
    if any(line.strip() and not line.lstrip().startswith("#")
           for line in text[:first.start()].splitlines()):
        return None
    return f"{text[:first.start()]}symbol: {symbol}\n{text[first.start():]}"


def dump(resolution: Resolution) -> str:
    """YAML source for a model (used for generated versions and new resolutions)."""
    out = io.StringIO()
    _yaml().dump(_commented(resolution.to_data()), out)
    return out.getvalue()


def with_symbol(text: str, symbol: str, file: str = "<source>") -> tuple[Resolution, str]:
    """Set (or replace) the symbol of a source, keeping everything else as written."""
    root = _parse(text, file)
    if isinstance(root, CommentedMap):
        if "symbol" in root:
            root["symbol"] = symbol
        else:
            root.insert(0, "symbol", symbol)
    out = io.StringIO()
    _yaml().dump(root, out)
    return load(out.getvalue(), file)


def _commented(value: Any) -> Any:
    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _commented(item)
        return node
    if isinstance(value, list):
        return CommentedSeq(_commented(item) for item in value)
    return value
