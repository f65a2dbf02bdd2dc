"""The world graph: an RDF dataset in an embedded, persistent pyoxigraph store.

It is built once from the packaged sources (`loaders`) into `<knowledge dir>/world`, one
named graph per source, and then only ever opened read-only, so the server, the CLI and any
number of readers can share it. A build writes a fresh directory and swaps it in, under a file
lock, so a reader never sees half a graph.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store

from heron.errors import EngineUnavailable, NotFound
from heron.knowledge import vocabulary as v
from heron.knowledge.linking import ABBREVIATIONS, lookup_key
from heron.knowledge.loaders import (
    CONTINENTS,
    Sense,
    World,
    load_wordnet,
    load_world,
    sources_version,
)
from heron.language.slots import STOPWORDS

GRAPH_VERSION = 1
"""Bump when the shape of the graph changes; installed graphs are then rebuilt."""
MARKER = "heron-graph.json"
XSD = "http://www.w3.org/2001/XMLSchema#"

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total)"""


def _quiet(stage: str, done: int, total: int) -> None:
    del stage, done, total


def _int(value: int) -> Literal:
    return Literal(str(int(value)), datatype=NamedNode(XSD + "integer"))


def _double(value: float) -> Literal:
    return Literal(repr(float(value)), datatype=NamedNode(XSD + "double"))


def _text(value: str) -> Literal:
    return Literal(value)


def _latin(name: str) -> bool:
    """Whether a name is written in a script the English interface can match."""
    return all(ord(c) < 0x250 or c in "’‘" for c in name)


class _Writer:
    """Collects quads for one source's named graph."""

    def __init__(self, source: str) -> None:
        self.graph = v.SOURCES[source]
        self.quads: list[Quad] = []

    def add(self, subject: NamedNode, prop: NamedNode, value: NamedNode | Literal) -> None:
        self.quads.append(Quad(subject, prop, value, self.graph))

    def text(self, subject: NamedNode, prop: NamedNode, value: str | None) -> None:
        if value:
            self.add(subject, prop, _text(value.strip()))


def world_quads(world: World) -> dict[str, list[Quad]]:
    """Every fact of `world`, in the named graph of the source that states it."""
    out = {name: _Writer(name) for name in ("geonames", "countryinfo", "pycountry", "keys")}
    geo, info, iso, keys = out["geonames"], out["countryinfo"], out["pycountry"], out["keys"]

    def keyed(node: NamedNode, prop: NamedNode, names: Iterable[str | None]) -> None:
        for found in dict.fromkeys(lookup_key(n) for n in names if n):
            if len(found) >= 2 and found not in STOPWORDS:
                keys.add(node, prop, _text(found))

    for code, name in CONTINENTS.items():
        node = v.continent(code)
        geo.add(node, v.RDF_TYPE, v.CONTINENT)
        geo.text(node, v.NAME, name)
        keyed(node, v.KEY_NAME, [name])
    for city in world.cities.values():
        node = v.city(city.id)
        geo.add(node, v.RDF_TYPE, v.CITY)
        geo.text(node, v.NAME, city.name)
        geo.add(node, v.COUNTRY_OF, v.country(city.country))
        geo.add(node, v.POPULATION, _int(city.population))
        geo.add(node, v.LATITUDE, _double(city.latitude))
        geo.add(node, v.LONGITUDE, _double(city.longitude))
        geo.text(node, v.TIMEZONE, city.timezone)
        geo.text(node, v.REGION, city.admin1)
        aliases = [a for a in dict.fromkeys(city.aliases) if _latin(a)]
        for alias in aliases:  # other scripts: the interface is English, and they double the size
            geo.text(node, v.ALIAS, alias)
        keyed(node, v.KEY_NAME, [city.name])
        keyed(node, v.KEY_ALIAS, aliases)
        country_name = world.countries[city.country].name if city.country in world.countries else ""
        keyed(node, v.KEY_QUALIFIED, [f"{city.name} {q}" for q in (city.admin1, country_name) if q])
    used_currencies: set[str] = set()
    used_languages: set[str] = set()
    for country in world.countries.values():
        node = v.country(country.iso2)
        geo.add(node, v.RDF_TYPE, v.COUNTRY)
        geo.text(node, v.NAME, country.name)
        geo.text(node, v.ISO2, country.iso2)
        geo.text(node, v.ISO3, country.iso3)
        geo.add(node, v.CONTINENT_OF, v.continent(country.continent))
        iso.text(node, v.OFFICIAL_NAME, country.official_name)
        aliases = sorted(a for a in country.aliases - {country.name} if _latin(a))
        for alias in aliases:
            (iso if alias in (country.official_name,) else info).text(node, v.ALIAS, alias)
        for demonym in sorted(country.demonyms):
            info.text(node, v.DEMONYM, demonym)
        keyed(node, v.KEY_NAME, [country.name])
        keyed(node, v.KEY_ALIAS, [*aliases, *ABBREVIATIONS.get(country.iso2, ())])
        keyed(node, v.KEY_DEMONYM, [d + s for d in country.demonyms for s in ("", "s")])
        info.text(node, v.REGION, country.region)
        info.text(node, v.SUBREGION, country.subregion)
        for zone in country.timezones:
            info.text(node, v.TIMEZONE, zone)
        for source, writer in (("geonames", geo), ("countryinfo", info)):
            if source in country.capital:
                writer.add(node, v.CAPITAL, v.city(country.capital[source]))
            if source in country.population:
                writer.add(node, v.POPULATION, _int(country.population[source]))
            if source in country.area_km2:
                writer.add(node, v.AREA_KM2, _double(country.area_km2[source]))
            for code in country.currencies.get(source, []):
                writer.add(node, v.CURRENCY_OF, v.currency(code))
                used_currencies.add(code)
            for code in country.languages.get(source, []):
                if code in world.languages:
                    writer.add(node, v.LANGUAGE_OF, v.language(code))
                    used_languages.add(code)
            for neighbour in country.borders.get(source, []):
                if neighbour in world.countries:
                    writer.add(node, v.BORDERS, v.country(neighbour))
            for calling in country.calling_codes.get(source, []):
                writer.text(node, v.CALLING_CODE, calling)
    for code in sorted(used_currencies):
        node = v.currency(code)
        iso.add(node, v.RDF_TYPE, v.CURRENCY)
        iso.text(node, v.NAME, world.currencies.get(code, code))
    for code in sorted(used_languages):
        node = v.language(code)
        iso.add(node, v.RDF_TYPE, v.LANGUAGE)
        iso.text(node, v.NAME, world.languages[code])
    return {name: writer.quads for name, writer in out.items()}


