#!/usr/bin/env python3
"""Write a synthetic polevents project of about N triples, for benchmarks.

The corpus follows the real data model by construction: it replicates the facts
of a template article (by default the repository's first article,
``data/kazakhstan-reform-2022/``) under fresh IRIs, one synthetic article (one
source graph) per copy, until about ``--triples`` triples::

    python benchmarks/make_corpus.py --triples 100000 --out benchmarks/out/corpus-100k
    polevents build --project benchmarks/out/corpus-100k

What a copy changes, so that the corpus looks like a real archive and still conforms
to the shapes:

* every fact node (tenure, membership, name record, event, statement, quotation,
  claim, relation, provision, amount, ...) and every person and post gets a fresh IRI
  (``<old>-s00042``); places and organisations are shared across the archive, declared
  once (in the first article) and referenced by the others, so type triples needed by
  ``sh:class`` live in another source graph, as they do in a real archive;
* named persons get synthetic names, with labels in Latin, Russian Cyrillic, Kazakh
  Cyrillic (Қ, Ұ, Ә, Ғ, Ү, І …) and Kazakh Latin, a misspelling where the template has
  one; their old names are replaced in the copy's labels and comments;
* all dates of a copy move by the same number of years (order and precision kept);
* Wikidata links of renamed nodes are dropped (they would be false);
* each copy gets its own synthetic source text (``sources/<slug>.txt``, found through
  ``text_paths``) with as many sentences as the template's source, described by the
  project's own ``describe_source`` (hash, length, sentence offsets), and the evidence
  (``prov:wasDerivedFrom``) points at the copy's sentences.

When the template is missing, a small built-in template (fictional, same patterns)
is used instead.  The last copy may be partial: it holds whole fact nodes together with
everything they reference, so the corpus lands within a few percent of N.
Deterministic: the same ``--seed`` and template give byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import pyoxigraph

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TEMPLATE = REPO / "data" / "kazakhstan-reform-2022"
MANIFEST = "corpus.json"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
PE = "https://w3id.org/polevents/ontology#"
WIKIDATA = "http://www.wikidata.org/"

LABELS = {RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel"}
#: literals whose English text may name people (quotes and surface forms stay verbatim)
RENAMED_TEXT = {RDFS + "label", SKOS + "prefLabel", RDFS + "comment", PE + "dateQualifier"}
LINKS = {
    OWL + "sameAs",
    SKOS + "exactMatch",
    SKOS + "closeMatch",
    SKOS + "relatedMatch",
    SKOS + "broadMatch",
    SKOS + "narrowMatch",
}
DATE_TYPES = {XSD + "date", XSD + "gYearMonth", XSD + "gYear"}
#: IRI kinds (``id/<kind>/…``) shared by all copies: declared once, referenced everywhere.
SHARED_KINDS = {"place", "organization"}

# Names: (Latin, Russian Cyrillic, Kazakh Cyrillic, Kazakh Latin)
GIVEN_MALE = [
    ("Askar", "Аскар", "Асқар", "Asqar"),
    ("Nurlan", "Нурлан", "Нұрлан", "Nūrlan"),
    ("Bauyrzhan", "Бауыржан", "Бауыржан", "Bauyrjan"),
    ("Daniyar", "Данияр", "Данияр", "Daniiar"),
    ("Serik", "Серик", "Серік", "Serık"),
    ("Yerzhan", "Ержан", "Ержан", "Erjan"),
    ("Marat", "Марат", "Марат", "Marat"),
    ("Kanat", "Канат", "Қанат", "Qanat"),
    ("Timur", "Тимур", "Темір", "Temır"),
    ("Almas", "Алмас", "Алмас", "Almas"),
    ("Galym", "Галым", "Ғалым", "Ğalym"),
    ("Olzhas", "Олжас", "Олжас", "Oljas"),
    ("Kairat", "Кайрат", "Қайрат", "Qairat"),
    ("Yerbol", "Ербол", "Ербол", "Erbol"),
]
GIVEN_FEMALE = [
    ("Gulnara", "Гульнара", "Гүлнара", "Gülnara"),
    ("Aigerim", "Айгерим", "Әйгерім", "Äigerım"),
    ("Saule", "Сауле", "Сәуле", "Säule"),
    ("Zhanar", "Жанар", "Жанар", "Janar"),
    ("Dinara", "Динара", "Динара", "Dinara"),
    ("Ainur", "Айнур", "Айнұр", "Ainūr"),
    ("Asel", "Асель", "Әсел", "Äsel"),
    ("Madina", "Мадина", "Мадина", "Madina"),
]
SURNAMES = [
    ("Abenov", "Абенов", "Әбенов", "Äbenov"),
    ("Kassymov", "Касымов", "Қасымов", "Qasymov"),
    ("Zhumabekov", "Жумабеков", "Жұмабеков", "Jūmabekov"),
    ("Nurgaliyev", "Нургалиев", "Нұрғалиев", "Nūrğaliev"),
    ("Sarsenbayev", "Сарсенбаев", "Сәрсенбаев", "Särsenbaev"),
    ("Toktarov", "Токтаров", "Тоқтаров", "Toqtarov"),
    ("Kuanyshev", "Куанышев", "Қуанышев", "Quanyşev"),
    ("Beisenov", "Бейсенов", "Бейсенов", "Beisenov"),
    ("Ospanov", "Оспанов", "Оспанов", "Ospanov"),
    ("Mukhamediyev", "Мухамедиев", "Мұхамедиев", "Mūhamediev"),
    ("Yesimov", "Есимов", "Есімов", "Esımov"),
    ("Ualiyev", "Уалиев", "Уәлиев", "Uäliev"),
    ("Temirkhanov", "Темирханов", "Темірханов", "Temırhanov"),
    ("Baimukhanov", "Баймуханов", "Баймұханов", "Baimūhanov"),
    ("Omarov", "Омаров", "Омаров", "Omarov"),
    ("Iskakov", "Искаков", "Ысқақов", "Ysqaqov"),
]
WORDS = (
    "council committee reform vote budget minister region district law draft session party "
    "congress deputy court audit decree programme coalition mandate election turnout "
    "commission parliament chamber member statement agenda office treasury inquiry"
).split()
MONTHS = ("January February March April May June July August September October November December").split()


# ---------------------------------------------------------------- the built-in template

BUILTIN_SLUG = "builtin-template"
BUILTIN_SENTENCES = 14
#: A fictional article in the data model's patterns, used when the real first article is absent.
BUILTIN_FACTS = """\
@prefix pe: <https://w3id.org/polevents/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix schema: <http://schema.org/> .
@prefix s: <id/source/builtin-template/sentence/> .

