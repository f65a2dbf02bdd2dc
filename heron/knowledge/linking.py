"""Entity linking: the words of a question → a country, city or continent of the world graph.

Every name is stored in the graph as a lookup key folded the way the language layer tokenizes
("cote divoire", "kenya" for "Kenya's"), so linking is an index lookup in the store and needs
no in-memory copy of the 400,000 names. A name can mean several things; the index prefers an
entity's own name to an alternate one, countries to cities, and among cities the more populous
("Paris" is the French capital, "Paris, Texas" when the state is said). ISO codes count only
when typed in capitals ("KE", "DEU"), so "in" and "it" stay words. A small misspelling
("Kazakstan", "Equador": a letter missing, extra, wrong or two swapped) is forgiven for
countries, continents and cities of 100,000 people or more.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from pyoxigraph import Literal, QuerySolutions, Store

from heron.knowledge import vocabulary as v
from heron.language.normalize import fold, tokenize
from heron.language.slots import STOPWORDS

KINDS = ("country", "city", "continent")
FUZZY_MIN_CHARS = 5
FUZZY_CUTOFF = 88.0
TYPO_MIN_CHARS = 7
"""From this length one wrong letter is forgiven too ("Equador", "Hungery"), which the
similarity cutoff alone rejects; shorter words are too often other words ("Merlin")."""
FUZZY_CITY_POPULATION = 100_000
FUZZY_MAX_WORDS = 4
"""Longer spans are sentences, not misspelt names ("Sao Tome and Principe" has four words)."""
EDGE_WORDS = STOPWORDS | {"what", "which", "how", "who", "where", "when", "why", "whose", "do",
                          "does", "did", "are", "was", "were"}  # fmt: skip
"""Words a name neither starts nor ends with: a span like "how big is" is not looked for among
misspellings (matching tries many spans; most are such)."""
ABBREVIATIONS = {"US": ("usa",), "GB": ("uk",), "AE": ("uae",), "CD": ("drc",), "CN": ("prc",)}
"""Abbreviations people type in lower case that are not words of their own."""

# How a name was matched, best first.
OWN_NAME, ALIAS, QUALIFIED, DEMONYM, FUZZY = range(5)
_HOW = {v.KEY_NAME.value: OWN_NAME, v.KEY_ALIAS.value: ALIAS,
        v.KEY_QUALIFIED.value: QUALIFIED, v.KEY_DEMONYM.value: DEMONYM}  # fmt: skip
_KIND = {v.COUNTRY.value: "country", v.CITY.value: "city", v.CONTINENT.value: "continent"}
_PLAIN = re.compile(r"[a-z0-9 ]+")
_IRI = re.compile(re.escape(v.BASE) + r"[A-Za-z]+/[A-Za-z0-9_-]+")


def lookup_key(name: str) -> str:
    """A name as the template matcher sees it: folded tokens, punctuation dropped."""
    folded = (name.lower() if name.isascii() else fold(name)).replace("-", " ")
    if _PLAIN.fullmatch(folded):  # most names: no need for the full tokenizer
        return " ".join(folded.split())
    return " ".join(t for t in tokenize(name) if t.isalnum())


@dataclass(frozen=True)
class Entity:
    id: str
    """ "country/KE", "city/2988507", "continent/AF": the graph IRI without its base."""
    kind: str
    name: str
    population: int
    timezone: str | None
    where: str
    """Where it is, for telling namesakes apart: "Texas, United States"; "Africa"."""

    @property
    def iri(self) -> str:
        return v.BASE + self.id

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Match:
    entity: Entity
    how: int
    score: float


_KEYED = "SELECT ?e ?p WHERE { ?e ?p $VALUE }"
_DETAILS = """
SELECT ?e ?type ?name (MAX(?pop) AS ?people) (SAMPLE(?tz) AS ?zone) (SAMPLE(?in) AS ?within)
       (SAMPLE(?admin) AS ?state)
