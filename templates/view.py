"""The frozen view object every template is filled from, built in one place.

``build_view()`` turns a resolution (``drafts.Resolution``) and plain facts supplied by the
workflow (body names, version, reviewer, stale paragraphs, approvals, comments, …) into a
``DocumentView``: every label numbered, every opener split off, every date localised.
Templates only print what is here; they make no decision and run no query.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from drafts.diff import ParagraphChange, Segment, compare
from drafts.markup import plain, split_opener
from drafts.model import SECTION_PREAMBLE, Located, Resolution
from drafts.numbering import annex_heading, label, ref
from templates.labels import labels_for
from templates.people import EnclosureView

__all__ = [
    "STAGES",
    "BodyView",
    "ParagraphView",
    "AnnexView",
    "SignatoryView",
    "ApprovalView",
    "CommentView",
    "EventView",
    "WaiverView",
    "DocumentView",
    "build_view",
    "format_date",
]

#: Stages a document can be rendered for (DESIGN.md, "Documents per stage").
STAGES = (
    "draft",        # draft text, DRAFT watermark, version + short hash in the footer
    "review",       # per-reviewer review copy: name watermark, line numbers, destinations
    "comment-form", # DOCX comment form (ISO-style table), pre-filled with refs
    "matrix",       # comments-resolution matrix
    "redline",      # changes between two versions
    "final",        # clean approved text with the signature page
    "approval",     # approval record
    "cover-letter", # transmittal to the body
    "certificate",  # certificate of completion (events, signers, fingerprints)
    "audit-report", # audit log report
    "index",        # dossier index
)


@dataclass(frozen=True)
class BodyView:
    """The BRICS body a resolution is addressed to."""

    code: str
    names: Mapping[str, str]          # lang -> "Higher Council of BRICS"
    enacting: Mapping[str, str]       # lang -> "The Higher Council of BRICS,"
    address: str = ""
    dative: Mapping[str, str] = field(default_factory=dict)  # "Высшему совету БРИКС"
    latin_names: bool = False         # names of people also in their Latin form
    ru_lower_openers: bool = False    # UN convention: "1. призывает…" continues the formula

    def to(self, lang: str) -> str:
        """The body as the object of "transmit to": the dative where the language has one."""
        if self.dative.get(lang):
            return self.dative[lang]
        name = self.names.get(lang) or self.names.get("en") or self.code
        return f"the {name}" if lang == "en" else name


@dataclass(frozen=True)
class ParagraphView:
    id: str
    ref: str                           # language-neutral: "OP 3(b)"
    section: str                       # "preamble" | "operative"
    depth: int                         # 0 paragraph, 1 item, 2 sub-item
    annex: int | None
    labels: Mapping[str, str]          # lang -> "1." / "(a)" / "а)" / ""
    openers: Mapping[str, str]         # lang -> emphasised opening phrase ("" if none)
    rests: Mapping[str, str]           # lang -> the text after the opener
    texts: Mapping[str, str]           # lang -> the whole text, markers removed
    stale: frozenset[str] = frozenset()    # languages whose text is stale
    missing: frozenset[str] = frozenset()  # authentic languages with no text
    changes: Mapping[str, tuple[Segment, ...]] = field(default_factory=dict)  # redline
    status: str = ""                   # redline: added | removed | changed | moved | ""


@dataclass(frozen=True)
class AnnexView:
    id: str
    headings: Mapping[str, str]        # lang -> "Annex" / "Приложение" / "附件"
    titles: Mapping[str, str]
    paragraphs: tuple[ParagraphView, ...]


@dataclass(frozen=True)
class SignatoryView:
    """A signature slot; its anchor ``sig-<member_id>`` becomes a PDF named destination."""

    member_id: str
    names: Mapping[str, str]           # lang -> name as written in that language
    organisation: str
    delegation: str
    role: str = ""

    @property
    def anchor(self) -> str:
        return f"sig-{self.member_id}"


@dataclass(frozen=True)
class ApprovalView:
    member_id: str
    name: str
    delegation: str
    decision: str                      # "approved" | "objected"
    at: str                            # ISO timestamp
    note: str = ""
    signed_statement: str = ""         # fingerprint/hash of the signed statement, if any


@dataclass(frozen=True)
class CommentView:
    id: str
    ref: str                           # ref in the version shown
    original_ref: str                  # ref in the circulated version
    author: str
    delegation: str
    type: str                          # ge | te | ed
    text: str
    proposal: str = ""
    disposition: str = ""              # accepted | rejected | partial | ""
    note: str = ""
    orphaned: bool = False
    round: int = 0                     # the review round it was made in (review copies)


@dataclass(frozen=True)
class WaiverView:
    """A parity finding set aside (``check --accept``): where, which rule, who and why;
    ``holds`` is false once the paragraph changed (the finding stands again)."""

    finding: str
    ref: str
    rule: str
    languages: tuple[str, ...]
    by: str
    reason: str
    at: str
    version: int
    holds: bool = True


@dataclass(frozen=True)
class EventView:
    seq: int
    at: str
    actor: str
    action: str
    detail: str
    hash: str


@dataclass(frozen=True)
class DocumentView:
    stage: str
    layout: str                        # "single" | "parallel"
    languages: tuple[str, ...]         # languages shown, in column order
    authentic: tuple[str, ...]         # the resolution's authentic languages
    symbol: str
    version: int
    content_hash: str
    date: _dt.date
    dates: Mapping[str, str]           # lang -> "26 сентября 2024 г."
    distribution: str
    body: BodyView
    working_group: Mapping[str, str]   # lang -> working group name
    title: Mapping[str, str]
    preamble: tuple[ParagraphView, ...]
    operative: tuple[ParagraphView, ...]
    annexes: tuple[AnnexView, ...]
    watermark: str = ""
    reviewer: str = ""
    reviewer_id: str = ""
    signatories: tuple[SignatoryView, ...] = ()
    approvals: tuple[ApprovalView, ...] = ()
    comments: tuple[CommentView, ...] = ()
    events: tuple[EventView, ...] = ()
    waivers: tuple[WaiverView, ...] = ()        # matrix, index: findings set aside
    enclosures: tuple[EnclosureView, ...] = ()  # cover letter: the files sent with it
    people: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # id -> names
    previous_version: int | None = None
    extra: Mapping[str, str] = field(default_factory=dict)  # stage-specific facts (cover letter)

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]

    def paragraphs(self) -> tuple[ParagraphView, ...]:
        """Every paragraph of the main text and the annexes, in order."""
        out = list(self.preamble) + list(self.operative)
        for annex in self.annexes:
            out.extend(annex.paragraphs)
        return tuple(out)

    @property
    def form_ids(self) -> Mapping[str, str]:
        """The hidden identity a comment form carries (checked on import)."""
        ids = {"symbol": self.symbol, "version": str(self.version),
               "content_hash": self.content_hash, "reviewer": self.reviewer_id}
        for key in ("round", "token"):  # the binding to the reviewer (see workflow/store/tokens)
            if self.extra.get(f"form_{key}"):
                ids[key] = self.extra[f"form_{key}"]
        return ids


#: Months as the United Nations' Arabic texts write them: the Levantine and the Egyptian
#: name together ("26 أيلول/سبتمبر 2024").
UN_ARABIC_MONTHS = ("كانون الثاني/يناير", "شباط/فبراير", "آذار/مارس", "نيسان/أبريل",
                    "أيار/مايو", "حزيران/يونيه", "تموز/يوليه", "آب/أغسطس", "أيلول/سبتمبر",
                    "تشرين الأول/أكتوبر", "تشرين الثاني/نوفمبر", "كانون الأول/ديسمبر")


def format_date(day: _dt.date, lang: str) -> str:
    """A date as written in a resolution of that language (Babel, in the language's
    locale: ``26 сентября 2024 г.``, ``2024年9月26日``, ``26 de setembro de 2024``), with
    the United Nations' Arabic month names and Persian digits."""
    from babel.dates import format_date as babel_format

    from drafts.languages import REGISTRY, to_digits

    if lang == "ru":
        return babel_format(day, format="d MMMM y", locale="ru") + " г."
    if lang == "ar":
        return f"{day.day} {UN_ARABIC_MONTHS[day.month - 1]} {day.year}"
    spec = REGISTRY.get(lang)
    if spec is None:
        return day.isoformat()
    text = babel_format(day, format="long", locale=spec.locale)
    if spec.digits != "0123456789":
        text = "".join(to_digits(int(ch), lang) if ch.isascii() and ch.isdigit() else ch
                       for ch in text)
    return text