<id/person/arman-demo> a pe:Person ; rdfs:label "Arman Demov"@en ; skos:prefLabel "Arman Demov"@en ;
    skos:altLabel "Арман Демов"@ru, "Арман Демов"@kk ; skos:hiddenLabel "Arman Dimov"@en .
<id/person/saltanat-demova> a pe:Person ; rdfs:label "Saltanat Demova"@en ; skos:prefLabel "Saltanat Demova"@en ;
    skos:altLabel "Салтанат Демова"@ru .
<id/person/berik-examplov> a pe:Person ; rdfs:label "Berik Examplov"@en ; skos:prefLabel "Berik Examplov"@en ;
    skos:altLabel "Берик Экзамплов"@ru, "Берік Экзамплов"@kk .
<id/place/examplia> a pe:Place ; rdfs:label "Examplia (fictional)"@en ; skos:prefLabel "Examplia (fictional)"@en .
<id/organization/unity-party> a pe:PoliticalParty ; rdfs:label "Unity Party (fictional)"@en ;
    skos:prefLabel "Unity Party (fictional)"@en ; pe:country <id/place/examplia> ;
    pe:hasName <id/name/unity-old>, <id/name/unity-new> .
<id/post/chair-of-unity> a pe:Post ; rdfs:label "Chair of the Unity Party"@en ;
    skos:prefLabel "Chair of the Unity Party"@en ; pe:postIn <id/organization/unity-party> .