def wordnet_quads(senses: Iterable[Sense]) -> Iterator[Quad]:
    graph = v.SOURCES["wordnet"]
    for sense in senses:
        node = v.sense(sense.pos, sense.offset)
        yield Quad(node, v.RDF_TYPE, v.SENSE, graph)
        yield Quad(node, v.PART_OF_SPEECH, _text(sense.pos), graph)
        yield Quad(node, v.DEFINITION, _text(sense.definition), graph)
        for lemma in sense.lemmas:
            yield Quad(node, v.LEMMA, _text(lemma), graph)


@dataclass(frozen=True)
class BuildReport:
    seconds: float
    quads: dict[str, int]
    entities: dict[str, int]


def _chunks(quads: Iterable[Quad], size: int = 50_000) -> Iterator[list[Quad]]:
    chunk: list[Quad] = []
    for quad in quads:
        chunk.append(quad)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build(target: Path, progress: Progress = _quiet) -> BuildReport:
    """Builds the graph into the new directory `target` and writes its marker."""
    started = time.perf_counter()
    progress("reading GeoNames, countryinfo and pycountry", 0, 1)
    world = load_world()
    by_source = world_quads(world)
    senses = list(load_wordnet())
    by_source["wordnet"] = list(wordnet_quads(senses))
    total = sum(len(q) for q in by_source.values())
    store = Store(str(target))
    done = 0
    for source, quads in by_source.items():
        for chunk in _chunks(quads):
            store.bulk_extend(chunk)
            done += len(chunk)
            progress(f"loading {v.SOURCE_LABELS[source]}", done, total)
    store.flush()
    progress("optimizing", total, total)
    store.optimize()
    del store
    report = BuildReport(
        seconds=round(time.perf_counter() - started, 1),
        quads={source: len(quads) for source, quads in by_source.items()},
        entities={
            "countries": len(world.countries),
            "cities": len(world.cities),
            "continents": len(CONTINENTS),
            "word senses": len(senses),
        },
    )
    marker = {
        "graph_version": GRAPH_VERSION,
        "sources": sources_version(),
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": report.seconds,
        "quads": report.quads,
        "entities": report.entities,
    }
    (target / MARKER).write_text(json.dumps(marker, indent=2))
    return report


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class WorldGraph:
    """The installed world graph under `directory` (e.g. `<data dir>/knowledge`)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "world"
        self._store: Store | None = None

    def marker(self) -> dict[str, Any] | None:
        try:
            found: dict[str, Any] = json.loads((self.path / MARKER).read_text())
        except (OSError, ValueError):
            return None
        return found

    def current(self) -> bool:
        """Whether an up-to-date graph is installed."""
        marker = self.marker()
        return (
            marker is not None
            and marker.get("graph_version") == GRAPH_VERSION
            and marker.get("sources") == sources_version()
        )

    def ensure(self, progress: Progress = _quiet, *, force: bool = False) -> bool:
        """Builds the graph unless an up-to-date one is installed; True if it built."""
        if not force and self.current():
            return False
        with _locked(self.directory):
            if not force and self.current():  # another process built it meanwhile
                return False
            fresh = self.directory / f"world.building-{os.getpid()}"
            shutil.rmtree(fresh, ignore_errors=True)
            try:
                build(fresh, progress)
            except BaseException:
                shutil.rmtree(fresh, ignore_errors=True)
                raise
            self._store = None
            old = self.directory / f"world.old-{os.getpid()}"
            if self.path.exists():
                self.path.rename(old)
            fresh.rename(self.path)
            shutil.rmtree(old, ignore_errors=True)
        return True

    @property
    def store(self) -> Store:
        """The graph opened read-only; EngineUnavailable if it is not built."""
        if self._store is None:
            if not self.current():
                raise EngineUnavailable(
                    "the world knowledge graph is not built yet; run: heron kg build"
                )
            try:
                self._store = Store.read_only(str(self.path))
            except OSError as error:
                raise EngineUnavailable(
                    f"the world knowledge graph cannot be opened: {error}"
                ) from error
        return self._store

    def stats(self) -> dict[str, Any]:
        marker = self.marker() or {}
        size = sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())
        return {
            "path": str(self.path),
            "built_at": marker.get("built_at"),
            "build_seconds": marker.get("seconds"),
            "sources": marker.get("sources"),
            "quads": marker.get("quads", {}),
            "entities": marker.get("entities", {}),
            "bytes": size,
            "current": self.current(),
        }

    def entity(self, iri: str) -> dict[str, Any]:
        """Everything the graph states about `iri`, grouped by property, with sources."""
        iri = entity_iri(iri)
        query = (
            f"SELECT ?p ?o ?g ?label WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} "
            f"OPTIONAL {{ ?o <{v.NAME.value}> ?label }} }}"
        )
        found = self.store.query(query, use_default_graph_as_union=True)
        assert isinstance(found, QuerySolutions)
        facts: dict[str, list[dict[str, Any]]] = {}
        sources = {node.value: name for name, node in v.SOURCES.items()}
        for row in found:
            if row["g"] == v.SOURCES["keys"]:
                continue  # lookup keys are an index, not facts
            prop = row["p"].value.removeprefix(v.BASE).rsplit("#", 1)[-1]
            value = row["o"]
            entry: dict[str, Any] = {"source": sources.get(row["g"].value, row["g"].value)}
            if isinstance(value, NamedNode):
                entry["id"] = value.value.removeprefix(v.BASE)
                if row["label"] is not None:
                    entry["name"] = row["label"].value
            else:
                entry["value"] = plain_value(value)
            facts.setdefault(prop, []).append(entry)
        if not facts:
            raise NotFound(f"no entity {iri.removeprefix(v.BASE)!r} in the world graph")
        names = facts.get("name") or [{"value": iri.rsplit("/", 1)[-1]}]
        return {"id": iri.removeprefix(v.BASE), "name": names[0]["value"], "facts": facts}


_ENTITY_ID = re.compile(r"^[A-Za-z]+/[A-Za-z0-9_-]+$")


def entity_iri(entity_id: str) -> str:
    """ "country/KE" (or the full IRI) → the IRI; NotFound for anything else."""
    local = entity_id.removeprefix(v.BASE).strip("/")
    if not _ENTITY_ID.match(local):
        raise NotFound(f"{entity_id!r} is not an entity id (like country/KE or city/2988507)")
    return v.BASE + local


def plain_value(term: Any) -> Any:
    """A literal as a JSON value."""
    if isinstance(term, Literal):
        datatype = term.datatype.value if term.datatype else ""
        if datatype.endswith(("#integer", "#int", "#long")):
            return int(term.value)
        if datatype.endswith(("#double", "#decimal", "#float")):
            return float(term.value)
        return term.value
    return term.value