def _lower_first(text: str) -> str:
    """"Призывает" → "призывает"; an acronym ("БРИКС", "ООН") stays as it is."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _paragraph_view(resolution: Resolution, loc: Located, languages: Sequence[str],
                    stale: Mapping[str, frozenset[str]],
                    lower_ru: bool = False) -> ParagraphView:
    """``lower_ru``: the UN convention that a Russian opener continues the body's opening
    line in lower case ("Высший совет БРИКС, … 1. призывает …")."""
    par = loc.paragraph
    openers, rests, texts, labels = {}, {}, {}, {}
    for lang in languages:
        raw = par.text(lang)
        opener, rest = split_opener(raw)
        text = plain(raw)
        if lower_ru and lang == "ru" and opener:
            lowered = _lower_first(opener)
            if text.startswith(opener):
                text = lowered + text[len(opener):]
            opener = lowered
        openers[lang], rests[lang], texts[lang] = opener, rest, text
        labels[lang] = label(resolution, loc, lang)
    missing = frozenset(lang for lang in resolution.languages if not par.text(lang))
    return ParagraphView(
        id=par.id, ref=ref(loc, resolution), section=loc.section, depth=loc.depth, annex=loc.annex,
        labels=labels, openers=openers, rests=rests, texts=texts,
        stale=frozenset(stale.get(par.id, frozenset())), missing=missing,
    )


def build_view(
    resolution: Resolution,
    *,
    stage: str,
    version: int,
    body: BodyView,
    date: _dt.date,
    languages: Sequence[str] | None = None,
    layout: str | None = None,
    working_group: Mapping[str, str] | None = None,
    reviewer: str = "",
    reviewer_id: str = "",
    stale: Mapping[str, frozenset[str]] | None = None,
    signatories: Sequence[SignatoryView] = (),
    approvals: Sequence[ApprovalView] = (),
    comments: Sequence[CommentView] = (),
    events: Sequence[EventView] = (),
    waivers: Sequence[WaiverView] = (),
    enclosures: Sequence[EnclosureView] = (),
    people: Mapping[str, Mapping[str, str]] | None = None,
    previous: Resolution | None = None,
    previous_version: int | None = None,
    extra: Mapping[str, str] | None = None,
) -> DocumentView:
    """The one place a document's view is built. ``previous`` makes a redline view."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}; stages are {', '.join(STAGES)}")
    langs = tuple(languages or resolution.languages)
    chosen_layout = layout or ("parallel" if len(langs) > 1 else "single")
    preamble, operative, annexes = _body_views(resolution, previous, langs, stale or {},
                                               body.ru_lower_openers)
    watermark = _watermark(stage, langs, reviewer)
    return DocumentView(
        stage=stage, layout=chosen_layout, languages=langs, authentic=resolution.languages,
        symbol=resolution.symbol or "", version=version,
        content_hash=resolution.content_hash(), date=date,
        dates={lang: format_date(date, lang) for lang in langs},
        distribution=resolution.distribution or "General",
        body=body, working_group=dict(working_group or {}),
        title={lang: resolution.title.get(lang, "") for lang in langs},
        preamble=preamble, operative=operative, annexes=tuple(annexes),
        watermark=watermark, reviewer=reviewer, reviewer_id=reviewer_id,
        signatories=tuple(signatories), approvals=tuple(approvals),
        comments=tuple(comments), events=tuple(events), waivers=tuple(waivers),
        enclosures=tuple(enclosures),
        people=dict(people or {}),
        previous_version=previous_version, extra=dict(extra or {}),
    )