<id/name/unity-old> a pe:OrganizationName ; rdfs:label "Old Unity (2001-2020)"@en ; pe:name "Old Unity"@en ;
    pe:startDate "2001"^^xsd:gYear ; pe:endDate "2020-05"^^xsd:gYearMonth ; prov:wasDerivedFrom s:2 .
<id/name/unity-new> a pe:OrganizationName ; rdfs:label "Unity (from May 2020)"@en ; pe:name "Unity"@en ;
    pe:startDate "2020-05"^^xsd:gYearMonth ; prov:wasDerivedFrom s:2 .
<id/event/renaming> a pe:Renaming ; rdfs:label "Old Unity renamed Unity"@en ; pe:date "2020-05"^^xsd:gYearMonth ;
    pe:organization <id/organization/unity-party> ; pe:oldName <id/name/unity-old> ;
    pe:newName <id/name/unity-new> ; prov:wasDerivedFrom s:2 .
<id/event/congress> a pe:Meeting ; rdfs:label "Unity Party congress"@en ; pe:date "2021-03-14"^^xsd:date ;
    pe:location <id/place/examplia> ; prov:wasDerivedFrom s:3 .
<id/event/demov-resigns> a pe:Resignation ; rdfs:label "Arman Demov resigns as chair"@en ;
    pe:date "2021-03-14"^^xsd:date ; pe:actor <id/person/arman-demo> ; pe:partOf <id/event/congress> ;
    prov:wasDerivedFrom s:3 .
<id/event/examplov-elected> a pe:Appointment ; rdfs:label "Berik Examplov elected chair"@en ;
    pe:date "2021-03-14"^^xsd:date ; pe:participant <id/person/berik-examplov> ; pe:partOf <id/event/congress> ;
    prov:wasDerivedFrom s:4 .
<id/tenure/demov-chair> a pe:Tenure ; rdfs:label "Arman Demov, chair, 2001 - 14 March 2021"@en ;
    pe:holder <id/person/arman-demo> ; pe:post <id/post/chair-of-unity> ; pe:ordinal 1 ;
    pe:startDate "2001"^^xsd:gYear ; pe:endDate "2021-03-14"^^xsd:date ; pe:endedBy <id/event/demov-resigns> ;
    pe:replacedBy <id/tenure/examplov-chair> ; prov:wasDerivedFrom s:3, s:5 .
<id/tenure/examplov-chair> a pe:Tenure ; rdfs:label "Berik Examplov, chair, from 14 March 2021"@en ;
    pe:holder <id/person/berik-examplov> ; pe:post <id/post/chair-of-unity> ; pe:ordinal 2 ;
    pe:startDate "2021-03-14"^^xsd:date ; pe:startedBy <id/event/examplov-elected> ;
    pe:replaces <id/tenure/demov-chair> ; prov:wasDerivedFrom s:4 .
<id/membership/demova-in-unity> a pe:Membership ; rdfs:label "Saltanat Demova, member of the Unity Party"@en ;
    pe:member <id/person/saltanat-demova> ; pe:organization <id/organization/unity-party> ;
    pe:startDate "2010"^^xsd:gYear ; prov:wasDerivedFrom s:6 .
<id/relation/demova-daughter> a pe:KinshipRelation ; rdfs:label "Saltanat Demova is Arman Demov's daughter"@en ;
    pe:person <id/person/arman-demo> ; pe:relative <id/person/saltanat-demova> ; pe:kinship pe:daughter ;
    pe:seniority "eldest"@en ; prov:wasDerivedFrom s:6 .
<id/statement/examplov-quote> a pe:Quotation ; rdfs:label "Examplov on the congress"@en ;
    pe:quote "We will open the party to everyone."@en ; pe:speaker <id/person/berik-examplov> ;
    pe:occasion <id/event/congress> ; pe:date "2021-03-14"^^xsd:date ; prov:wasDerivedFrom s:7 .