WHERE {
  VALUES ?e { $ENTITIES }
  ?e a ?type ; h:name ?name .
  OPTIONAL { ?e h:population ?pop }
  OPTIONAL { ?e h:capital/h:timezone|h:timezone ?tz }
  OPTIONAL { ?e h:country|h:continent ?up . ?up h:name ?in }
  OPTIONAL { ?e h:region ?admin }
}
GROUP BY ?e ?type ?name
"""
_CODE = """
SELECT ?e WHERE { { ?e h:iso2 $VALUE } UNION { ?e h:iso3 $VALUE } }
"""
_FUZZY_KEYS = f"""
SELECT ?key ?e WHERE {{
  {{ ?e a h:Country ; k:name|k:alias ?key }}
  UNION {{ ?e a h:Continent ; k:name ?key }}
  UNION {{ ?e a h:City ; h:population ?p ; k:name ?key
           FILTER(?p >= {FUZZY_CITY_POPULATION}) }}
}}
"""


class EntityIndex:
    """Looks names up in the world graph's key index."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._fuzzy: tuple[list[str], list[str]] | None = None
        self._lock = threading.Lock()
        self.candidates = functools.lru_cache(maxsize=4096)(self._candidates)
        # Template matching tries the same non-names ("the capital of") again and again.
        self.near = functools.lru_cache(maxsize=4096)(self._near)

    def _select(self, query: str, value: str | None = None) -> list[Any]:
        """Solutions of `query`, with `value` (as an escaped literal) in place of $VALUE."""
        if value is not None:
            query = query.replace("$VALUE", str(Literal(value)))
        found = self.store.query(v.PREFIXES + query, use_default_graph_as_union=True)
        assert isinstance(found, QuerySolutions)
        return list(found)

    def _candidates(self, key: str) -> tuple[tuple[int, Entity], ...]:
        """Every (how, entity) whose name folds to `key`."""
        how: dict[str, int] = {}
        for row in self._select(_KEYED, key):
            found = _HOW.get(row["p"].value)
            if found is not None:
                iri = row["e"].value
                how[iri] = min(found, how.get(iri, found))
        return tuple((how[e.iri], e) for e in self._details(list(how)))

    def namesakes(self, entity_id: str, name: str, population: int) -> list[Entity]:
        """Other cities called `name` with at least a third of this one's people, biggest first
        (to say "there is also a Valencia in Spain")."""
        found = [
            e
            for how, e in self.candidates(lookup_key(name))
            if how == OWN_NAME
            and e.kind == "city"
            and e.id != entity_id
            and e.population * 3 >= population
        ]
        return sorted(found, key=lambda e: -e.population)

    def entity(self, entity_id: str) -> Entity | None:
        """The entity with this id ("country/KE"), if it is a country, city or continent."""
        found = self._details([v.BASE + entity_id.removeprefix(v.BASE)])
        return found[0] if found else None

    def _details(self, iris: list[str]) -> list[Entity]:
        if not iris or any(not _IRI.fullmatch(iri) for iri in iris):
            return []
        entities = " ".join(f"<{iri}>" for iri in iris)
        out: list[Entity] = []
        for row in self._select(_DETAILS.replace("$ENTITIES", entities)):
            kind = _KIND.get(row["type"].value)
            if kind is None:
                continue
            parts = (row["state"] if kind == "city" else None, row["within"])
            where = ", ".join(str(t.value) for t in parts if t is not None and t.value)
            entity = Entity(
                id=row["e"].value.removeprefix(v.BASE),
                kind=kind,
                name=row["name"].value,
                population=int(row["people"].value) if row["people"] is not None else 0,
                timezone=row["zone"].value if row["zone"] is not None else None,
                where=where,
            )
            out.append(entity)
        return out

    def _code(self, code: str, kinds: tuple[str, ...]) -> Entity | None:
        rows = self._select(_CODE, code)
        if not rows or "country" not in kinds:
            return None
        iri = rows[0]["e"].value
        for how, entity in self.candidates(lookup_key(self._name(iri))):
            if entity.iri == iri:
                del how
                return entity
        return None

    def _name(self, iri: str) -> str:
        rows = self._select(f"SELECT ?n WHERE {{ <{iri}> h:name ?n }}")
        return str(rows[0]["n"].value) if rows else ""

    def lookup(
        self, words: Sequence[str], original: str = "", kinds: Iterable[str] = KINDS
    ) -> Match | None:
        """The entity `words` (folded tokens) name, or None; `original` is the text as typed."""
        wanted = tuple(kinds)
        text = " ".join(w for w in words if w.isalnum())
        if not text:
            return None
        typed = original.strip().strip(".?!,")
        if typed.isupper() and typed.isalpha() and len(typed) in (2, 3):
            entity = self._code(typed, wanted)
            if entity is not None:
                return Match(entity, ALIAS, 100.0)
        candidates = self.candidates(text)
        if not candidates and text.startswith("the "):
            text = text[4:]
            candidates = self.candidates(text)
        best: tuple[int, Entity] | None = None
        for how, entity in candidates:
            if entity.kind in wanted and (best is None or _better(how, entity, *best)):
                best = (how, entity)
        if best is not None:
            return Match(best[1], best[0], 100.0)
        return self._fuzzy_match(text, wanted)

    def _fuzzy_keys(self) -> tuple[list[str], list[str]]:
        with self._lock:
            if self._fuzzy is None:
                pairs = {str(r["key"].value): r["e"].value for r in self._select(_FUZZY_KEYS)}
                self._fuzzy = (list(pairs), list(pairs.values()))
            return self._fuzzy

    def _near(self, text: str) -> tuple[tuple[str, float, int], ...]:
        """(key, similarity, position) of the keys `text` may be a misspelling of, likeliest
        first: the most similar key if it is similar enough, then those one typo away."""
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import OSA

        keys, _ = self._fuzzy_keys()
        found = process.extractOne(text, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        near = [(found[0], float(found[1]), found[2])] if found is not None else []
        if len(text.replace(" ", "")) >= TYPO_MIN_CHARS:
            typos = process.extract(text, keys, scorer=OSA.distance, score_cutoff=1, limit=5)
            near += [(key, fuzz.ratio(text, key), at) for key, _, at in typos]
        return tuple(near)

    def _fuzzy_match(self, text: str, kinds: tuple[str, ...]) -> Match | None:
        words = text.split()
        if len(text.replace(" ", "")) < FUZZY_MIN_CHARS or len(words) > FUZZY_MAX_WORDS:
            return None
        if words[0] in EDGE_WORDS or words[-1] in EDGE_WORDS:
            return None
        _, iris = self._fuzzy_keys()
        near = [self._keyed(key, iris[at], kinds, score) for key, score, at in self.near(text)]
        if near and near[0] is not None and near[0].score >= FUZZY_CUTOFF:
            return near[0]
        # Several names one typo away: a country before a city, a big city before a small one.
        typos = sorted(
            (m for m in near if m is not None),
            key=lambda m: (KINDS.index(m.entity.kind), -m.entity.population),
        )
        return typos[0] if typos else None

    def _keyed(self, key: str, iri: str, kinds: tuple[str, ...], score: float) -> Match | None:
        """The entity `iri` (found under the lookup key `key`), if it is of a wanted kind."""
        for _, entity in self.candidates(key):
            if entity.iri == iri and entity.kind in kinds:
                return Match(entity, FUZZY, score)
        return None

    def search(self, query: str, limit: int = 10, kinds: Iterable[str] = KINDS) -> list[Match]:
        """Entities whose names match `query`: exact names first, then close ones."""
        from rapidfuzz import fuzz, process

        wanted = tuple(kinds)
        results: dict[str, Match] = {}
        typed = query.strip()
        if typed.isupper() and typed.isalpha() and len(typed) in (2, 3):
            entity = self._code(typed, wanted)
            if entity is not None:
                results[entity.id] = Match(entity, ALIAS, 100.0)
        text = lookup_key(query)
        for how, entity in self.candidates(text):
            if entity.kind in wanted:
                results.setdefault(entity.id, Match(entity, how, 100.0))
        if len(results) < limit and len(text) >= 3:
            keys, _ = self._fuzzy_keys()
            for name, score, _ in process.extract(
                text, keys, scorer=fuzz.WRatio, limit=limit * 2, score_cutoff=80
            ):
                for how, entity in self.candidates(name):
                    if entity.kind in wanted:
                        results.setdefault(entity.id, Match(entity, max(how, FUZZY), score))
        ranked = sorted(
            results.values(),
            key=lambda m: (-m.score, m.how, KINDS.index(m.entity.kind), -m.entity.population),
        )
        return ranked[:limit]


def _better(how: int, entity: Entity, best_how: int, best: Entity) -> bool:
    """Whether (how, entity) is a likelier reading than the best so far."""
    if entity.kind != best.kind or entity.kind != "city":
        # A country's own name beats a namesake city's ("Mexico", "Georgia"), which beats
        # a country's alias or demonym.
        if how != best_how:
            return how < best_how
        if entity.kind != best.kind:
            return KINDS.index(entity.kind) < KINDS.index(best.kind)
        return entity.population > best.population
    # Cities: an alternate name of a much bigger city beats a small city's own name
    # ("Bombay" is Mumbai, not a village called Bombay).
    weight = {OWN_NAME: 1.0, ALIAS: 0.1, QUALIFIED: 1.0, DEMONYM: 0.0, FUZZY: 0.0}
    return entity.population * weight[how] > best.population * weight[best_how]


_shared: EntityIndex | None = None


def install(index: EntityIndex | None) -> None:
    """Makes `index` the one the language layer's place slots use (the engine calls this)."""
    global _shared
    _shared = index


def shared_index() -> EntityIndex | None:
    """The index of the world graph this process opened, if it has opened one."""
    return _shared