_Body = tuple[tuple[ParagraphView, ...], tuple[ParagraphView, ...], list[AnnexView]]


def _body_views(resolution: Resolution, previous: Resolution | None, langs: Sequence[str],
                stale: Mapping[str, frozenset[str]], ru_lower_openers: bool) -> _Body:
    """The preamble, operative part and annexes in ``langs``; against ``previous`` each
    paragraph carries its change and removed paragraphs are shown where they were."""
    changes = {c.id: c for c in compare(previous, resolution)} if previous else {}

    def views(locs: list[Located]) -> tuple[ParagraphView, ...]:
        out = []
        for loc in locs:
            view = _paragraph_view(resolution, loc, langs, stale, ru_lower_openers)
            change = changes.get(loc.paragraph.id)
            if change:
                view = _with_change(view, change.status, change.segments)
            out.append(view)
        return tuple(out)

    main = [loc for loc in resolution.walk() if loc.annex is None]
    preamble = views([loc for loc in main if loc.section == SECTION_PREAMBLE])
    operative = views([loc for loc in main if loc.section != SECTION_PREAMBLE])
    annexes = []
    for index, annex in enumerate(resolution.annexes):
        locs = [loc for loc in resolution.walk() if loc.annex == index]
        annexes.append(AnnexView(
            id=annex.id,
            headings={lang: annex_heading(index, len(resolution.annexes), lang) for lang in langs},
            titles={lang: annex.title.get(lang, "") for lang in langs},
            paragraphs=views(locs),
        ))
    if previous is None:
        return preamble, operative, annexes
    removed = [c for c in changes.values() if c.status == "removed"]
    return _with_removed(previous, removed, langs, preamble, operative, annexes)