<id/statement/demov-plans> a pe:Statement ; rdfs:label "Demov says he will advise the new chair"@en ;
    pe:speaker <id/person/arman-demo> ; pe:earliestDate "2021-03-14"^^xsd:date ;
    pe:dateQualifier "after the congress"@en ; prov:wasDerivedFrom s:8 .
<id/claim/demov-influence> a pe:Claim ; rdfs:label "Demov is believed to keep influence over the party"@en ;
    rdf:subject <id/person/arman-demo> ; rdf:predicate pe:actor ; rdf:object <id/organization/unity-party> ;
    pe:hedge pe:believed ; prov:wasDerivedFrom s:9 .
<id/amount/audit-sum> a pe:MonetaryAmount ; rdfs:label "USD 2.5 million"@en ; schema:value "2500000.0"^^xsd:decimal ;
    schema:currency "USD" ; prov:wasDerivedFrom s:10 .
<id/event/audit> a pe:Investigation ; rdfs:label "Audit of the party's accounts"@en ;
    pe:earliestDate "2021-06"^^xsd:gYearMonth ; pe:latestDate "2021-07"^^xsd:gYearMonth ;
    pe:subject <id/organization/unity-party> ; pe:amount <id/amount/audit-sum> ; prov:wasDerivedFrom s:10, s:11 .
<id/legislation/party-law> a pe:Legislation ; rdfs:label "draft law on party finance"@en ;
    pe:provides <id/provision/party-law-audits> .
<id/provision/party-law-audits> a pe:Provision ; rdfs:label "yearly public audits of party accounts"@en ;
    prov:wasDerivedFrom s:12 .
<id/event/referendum> a pe:Referendum ; rdfs:label "Referendum on party finance"@en ; pe:date "2022"^^xsd:gYear ;
    pe:legislation <id/legislation/party-law> ; pe:eligibleVoters 1200000 ; pe:ballotsCast 800000 ;
    pe:turnoutPercent 66.7 ; pe:approvalPercent 71.2 ; prov:wasDerivedFrom s:13 .
<id/mention/dimov> a pe:NameMention ; rdfs:label "the source spells Demov as Dimov"@en ;
    pe:mentionOf <id/person/arman-demo> ; pe:surfaceForm "Dimov" ; pe:misspelled true ; prov:wasDerivedFrom s:14 .
