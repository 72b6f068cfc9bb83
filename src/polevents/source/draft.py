"""Assisted drafting: proposals for a new source's facts, found by rules in its sentences.

``polevents source add FILE --draft`` appends these to the new ``facts.ttl`` as commented Turtle
(lines starting with ``# ``, prose with ``## ``): the editor accepts one by removing the ``# ``
of its lines, corrects it, and deletes the rest.  Every proposal cites its sentence (``s:N``).

* **Name mentions** — runs of capitalised words (initials, ``of``/``of the`` inside an
  organisation's name, all-capital datelines; titles such as ``Mr.`` and possessives left out)
  and names in quotation marks.  Each is compared with the names of the dataset's entities
  through the link matcher (:func:`polevents.source.entities.name_match`: scripts,
  transliterations and misspellings), then with the names met earlier in the same text (a
  surname alone, a misspelt variant).  A known entity is reused by IRI; a spelling that is not one
  of its names becomes a ``pe:NameMention`` (``pe:misspelled true`` unless it is only another
  transliteration); an unknown name becomes a new entity, its type guessed from its words
  (``Party``, ``Office``, ``Co.``…, a title or an initial for a person, a dateline for a place).
* **Dates** at their precision (:func:`polevents.source.extract.find_dates`), the year taken from
  the publication date or, failing that, the year the text names most when a date gives none;
  a vague date (``early May 2022``) with its bounds and qualifier.
* **Amounts** with their currency, **percentages** and **counts** (the property guessed from
  the words around: turnout, approval, eligible voters, ballots cast).
* **Quotations** of three words or more, with candidate speakers: the people named in the
  sentence, else the last person named before (``He said, “…”``).

Nothing is downloaded or learnt: the rules are plain Python, so a draft is reproducible.
:func:`polevents.source.measure.score_draft` measures a draft against the facts an editor wrote.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .extract import NumberMention, find_dates, find_numbers, find_quotes

if TYPE_CHECKING:  # pragma: no cover
    from .entities import EntityRecord

__all__ = [
    "DRAFT_HEADER",
    "KNOWN_MATCH",
    "Draft",
    "Proposal",
    "decimal_text",
    "draft_facts",
]

DRAFT_HEADER = "## ============================================================ draft proposals"
#: A quotation shorter than this (in words) is a name or a scare quote, not speech.
MIN_QUOTE_WORDS = 3
#: A quotation this long is speech; a shorter one only after a verb of saying ("said, “…”").
SPEECH_WORDS = 7
_SPEECH = re.compile(
    r"\b(?:said|says|say|stated|states|told|tells|added|adds|announced|declared|wrote|writes|asked|replied|"
    r"insisted|warned|noted|argued|explained|according to)\b[^“\"«]{0,12}[“\"«„]?\s*$|:\s*[“\"«„]?\s*$",
    re.IGNORECASE,
)
#: ``“…,” Tokayev told reporters``: a verb of saying just after the quotation.
_SAYING = r"(?:said|says|told|tells|added|adds|stated|declared|wrote|writes|replied|insisted|warned|noted|explained)"
_SPEECH_AFTER = re.compile(rf"[\s,.!?”’\"»]*(?:(?:he|she|they|it|[A-Z][\w’'.-]*)\s+){{0,4}}{_SAYING}\b")
#: How well a name must match an entity's name to be proposed as that entity.
KNOWN_MATCH = 0.9

_TITLES = frozenset(
    "mr mrs ms miss dr prof sir dame president presidents premier minister senator governor general gen col "
    "judge mayor chairman chairwoman speaker deputy secretary state-secretary".split()
)
_STOP = frozenset(
    """a an the in on at of by for from to with as and or but if once after before although though while when
    where what which who whom whose why how is are was were be been it its it's this that these those there
    here he she they we i you his her their our my your him them us some many most all any each every both
    no not nor so yet then than also even only just still already meanwhile however moreover furthermore
    according addressing asked said says told during since until till among between about against into
    over under up down out off again further near new old other another such same more less first last next
    today yesterday tomorrow mr mrs ms dr later earlier now thus therefore instead indeed finally eventually
    soon recently previously currently initially afterwards nevertheless nonetheless despite following amid
    under whether unlike like last this that
    """.split()
)
_MONTH_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday "
    "sunday".split()
)
_ORG_WORDS: dict[str, str] = {
    **dict.fromkeys("party parties front movement bloc alliance".split(), "pe:PoliticalParty"),
    **dict.fromkeys(
        "office assembly council committee ministry court parliament government congress senate agency "
        "commission service administration akimat mazhilis duma chamber house cabinet bureau authority "
        "prosecutor police army".split(),
        "pe:PublicBody",
    ),
    **dict.fromkeys(
        "co co. company inc inc. ltd ltd. corp corp. corporation group bank trading holding holdings fund "
        "foundation association union institute university newspaper agency".split(),
        "pe:Organization",
    ),
}
_ORG_OF_LEFT = frozenset(w.rstrip(".") for w in _ORG_WORDS)
_TOKEN = re.compile(r"[“”\"«»„]|(?:[A-Z]\.){2,}|[A-Za-z\u00c0-\u024f\u0400-\u04ff][\w’'\-]*\.?|[A-Z]\.|\S")
_SLUG = re.compile(r"[^a-z0-9]+")
_CURRENCY_WORDS = re.compile(
    r"US\$|[$€£¥₸₽]|\b(?:USD|EUR|GBP|KZT|RUB|JPY|CHF|CNY|US dollars|dollars?|euros?|pounds?|yen|"
    r"(?:Kazakhstan |Kazakh )?tenge|rubles?|roubles?|Swiss francs|yuan)\b"
)


# ---------------------------------------------------------------- proposals


@dataclass(frozen=True)
class Proposal:
    """One proposal of a draft: what kind, which sentence, the words in the text, the value proposed."""

    #: "entity" (a new one), "reuse" (a known one), "mention" (a spelling), "date", "amount", "percent",
    #: "count", "quotation"
    kind: str
    sentence: int
    #: the words of the text
    text: str
    #: the proposed value: an IRI (entity, reuse, mention), a date's lexical form, a number, the quotation
    value: str
    #: more values the proposal carries: a vague date's bounds, a quotation's candidate speakers
    extra: tuple[str, ...] = ()
    #: a currency (amount), an XSD datatype (date), a class (entity)
    detail: str | None = None


@dataclass
class Draft:
    """The proposals for one source text, in the order they are written."""

    slug: str
    proposals: list[Proposal] = field(default_factory=list)
    #: the year given to dates that do not name one, and why
    default_year: int | None = None
    year_reason: str = ""
    #: new entity IRI -> its label (for the comments)
    labels: dict[str, str] = field(default_factory=dict)

    def of_kind(self, *kinds: str) -> list[Proposal]:
        return [p for p in self.proposals if p.kind in kinds]

    def to_turtle(self) -> str:
        """The proposals as commented Turtle for the end of ``facts.ttl`` (see the module docstring)."""
        return _render(self)


# ---------------------------------------------------------------- names in the text


@dataclass(frozen=True)
class _Candidate:
    sentence: int
    text: str
    start: int
    #: the words around that say what it is: "title" (Mr.), "dateline", "quoted", "initial"
    cue: str | None
    headline: bool


def _is_cap(token: str) -> bool:
    return token[:1].isupper()


def _clean_token(token: str) -> str:
    for suffix in ("’s", "'s"):
        if token.endswith(suffix):
            return token[: -len(suffix)]
    return token.rstrip("’'")


def _is_headline(text: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", text)]
    if not words or text.rstrip()[-1:] in '.!?…”"':
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps >= 0.6 * len(words)


def _candidates(index: int, text: str, quoted: list[tuple[int, int]]) -> list[_Candidate]:
    """Runs of capitalised words in one sentence (outside quotations), and quoted short names."""
    headline = _is_headline(text)
    out: list[_Candidate] = []
    for q_start, q_end in quoted:
        inner = text[q_start:q_end].strip(" .,…")
        words = inner.split()
        if 1 <= len(words) <= 4 and all(_is_cap(w) for w in words if w.lower() not in ("of", "the")):
            out.append(_Candidate(index, inner, q_start, "quoted", headline))
    tokens = [(m.group(0), m.start()) for m in _TOKEN.finditer(text)]
    i = 0
    while i < len(tokens):
        tok, pos = tokens[i]
        if any(s <= pos < e for s, e in quoted) or not _is_cap(tok):
            i += 1
            continue
        run: list[tuple[str, int]] = []
        j = i
        while j < len(tokens):
            word, at = tokens[j]
            if any(s <= at < e for s, e in quoted):
                break
            if _is_cap(word) and _clean_token(word).lower().rstrip(".") not in _MONTH_WORDS:
                run.append((word, at))
                if word.endswith(("’s", "'s")):
                    j += 1
                    break
                if (
                    word.endswith(".")
                    and len(word) > 2
                    and not re.fullmatch(r"(?:[A-Z]\.)+", word)
                    and word.rstrip(".").lower() not in ("co", "inc", "ltd", "corp", "st", "jr", "sr")
                ):
                    j += 1  # a word that ends the sentence or an abbreviation such as "No."
                    break
                j += 1
                continue
            # "of"/"of the" inside an organisation's name: "National Assembly of Veloria"
            if word in ("of",) and run and _clean_token(run[-1][0]).lower().rstrip(".") in _ORG_OF_LEFT:
                k = j + 1
                if k < len(tokens) and tokens[k][0] == "the":
                    k += 1
                if k < len(tokens) and _is_cap(tokens[k][0]) and tokens[k][0].lower() not in _MONTH_WORDS:
                    run.extend(tokens[j:k])
                    j = k
                    continue
            break
        i = max(j, i + 1)
        words = [w for w, _ in run]
        cue = None
        # leading words that are no names: "The", "In", titles
        while words and (words[0].lower().rstrip(".") in _STOP or words[0].lower().rstrip(".") in _TITLES):
            if words[0].lower().rstrip(".") in _TITLES:
                cue = "title"
            run = run[1:]
            words = words[1:]
        # "No. 5", "Article 12": a label, not a name
        for k, w in enumerate(words):
            if w.rstrip(".").lower() in ("no", "nos", "art", "article", "section"):
                run, words = run[:k], words[:k]
                break
        while words and words[-1].lower() in ("of", "the"):
            run, words = run[:-1], words[:-1]
        if not words or _clean_token(words[-1]).lower().rstrip(".") in _TITLES:
            continue  # "State Secretary", "President": a post, not a name
        start = run[0][1]
        surface = " ".join(_clean_token(w) if n == len(words) - 1 else w for n, w in enumerate(words))
        surface = (
            surface.rstrip(".")
            if not surface.endswith(("Co.", "Inc.", "Ltd.", "Corp.")) and not re.search(r"\b[A-Z]\.$", surface)
            else surface
        )
        if re.fullmatch(r"[A-Z][A-Z\-]{2,}", surface):
            surface = surface.title()
            cue = cue or ("dateline" if start == 0 else None)
        if any(re.fullmatch(r"[A-Z]\.", w) for w in words[:-1]):
            cue = cue or "initial"
        at_start = text[:start].strip(' —–-"“') == ""
        out.append(_Candidate(index, surface, start, cue if cue else ("start" if at_start else None), headline))
    return out


def _fold(text: str) -> tuple[str, ...]:
    from ..link import normalise

    return tuple(t.replace("j", "i") for t in normalise(text))


def _slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _SLUG.sub("-", ascii_text.lower()).strip("-") or "unnamed"


def _guess_type(c: _Candidate) -> str:
    words = [w.rstrip(".").lower() for w in c.text.split()]
    for w in reversed(words):
        if w in _ORG_WORDS or w + "." in _ORG_WORDS:
            return _ORG_WORDS.get(w, _ORG_WORDS.get(w + ".", "pe:Organization"))
    if any(w in _ORG_WORDS for w in words):
        return next(_ORG_WORDS[w] for w in words if w in _ORG_WORDS)
    if c.cue in ("title", "initial"):
        return "pe:Person"
    if c.cue == "dateline":
        return "pe:Place"
    if len(words) >= 2:
        return "pe:Person"
    return "pe:Place"


_PREFIX_OF = {
    "pe:Person": "person",
    "pe:Place": "place",
    "pe:PoliticalParty": "orgn",
    "pe:PublicBody": "orgn",
    "pe:Organization": "orgn",
}


# ---------------------------------------------------------------- the draft


def _default_year(texts: Sequence[str], published: str | None) -> tuple[int | None, str]:
    if published and re.match(r"\d{4}", published):
        return int(published[:4]), f"the publication date {published}"
    years = Counter(d.year for t in texts for d in find_dates(t) if d.year is not None and d.month is not None)
    if not years:
        years = Counter(d.year for t in texts for d in find_dates(t) if d.year is not None)
    if not years:
        return None, ""
    year, _n = max(years.items(), key=lambda kv: (kv[1], kv[0]))
    return year, f"the year the text names most ({year})"


_PERCENT_CUES: tuple[tuple[str, str], ...] = (
    (r"turnout|turned out", "pe:turnoutPercent"),
    (r"approv|in favou?r|voted for|voted yes|supported|backed", "pe:approvalPercent"),
)
_COUNT_CUES: tuple[tuple[str, str], ...] = (
    (r"eligible|registered voters|electorate", "pe:eligibleVoters"),
    (r"\bcast\b|ballots?|turned out|took part|taking part|participated|voted\b", "pe:ballotsCast"),
)


def _nearest_cue(text: str, n: NumberMention, cues: tuple[tuple[str, str], ...]) -> str | None:
    """The property whose cue word is nearest the number (within 40 characters, after it preferred)."""
    best: tuple[int, str] | None = None
    for pattern, prop in cues:
        for m in re.finditer(pattern, text, re.IGNORECASE):
            if m.start() >= n.end:
                distance = m.start() - n.end
            elif m.end() <= n.start:
                distance = n.start - m.end() + 5  # a word before counts a little less
            else:
                continue
            between = text[n.end : m.start()] if m.start() >= n.end else text[m.end() : n.start]
            if re.search(r"\d", between):
                continue  # the cue belongs to the number in between
            if distance <= 40 and (best is None or distance < best[0]):
                best = (distance, prop)
    return best[1] if best else None


def _percent_property(text: str, n: NumberMention) -> str | None:
    return _nearest_cue(text, n, _PERCENT_CUES)


def _count_property(text: str, n: NumberMention) -> str | None:
    return _nearest_cue(text, n, _COUNT_CUES)


def draft_facts(
    slug: str,
    sentences: Sequence[tuple[int, str]],
    entities: Iterable[EntityRecord] = (),
    *,
    published: str | None = None,
) -> Draft:
    """Proposals for the sentences ``(number, text)`` of source ``slug``, matched against ``entities``."""
    from .entities import name_match

    known = [e for e in entities if e.names]
    texts = [t for _, t in sentences]
    year, reason = _default_year(texts, published)
    draft = Draft(slug=slug, default_year=year, year_reason=reason)
    used_paths = {"id/" + e.iri.split("/id/", 1)[1] for e in known if "/id/" in e.iri}

    # names: the sentences that are not headlines first, so a headline only finds names met in the text
    quoted_spans = {i: [(q.start, q.end) for q in find_quotes(t)] for i, t in sentences}
    candidates = [c for i, t in sentences for c in _candidates(i, t, quoted_spans[i])]
    ordered = sorted(candidates, key=lambda c: (c.headline, c.sentence, c.start))
    # repeated elsewhere in the middle of a sentence: a sentence-initial word is a name
    inner_words = {w for c in candidates if c.cue != "start" for w in _fold(c.text)}
    new: dict[str, tuple[str, str, list[str]]] = {}  # iri -> (label, type, names)
    person_at: dict[int, list[str]] = {}
    reused: set[str] = set()
    spelt: set[str] = set()

    def remember_person(sentence: int, iri: str, kind: str) -> None:
        if kind == "pe:Person":
            person_at.setdefault(sentence, []).append(iri)

    def best_of(text: str) -> tuple[float, EntityRecord | None, str]:
        return max(
            ((name_match(text, n.text), e, n.text) for e in known for n in e.names),
            key=lambda x: x[0],
            default=(0.0, None, ""),
        )

    expanded: list[_Candidate] = []
    for c in ordered:
        words = c.text.split()
        if c.headline and len(words) > 1 and best_of(c.text)[0] < KNOWN_MATCH:
            # a headline capitalises every word: look for known names inside it ("Kazakhstan Votes")
            for size in (3, 2, 1):
                for k in range(len(words) - size + 1):
                    part = " ".join(words[k : k + size])
                    if part.lower() not in _STOP and best_of(part)[0] >= 0.95:
                        expanded.append(_Candidate(c.sentence, part, c.start, c.cue, True))
            continue
        expanded.append(c)

    for c in expanded:
        best_known = best_of(c.text)
        score, entity, matched_name = best_known
        if entity is not None and score >= KNOWN_MATCH:
            label = entity.label or matched_name
            draft.labels[entity.iri] = label
            if entity.iri not in reused:
                reused.add(entity.iri)
                draft.proposals.append(
                    Proposal("reuse", c.sentence, c.text, entity.iri, (label,), " ".join(entity.types))
                )
            if not _known_spelling(c.text, [n.text for n in entity.names]) and c.text not in spelt:
                spelt.add(c.text)
                misspelt = _misspelt(c.text, [n.text for n in entity.names])
                draft.proposals.append(Proposal("mention", c.sentence, c.text, entity.iri, (label,), misspelt))
            if any(t.endswith("#Person") for t in entity.types):
                remember_person(c.sentence, entity.iri, "pe:Person")
            continue
        # a name met earlier in this text
        earlier = max(
            ((max(name_match(c.text, n) for n in names), iri) for iri, (_l, _t, names) in new.items()),
            key=lambda x: x[0],
            default=(0.0, ""),
        )
        if earlier[0] >= KNOWN_MATCH:
            iri = earlier[1]
            label, typ, names = new[iri]
            if not _known_spelling(c.text, names):
                names.append(c.text)
                draft.proposals.append(
                    Proposal("mention", c.sentence, c.text, iri, (label,), _misspelt(c.text, names[:-1]))
                )
            remember_person(c.sentence, iri, typ)
            continue
        if c.headline:
            continue  # a headline's capitals say nothing
        if c.cue == "start" and len(c.text.split()) == 1 and not set(_fold(c.text)) & inner_words:
            continue  # "Addressing the delegates, …": a capital because the sentence starts there
        typ = _guess_type(c)
        base_iri = f"{_PREFIX_OF[typ]}:{_slugify(c.text)}"
        iri = base_iri
        n = 2
        while iri in new or _path(iri) in used_paths:
            iri = f"{base_iri}-{n}"
            n += 1
        new[iri] = (c.text, typ, [c.text])
        draft.labels[iri] = c.text
        draft.proposals.append(Proposal("entity", c.sentence, c.text, iri, (), typ))
        remember_person(c.sentence, iri, typ)

    for i, text in sentences:
        dates = find_dates(text)
        for d in dates:
            lexical = d.lexical(year)
            if lexical is None:
                continue
            bounds = d.bounds(year)
            draft.proposals.append(
                Proposal(
                    "date",
                    i,
                    d.text,
                    lexical[0],
                    bounds or (),
                    lexical[1]
                    + (f" {d.qualifier}" if d.qualifier else "")
                    + (" year-assumed" if d.year is None else ""),
                )
            )
        for num in find_numbers(text):
            if any(d.start <= num.start < d.end or num.start <= d.start < num.end for d in dates):
                continue
            if num.kind == "count" and num.value < 10 and "," not in num.text:
                continue  # "5" alone: a label, a rank, a small count the words give better
            value = decimal_text(num.value)
            if num.kind == "amount":
                draft.proposals.append(Proposal("amount", i, num.text, value, (), num.currency))
            elif num.kind == "percent":
                draft.proposals.append(Proposal("percent", i, num.text, value, (), _percent_property(text, num)))
            else:
                draft.proposals.append(Proposal("count", i, num.text, value, (), _count_property(text, num)))
        for q in find_quotes(text):
            spoken = (
                q.words >= SPEECH_WORDS
                or _SPEECH.search(text[: q.start])
                or _SPEECH_AFTER.match(text[q.end :])
                or len(q.text) >= 0.8 * len(text.strip(' “”"«»'))
            )
            if q.words < MIN_QUOTE_WORDS or not spoken:
                continue  # a name, a term or a scare quote, not speech
            speakers = list(dict.fromkeys(person_at.get(i, [])))
            if not speakers:
                for back in range(i - 1, max(0, i - 4), -1):
                    if person_at.get(back):
                        speakers = [person_at[back][-1]]
                        break
            draft.proposals.append(Proposal("quotation", i, q.text, q.text.strip(), tuple(speakers)))
    order = {"entity": 0, "reuse": 1, "mention": 2, "date": 3, "amount": 4, "percent": 5, "count": 5, "quotation": 6}
    draft.proposals.sort(key=lambda p: (order[p.kind], p.sentence))
    return draft


def _path(curie: str) -> str:
    """``person:x`` as the path it stands for under the base (``id/person/x``)."""
    prefix, local = curie.split(":", 1)
    return f"id/{dict(person='person', place='place', orgn='organization')[prefix]}/{local}"


def _known_spelling(text: str, names: list[str]) -> bool:
    """``text`` is one of ``names`` or a part of one (a surname alone), letter for letter."""
    words = set(text.lower().split())
    return any(words <= set(n.lower().split()) for n in names)


def _misspelt(text: str, names: list[str]) -> str:
    """ "false" when ``text`` is one of ``names`` in another transliteration, else "true"."""
    from ..link import normalise

    ours = normalise(text)
    for n in names:
        theirs = normalise(n)
        if ours == theirs or set(ours) <= set(theirs):
            return "false"
    return "true"


def decimal_text(value: Decimal) -> str:
    """A number as Turtle and the measure write it: ``1300000``, ``61.4``."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- writing it


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _human_date(lexical: str) -> str:
    import calendar

    parts = lexical.split("-")
    if len(parts) == 3:
        return f"{int(parts[2])} {calendar.month_name[int(parts[1])]} {parts[0]}"
    if len(parts) == 2:
        return f"{calendar.month_name[int(parts[1])]} {parts[0]}"
    return parts[0]