def _watermark(stage: str, langs: Sequence[str], reviewer: str) -> str:
    """A draft says so in each language shown, one line each; a review copy names its
    reviewer; other stages carry none."""
    draft_words = "\n".join(dict.fromkeys(labels_for(lang)["watermark_draft"]
                                          for lang in langs))
    return {"draft": draft_words, "review": reviewer}.get(stage, "")


def _with_change(view: ParagraphView, status: str,
                 segments: Mapping[str, tuple[Segment, ...]]) -> ParagraphView:
    from dataclasses import replace

    return replace(view, status=status, changes=dict(segments))


def _with_removed(previous: Resolution, removed: list[ParagraphChange], langs: Sequence[str],
                  preamble: tuple[ParagraphView, ...], operative: tuple[ParagraphView, ...],
                  annexes: list[AnnexView]) -> tuple[tuple[ParagraphView, ...],
                                                     tuple[ParagraphView, ...], list[AnnexView]]:
    """Put paragraphs the new version removed back where they stood, struck through.

    Annexes are matched by id; an annex removed as a whole comes back as a struck-through
    annex at the end, so the redline never hides a deletion."""
    from dataclasses import replace

    if not removed:
        return preamble, operative, annexes
    lists: dict[tuple[str | None, str], list[ParagraphView]] = {
        (None, "preamble"): list(preamble), (None, "operative"): list(operative)}
    for annex in annexes:
        lists[(annex.id, "annex")] = list(annex.paragraphs)
    gone_annexes: list[AnnexView] = []
    for index, old_annex in enumerate(previous.annexes):
        if (old_annex.id, "annex") not in lists:
            lists[(old_annex.id, "annex")] = []
            count = len(previous.annexes)
            gone_annexes.append(AnnexView(
                id=old_annex.id,
                headings={lang: annex_heading(index, count, lang) for lang in langs},
                titles={lang: old_annex.title.get(lang, "") for lang in langs},
                paragraphs=()))
    old_order = list(previous.walk())
    gone = {c.id: c for c in removed}
    for position, loc in enumerate(old_order):
        change = gone.get(loc.paragraph.id)
        if change is None:
            continue
        annex_id = previous.annexes[loc.annex].id if loc.annex is not None else None
        key = (annex_id, "annex") if annex_id is not None else (None, loc.section)
        target = lists[key]
        view = replace(_paragraph_view(previous, loc, langs, {}), status="removed",
                       changes=dict(change.segments), missing=frozenset())
        where = 0
        for earlier in reversed(old_order[:position]):
            ids = [v.id for v in target]
            if earlier.paragraph.id in ids:
                where = ids.index(earlier.paragraph.id) + 1
                break
        target.insert(where, view)
    new_annexes = [replace(annex, paragraphs=tuple(lists[(annex.id, "annex")]))
                   for annex in [*annexes, *gone_annexes]]
    return (tuple(lists[(None, "preamble")]), tuple(lists[(None, "operative")]), new_annexes)