"""


# ---------------------------------------------------------------- data types


@dataclass(frozen=True)
class Template:
    """The article replicated: its facts (absolute IRIs) and its number of sentences."""

    slug: str
    origin: str
    facts: list[pyoxigraph.Triple]
    sentences: int


@dataclass
class CorpusInfo:
    """What :func:`make_corpus` wrote (also saved as ``corpus.json`` in the project)."""

    out: str
    requested_triples: int
    data_triples: int
    articles: int
    partial_last_article: bool
    template: str
    template_triples: int
    seed: int
    files: int = 0
    inputs_sha256: str = ""
    article_triples: list[int] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.data_triples} triples in {self.articles} source graph(s) "
            f"(requested {self.requested_triples}, {self.data_triples / self.requested_triples - 1:+.1%}; "
            f"template {self.template}, seed {self.seed}) -> {self.out}"
        )


# ---------------------------------------------------------------- template


def inputs_hash(template_dir: Path | None = DEFAULT_TEMPLATE, repo: Path = REPO) -> str:
    """SHA-256 over everything a corpus is made from: this script, the template, the project files."""
    import hashlib

    digest = hashlib.sha256()
    paths = [Path(__file__).resolve(), repo / "polevents.toml"]
    for folder in ("ontology", "shapes", "queries"):
        paths += sorted(p for p in (repo / folder).rglob("*") if p.is_file()) if (repo / folder).is_dir() else []
    if template_dir is not None and template_dir.is_dir():
        paths += sorted(p for p in template_dir.glob("*.ttl"))
    for path in paths:
        digest.update(str(path.relative_to(repo) if path.is_relative_to(repo) else path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _config_base(repo: Path) -> str:
    sys.path.insert(0, str(repo / "src"))
    from polevents.config import load_config

    return load_config(repo).base


def load_template(folder: Path | None, base: str) -> Template:
    """The template article: every RDF file of ``folder`` except its source.ttl; else the built-in one."""
    import pyoxigraph as ox

    if folder is not None and (folder / "facts.ttl").is_file() and (folder / "source.ttl").is_file():
        facts: list[ox.Triple] = []
        for path in sorted(folder.glob("*.ttl")):
            if path.name == "source.ttl":
                continue
            facts.extend(q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=base))
        source = list(ox.parse(path=str(folder / "source.ttl"), format=ox.RdfFormat.TURTLE, base_iri=base))
        sentence = ox.NamedNode(PE + "Sentence")
        n = sum(1 for q in source if q.predicate.value == RDF + "type" and q.object == sentence)
        return Template(slug=folder.name, origin=str(folder), facts=facts, sentences=n)
    facts = [q.triple for q in ox.parse(BUILTIN_FACTS, format=ox.RdfFormat.TURTLE, base_iri=base)]
    return Template(slug=BUILTIN_SLUG, origin="built-in", facts=facts, sentences=BUILTIN_SENTENCES)


# ---------------------------------------------------------------- one copy


def _shift_date(value: str, years: int) -> str:
    year = int(value[:4]) + years
    rest = value[4:]
    if rest.startswith("-02-29") and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        rest = "-02-28" + rest[6:]
    return f"{year:04d}{rest}"


def _misspell(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(name) - 2)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


@dataclass(frozen=True)
class _Person:
    latin: str
    russian: str
    kazakh: str
    kazakh_latin: str


class _Copy:
    """The renaming of one synthetic article."""

    def __init__(self, template: Template, base: str, index: int, seed: int) -> None:
        self.template = template
        self.base = base
        self.index = index
        self.slug = f"synthetic-{index:05d}"
        self.suffix = f"-s{index:05d}"
        self.rng = random.Random(f"{seed}:{index}")
        self.years = self.rng.randint(-25, 3)
        self.people: dict[str, _Person] = {}
        self.misspellings: dict[str, str] = {}
        self.text_map: dict[str, str] = {}
        self._name_people()
        self.pattern = (
            re.compile("|".join(re.escape(k) for k in sorted(self.text_map, key=len, reverse=True)))
            if self.text_map
            else None
        )

    # -- people
    def _name_people(self) -> None:
        by_subject: dict[str, dict[str, list[str]]] = {}
        persons: list[str] = []
        for t in self.template.facts:
            s = t.subject.value
            if t.predicate.value == RDF + "type" and t.object.value == PE + "Person":
                persons.append(s)
            if t.predicate.value in LABELS and getattr(t.object, "language", None):
                by_subject.setdefault(s, {}).setdefault(t.predicate.value, []).append(t.object.value)
        surnames: dict[str, tuple[str, str, str, str]] = {}
        pool = list(SURNAMES)
        self.rng.shuffle(pool)
        for iri in sorted(set(persons)):
            labels = by_subject.get(iri, {})
            if SKOS + "altLabel" not in labels or not labels.get(RDFS + "label"):
                continue  # an unnamed person ("the father-in-law of ..."): keep its description
            old = labels[RDFS + "label"][0]
            words = old.split()
            if len(words) < 2 or "(" in old:
                continue
            old_surname = words[-1]
            female = old_surname.endswith(("ova", "eva", "ina", "yeva", "ayeva"))
            key = old_surname[:-1] if female else old_surname
            if key not in surnames:
                surnames[key] = pool[len(surnames) % len(pool)]
            sur = surnames[key]
            given = self.rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
            fem, cyr = ("a", "а") if female else ("", "")  # Latin a, Cyrillic а
            person = _Person(
                latin=f"{given[0]} {sur[0]}{fem}",
                russian=f"{given[1]} {sur[1]}{cyr}",
                kazakh=f"{given[2]} {sur[2]}{cyr}",
                kazakh_latin=f"{given[3]} {sur[3]}{fem}",
            )
            self.people[iri] = person
            if SKOS + "hiddenLabel" in labels:
                self.misspellings[iri] = _misspell(person.latin, self.rng)
            self.text_map[old] = person.latin
            self.text_map.setdefault(old_surname, f"{sur[0]}{fem}")

    # -- terms
    def iri(self, value: str) -> str:
        if not value.startswith(self.base + "id/"):
            return value
        kind, _, local = value[len(self.base) + 3 :].partition("/")
        if kind == "source":
            if local == self.template.slug or local.startswith(self.template.slug + "/"):
                return f"{self.base}id/source/{self.slug}{local[len(self.template.slug) :]}"
            return value
        if kind in SHARED_KINDS:
            return value
        return value + self.suffix

    def is_shared(self, value: str) -> bool:
        if not value.startswith(self.base + "id/"):
            return False
        return value[len(self.base) + 3 :].partition("/")[0] in SHARED_KINDS

    def term(self, term: object, predicate: str) -> object:
        import pyoxigraph as ox

        if isinstance(term, ox.NamedNode):
            return ox.NamedNode(self.iri(term.value))
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"{term.value}{self.suffix}")
        assert isinstance(term, ox.Literal)
        if term.datatype.value in DATE_TYPES:
            return ox.Literal(_shift_date(term.value, self.years), datatype=term.datatype)
        english = term.language == "en" or (term.language is None and term.datatype.value == XSD + "string")
        if self.pattern is not None and predicate in RENAMED_TEXT and english:
            new = self.pattern.sub(lambda m: self.text_map[m.group(0)], term.value)
            if new != term.value:
                return ox.Literal(new, language=term.language) if term.language else ox.Literal(new)
        return term

    def person_labels(self, iri: str) -> list[tuple[str, str, str]]:
        p = self.people[iri]
        out = [
            (RDFS + "label", p.latin, "en"),
            (SKOS + "prefLabel", p.latin, "en"),
            (SKOS + "altLabel", p.russian, "ru"),
            (SKOS + "altLabel", p.kazakh, "kk"),
            (SKOS + "altLabel", p.kazakh_latin, "kk-Latn"),
        ]
        if iri in self.misspellings:
            out.append((SKOS + "hiddenLabel", self.misspellings[iri], "en"))
        return out

    def units(self, declare_shared: bool) -> dict[str, list[pyoxigraph.Triple]]:
        """The copy's triples grouped by template subject (declaration order kept)."""
        import pyoxigraph as ox

        units: dict[str, list[ox.Triple]] = {}
        for t in self.template.facts:
            s = t.subject.value
            if self.is_shared(s) and not declare_shared:
                continue
            p = t.predicate.value
            if s in self.people and p in LABELS:
                continue
            if (
                p in LINKS
                and isinstance(t.object, ox.NamedNode)
                and t.object.value.startswith(WIKIDATA)
                and not self.is_shared(s)
            ):
                continue
            subject = self.term(t.subject, p)
            units.setdefault(s, []).append(ox.Triple(subject, t.predicate, self.term(t.object, p)))  # type: ignore[arg-type]
        for s in self.people:
            if s in units:
                node = ox.NamedNode(self.iri(s))
                units[s].extend(
                    ox.Triple(node, ox.NamedNode(p), ox.Literal(v, language=lang))
                    for p, v, lang in self.person_labels(s)
                )
        return units

    def text(self) -> tuple[str, str]:
        """A synthetic source text with the template's number of sentences, and its title."""
        rng = random.Random(f"text:{self.index}:{self.rng.random()}")
        names = [p.latin for p in self.people.values()] or ["an official"]
        kazakh = [p.kazakh for p in self.people.values()] or ["Қазақстан"]
        title = f"Synthetic report {self.index}: {rng.choice(WORDS)} and {rng.choice(WORDS)} in the news"
        body: list[str] = []
        for n in range(2, self.template.sentences + 1):
            a, b = rng.choice(names), rng.choice(names)
            year = 2000 + self.years + rng.randint(0, 22)
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 16)))
            pattern = rng.randrange(5)
            if pattern == 0:
                s = f"In {rng.choice(MONTHS)} {year} {a} told the {rng.choice(WORDS)} that the {words} would change"
            elif pattern == 1:
                s = f"{a} ({rng.choice(kazakh)}) and {b} discussed the {words}"
            elif pattern == 2:
                s = f"According to the report, the {words} cost {rng.randint(2, 900)} million tenge"
            elif pattern == 3:
                s = f"The {rng.choice(WORDS)} is believed to favour {a}, who leads the {words}"
            else:
                s = f"Sentence {n} adds that {b} spoke about the {words} on {rng.randint(1, 28)} {rng.choice(MONTHS)}"
            body.append(s[0].upper() + s[1:] + ".")
        paragraphs = [" ".join(body[i : i + 5]) for i in range(0, len(body), 5)]
        return title + "\n\n" + "\n\n".join(paragraphs) + "\n", title


