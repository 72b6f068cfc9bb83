"""Namespaces of the polevents vocabulary and the prefixes every output and query knows.

The ontology namespace is fixed (it is a published vocabulary); the base of the
dataset's own IRIs comes from the project configuration (``polevents.toml``).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DCTERMS",
    "FOAF",
    "ONTOLOGY_IRI",
    "OWL",
    "PE",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SKOS",
    "VOID",
    "WD",
    "XSD",
]

ONTOLOGY_IRI: Final = "https://w3id.org/polevents/ontology"
PE: Final = ONTOLOGY_IRI + "#"
WD: Final = "http://www.wikidata.org/entity/"

#: Prefixes predefined for queries and used when writing Turtle/TriG/JSON-LD.
PREFIXES: Final[dict[str, str]] = {
    "pe": PE,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "http://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "lode": "http://linkedevents.org/ontology/",
    "oa": "http://www.w3.org/ns/oa#",
    "nif": "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "time": "http://www.w3.org/2006/time#",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "wd": WD,
    "wdt": "http://www.wikidata.org/prop/direct/",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
    "pr": "http://www.wikidata.org/prop/reference/",
    "wikibase": "http://wikiba.se/ontology#",
}

# The namespaces most modules need, as plain strings (terms are NAMESPACE + local name).
RDF: Final = PREFIXES["rdf"]
RDFS: Final = PREFIXES["rdfs"]
OWL: Final = PREFIXES["owl"]
XSD: Final = PREFIXES["xsd"]
SKOS: Final = PREFIXES["skos"]
PROV: Final = PREFIXES["prov"]
DCTERMS: Final = PREFIXES["dcterms"]
SCHEMA: Final = PREFIXES["schema"]
FOAF: Final = PREFIXES["foaf"]
VOID: Final = PREFIXES["void"]