def _render(draft: Draft) -> str:
    out = [
        "",
        DRAFT_HEADER,
        "## Proposals of `polevents source add --draft`, found by rules in the text; each cites its sentence.",
        "## Accept one by removing the leading '# ' of its lines, then correct it (type, label in your own",
        "## words, the properties that apply); delete the rest. Known entities are reused by their IRI.",
    ]
    if draft.default_year is not None:
        out.append(f"## Dates that name no year are given {draft.default_year}: {draft.year_reason}.")
    section = None
    titles = {
        "entity": "new entities (not in the dataset yet)",
        "reuse": "known entities named in the text (reuse their IRIs)",
        "mention": "spellings of names (pe:NameMention)",
        "date": "dates",
        "amount": "amounts of money",
        "percent": "percentages and counts",
        "count": "percentages and counts",
        "quotation": "quotations",
    }
    n_mention = Counter[str]()
    figures_done: set[int] = set()
    for p in draft.proposals:
        if titles[p.kind] != section:
            section = titles[p.kind]
            out += ["##", f"## ------------------------------------------------------------ {section}"]
        s = f"s:{p.sentence}"
        if p.kind == "entity":
            typ = p.detail or "pe:Organization"
            out += [
                f"## {s} {_lit(p.text)}: a new {typ[3:]}?",
                f"# {p.value} a {typ} ;",
                f"#     rdfs:label {_lit(p.text)}@en ;",
                f"#     skos:prefLabel {_lit(p.text)}@en .",
                "#",
            ]
        elif p.kind == "reuse":
            out.append(f"## {s} {_lit(p.text)} = <{p.value}> ({p.extra[0] if p.extra else ''}): write this IRI")
        elif p.kind == "mention":
            target = p.value if ":" in p.value and not p.value.startswith("http") else f"<{p.value}>"
            local = f"{_slugify(p.text)}-s{p.sentence}"
            n_mention[local] += 1
            if n_mention[local] > 1:
                local += f"-{n_mention[local]}"
            misspelt = p.detail or "true"
            what = "a misspelling" if misspelt == "true" else "another spelling"
            of = p.extra[0] if p.extra else target
            out += [
                f"## {s} {_lit(p.text)}: {what} of {of}?",
                f"# mention:{local} a pe:NameMention ;",
                f"#     rdfs:label {_lit(chr(34) + p.text + chr(34) + ': the source' + chr(39) + 's spelling of ' + of)}@en ;",
                f"#     pe:mentionOf {target} ;",
                f"#     pe:surfaceForm {_lit(p.text)} ;",
                f"#     pe:misspelled {misspelt} ;",
                f"#     prov:wasDerivedFrom {s} .",
                "#",
            ]
        elif p.kind == "date":
            datatype, *flags = (p.detail or "date").split()
            qualifier = next((f for f in flags if f in ("early", "mid", "late")), None)
            note = " (year assumed)" if "year-assumed" in flags else ""
            out += [
                f"## {s} {_lit(p.text)}: {_human_date(p.value)}, xsd:{datatype}{note}",
                f"# ev:{p.value}-draft-s{p.sentence}-{_slugify(p.text)} a pe:Event ;",
                f"#     rdfs:label {_lit('(what happened, in your words) ' + _human_date(p.value))}@en ;",
                f'#     pe:date "{p.value}"^^xsd:{datatype} ;',
            ]
            if p.extra:
                out += [
                    f'#     pe:earliestDate "{p.extra[0]}"^^xsd:date ;',
                    f'#     pe:latestDate "{p.extra[1]}"^^xsd:date ;',
                ]
            if qualifier:
                out.append(f"#     pe:dateQualifier {_lit(qualifier)}@en ;")
            out += [f"#     prov:wasDerivedFrom {s} .", "#"]
        elif p.kind == "amount":
            local = f"{(p.detail or 'xxx').lower()}-{p.value.replace('.', '-')}-s{p.sentence}"
            figure = _CURRENCY_WORDS.sub("", p.text).strip() or p.value
            out += [
                f"## {s} {_lit(p.text)}: {p.detail} {p.value}",
                f"# amt:{local} a pe:MonetaryAmount ;",
                f"#     rdfs:label {_lit(f'{p.detail} {figure}')}@en ;",
                f"#     schema:value {p.value if '.' in p.value else p.value + '.0'} ;",
                f"#     schema:currency {_lit(p.detail or '')} ;",
                f"#     prov:wasDerivedFrom {s} .",
                "#",
            ]
        elif p.kind in ("percent", "count"):
            if p.sentence in figures_done:
                continue
            figures_done.add(p.sentence)
            here = [q for q in draft.proposals if q.kind in ("percent", "count") and q.sentence == p.sentence]
            out += [
                f"## {s} " + ", ".join(_lit(q.text) for q in here) + ": on the fact they belong to (a referendum, an"
                " election, a result), with the properties that apply",
                f"# ev:draft-s{p.sentence}-figures a pe:Event ;",
                f"#     rdfs:label {_lit('(the fact these figures belong to, in your words)')}@en ;",
            ]
            for q in here:
                what = "a percentage" if q.kind == "percent" else "a count"
                if q.detail:
                    out.append(f"#     {q.detail} {q.value} ;")
                else:
                    out.append(f"##    {_lit(q.text)}: {what} ({q.value}), no property guessed")
            out += [f"#     prov:wasDerivedFrom {s} .", "#"]
        elif p.kind == "quotation":
            speakers = list(p.extra)
            names = ", ".join(draft.labels.get(x, x) for x in speakers) or "no one named nearby"
            out += [
                f"## {s} a quotation; candidate speakers: {names}",
                f"# stmt:draft-s{p.sentence}-{_slugify(' '.join(p.text.split()[:5]))} a pe:Quotation ;",
                f"#     rdfs:label {_lit('(who says what, in your words)')}@en ;",
                f"#     pe:quote {_lit(p.text)}@en ;",
            ]
            if speakers:
                first = speakers[0]
                out.append(f"#     pe:speaker {first if not first.startswith('http') else '<' + first + '>'} ;")
            out += [f"#     prov:wasDerivedFrom {s} .", "#"]
    return "\n".join(out) + "\n"