# ---------------------------------------------------------------- partial copies


def _closure(start: str, deps: dict[str, set[str]], taken: set[str]) -> list[str]:
    todo, seen = [start], {start}
    while todo:
        s = todo.pop()
        for d in deps.get(s, ()):
            if d not in seen and d not in taken:
                seen.add(d)
                todo.append(d)
    return sorted(seen - taken)


def _select(
    units: dict[str, list[pyoxigraph.Triple]], template: Template, budget: int, rng: random.Random
) -> list[str]:
    """Whole units (with everything they reference) adding up to about ``budget`` triples."""
    subjects = set(units)
    deps: dict[str, set[str]] = {}
    for t in template.facts:
        if t.object.value in subjects and t.subject.value in subjects:
            deps.setdefault(t.subject.value, set()).add(t.object.value)
    order = list(units)
    rng.shuffle(order)
    taken: set[str] = set()
    total = 0
    for s in order:
        if s in taken:
            continue
        group = _closure(s, deps, taken)
        size = sum(len(units[g]) for g in group)
        if total + size <= budget:
            taken.update(group)
            total += size
    return [s for s in units if s in taken]


# ---------------------------------------------------------------- writing


def _serialize(triples: Iterable[pyoxigraph.Triple], base: str, prefixes: dict[str, str]) -> str:
    """Turtle whose dataset IRIs are relative (``<id/…>``), resolved against polevents.toml's base
    at load time, as in hand-written data; other IRIs (the ontology's) stay absolute."""
    import pyoxigraph as ox

    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    assert isinstance(data, bytes)
    return data.decode("utf-8").replace(f"<{base}id/", "<id/")


def _prefixes(base: str) -> dict[str, str]:
    kinds = (
        "person",
        "organization",
        "place",
        "post",
        "tenure",
        "membership",
        "name",
        "mention",
        "event",
        "statement",
        "claim",
        "relation",
        "legislation",
        "provision",
        "amount",
    )
    short = {
        "organization": "orgn",
        "membership": "mship",
        "statement": "stmt",
        "relation": "rel",
        "legislation": "leg",
        "provision": "prv",
        "amount": "amt",
        "event": "ev",
    }
    out = {
        "pe": PE,
        "rdf": RDF,
        "rdfs": RDFS,
        "skos": SKOS,
        "xsd": XSD,
        "owl": OWL,
        "prov": "http://www.w3.org/ns/prov#",
        "schema": "http://schema.org/",
        "dcterms": "http://purl.org/dc/terms/",
    }
    for k in kinds:
        out[short.get(k, k)] = f"{base}id/{k}/"
    return out


def _copy_project_files(repo: Path, out: Path) -> int:
    shutil.copy2(repo / "polevents.toml", out / "polevents.toml")
    n = 1
    for folder in ("ontology", "shapes", "queries"):
        if (repo / folder).is_dir():
            shutil.copytree(repo / folder, out / folder, ignore=shutil.ignore_patterns("__pycache__"))
            n += sum(1 for p in (out / folder).rglob("*") if p.is_file())
    return n


def make_corpus(
    triples: int,
    out: Path,
    *,
    seed: int = 1,
    template_dir: Path | None = DEFAULT_TEMPLATE,
    repo: Path = REPO,
    force: bool = False,
    progress: bool = False,
) -> CorpusInfo:
    """Write a project of about ``triples`` data triples to ``out``; see the module docstring."""
    import pyoxigraph as ox

    sys.path.insert(0, str(repo / "src"))
    from polevents.source import SourceText, describe_source
    from polevents.source.segment import sha256_hex, split_sentences

    if triples < 1:
        raise ValueError("--triples must be positive")
    if out.exists():
        if not force:
            raise FileExistsError(f"{out} exists; pass --force to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    base = _config_base(repo)
    template = load_template(template_dir, base)
    prefixes = _prefixes(base)
    files = _copy_project_files(repo, out)
    (out / "sources").mkdir()
    (out / "data").mkdir()

    total = 0
    counts: list[int] = []
    partial = False
    index = 0
    while total < triples:
        copy = _Copy(template, base, index, seed)
        text, title = copy.text()
        spans = split_sentences(text)
        if len(spans) != template.sentences:
            raise RuntimeError(
                f"synthetic text of {copy.slug} splits into {len(spans)} sentences, expected {template.sentences}"
            )
        raw = text.encode("utf-8")
        source_ttl = describe_source(
            SourceText(path=out / "sources" / f"{copy.slug}.txt", text=text, sha256=sha256_hex(raw), sentences=spans),
            copy.slug,
            title=title,
            language="en",
        )
        n_source = sum(1 for _ in ox.parse(source_ttl, format=ox.RdfFormat.TURTLE, base_iri=base))
        units = copy.units(declare_shared=index == 0)
        full = sum(len(u) for u in units.values())
        remaining = triples - total
        chosen = list(units)
        if n_source + full > remaining:
            if index > 0 and remaining < n_source + 0.1 * full:
                break  # closer to N without another copy
            chosen = _select(units, template, remaining - n_source, random.Random(f"select:{seed}:{index}"))
            partial = True
        fact_triples = [t for s in chosen for t in units[s]]
        prefixes["s"] = f"{base}id/source/{copy.slug}/sentence/"
        folder = out / "data" / copy.slug
        folder.mkdir()
        (out / "sources" / f"{copy.slug}.txt").write_bytes(raw)
        (folder / "source.ttl").write_text(source_ttl, encoding="utf-8")
        header = f"# Synthetic benchmark data: a copy of {template.slug} under fresh IRIs (seed {seed}).\n"
        (folder / "facts.ttl").write_text(header + _serialize(fact_triples, base, prefixes), encoding="utf-8")
        files += 3
        counts.append(n_source + len(fact_triples))
        total += counts[-1]
        index += 1
        if progress and index % 50 == 0:
            print(f"make_corpus: {index} articles, {total} triples", file=sys.stderr, flush=True)
        if partial:
            break
    info = CorpusInfo(
        out=str(out),
        requested_triples=triples,
        data_triples=total,
        articles=len(counts),
        partial_last_article=partial,
        template=template.origin if template.origin == "built-in" else template.slug,
        template_triples=len(template.facts),
        seed=seed,
        files=files + 1,
        inputs_sha256=inputs_hash(template_dir, repo),
        article_triples=counts,
    )
    (out / MANIFEST).write_text(json.dumps(asdict(info), indent=1) + "\n", encoding="utf-8")
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, required=True, help="about how many data triples")
    parser.add_argument("--out", type=Path, required=True, help="project directory to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--template",
        type=Path,
        default=DEFAULT_TEMPLATE,
        help="article folder to replicate (default: the repository's first article)",
    )
    parser.add_argument("--builtin", action="store_true", help="use the built-in fictional template")
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    args = parser.parse_args(argv)
    try:
        info = make_corpus(
            args.triples,
            args.out,
            seed=args.seed,
            template_dir=None if args.builtin else args.template,
            force=args.force,
            progress=True,
        )
    except (FileExistsError, ValueError, RuntimeError) as exc:
        print(f"make_corpus: error: {exc}", file=sys.stderr)
        return 2
    print(info.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
