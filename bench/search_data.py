"""Retrieval sets for bench/search.py: any BEIR-format folder, and a known-item set built from
the English manual pages installed on this machine (query: a page's one-line description).

The manual-page set: every page in /usr/share/man/man1..man8 is rendered to plain text with
groff (the renderer `man` uses). The description in its NAME section ("ls - list directory
contents" → "list directory contents") is the query; the page without its NAME section and
without its header and footer lines is the one relevant document. Aliases (symbolic links,
`.so` pages) are skipped; pages whose description several pages share, or whose text another
page has too, are never queries (their known item would be ambiguous). The set is written in
BEIR format under ~/.cache/heron-bench/manpages/<digest>, keyed by the installed pages.

    .venv/bin/python bench/search_data.py [--queries 2000] [--beir DIR]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rich.progress import Progress

CACHE_DIR = Path.home() / ".cache" / "heron-bench" / "manpages"
MAN_ROOT = Path("/usr/share/man")
SECTIONS = tuple(f"man{n}" for n in range(1, 9))  # English only: translations are in man/<lang>
# Google Cloud CLI's generated reference: 16,600 pages of one tool, most of them in alpha, beta
# and GA near-copies; kept, they would be three quarters of the corpus and its known items
# would have near-twins.
EXCLUDED_PREFIXES = ("gcloud_",)
VERSION = 2  # bump when the way a set is built changes: the cache key includes it
MIN_BODY_WORDS = 50
MIN_QUERY_WORDS = 3
# help2man writes this when a program has no description: it names the page, not its subject.
PLACEHOLDER = re.compile(r"\bmanual page for\b", re.I)
DASH = re.compile(r"\s+(?:\\?-|\u2010|\u2212|\u2013|\u2014)+\s+")
HEADING = re.compile(r"^[A-Z][A-Z0-9 ,/&()'-]*$")


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class RetrievalSet:
    """A BEIR-style test collection: documents, queries, and graded relevance per query."""

    name: str
    corpus: tuple[Document, ...]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]

    def describe(self) -> str:
        return f"{self.name}: {self.sizes()}"

    def sizes(self) -> str:
        words = sorted(len(doc.text.split()) for doc in self.corpus)
        median = words[len(words) // 2] if words else 0
        return (
            f"{len(self.corpus):,} documents (median {median:,} words), "
            f"{len(self.queries):,} queries, "
            f"{sum(len(r) for r in self.qrels.values()):,} relevance judgements"
        )

    def subset(self, queries: int, documents: int, seed: int = 13) -> RetrievalSet:
        """A smaller set: `queries` of the queries and a corpus of `documents` documents that
        holds every document relevant to them, the rest drawn at random."""
        chooser = random.Random(seed)
        kept = sorted(chooser.sample(sorted(self.queries), min(queries, len(self.queries))))
        needed = {doc for q in kept for doc in self.qrels.get(q, {})}
        others = sorted(doc.id for doc in self.corpus if doc.id not in needed)
        extra = set(chooser.sample(others, max(0, min(len(others), documents - len(needed)))))
        return RetrievalSet(
            f"{self.name} (subset)",
            tuple(doc for doc in self.corpus if doc.id in needed or doc.id in extra),
            {q: self.queries[q] for q in kept},
            {q: self.qrels[q] for q in kept if q in self.qrels},
        )


def load_beir(folder: Path, split: str = "test") -> RetrievalSet:
    """A BEIR-format folder: corpus.jsonl ({_id, title, text}), queries.jsonl ({_id, text})
    and qrels/<split>.tsv (query-id, corpus-id, score, with a header line). Only queries with
    judgements in the split are kept, as BEIR's evaluation does."""
    corpus = tuple(
        Document(str(row["_id"]), row.get("title") or "", row.get("text") or "")
        for row in _jsonl(folder / "corpus.jsonl")
    )
    qrels: dict[str, dict[str, int]] = {}
    with (folder / "qrels" / f"{split}.tsv").open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 3 or (number == 0 and not fields[2].lstrip("-").isdigit()):
                continue  # the header, or a blank line
            qrels.setdefault(fields[0], {})[fields[1]] = int(fields[2])
    queries = {
        str(row["_id"]): row["text"]
        for row in _jsonl(folder / "queries.jsonl")
        if str(row["_id"]) in qrels
    }
    return RetrievalSet(folder.name, corpus, queries, qrels)


def write_beir(collection: RetrievalSet, folder: Path, split: str = "test") -> None:
    partial = folder.with_name(f".{folder.name}-{os.getpid()}")
    (partial / "qrels").mkdir(parents=True, exist_ok=True)
    with (partial / "corpus.jsonl").open("w", encoding="utf-8") as out:
        for doc in collection.corpus:
            out.write(json.dumps({"_id": doc.id, "title": doc.title, "text": doc.text}) + "\n")
    with (partial / "queries.jsonl").open("w", encoding="utf-8") as out:
        for qid, text in collection.queries.items():
            out.write(json.dumps({"_id": qid, "text": text}) + "\n")
    with (partial / "qrels" / f"{split}.tsv").open("w", encoding="utf-8") as out:
        out.write("query-id\tcorpus-id\tscore\n")
        for qid, judged in collection.qrels.items():
            for doc_id, score in judged.items():
                out.write(f"{qid}\t{doc_id}\t{score}\n")
    if folder.exists():
        shutil.rmtree(folder)
    partial.replace(folder)  # whole or not at all: a crash leaves no half-written set


def _jsonl(path: Path) -> Iterable[dict[str, str]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


@dataclass(frozen=True)
class ManPage:
    id: str  # the file name without .gz: "ls.1"
    description: str  # the NAME section after its dash
    body: str  # the rendered page without NAME, header and footer


def installed_pages(root: Path = MAN_ROOT) -> list[Path]:
    """The English pages that are not aliases of another page, sorted."""
    found = []
    for section in SECTIONS:
        for path in sorted((root / section).glob("*")):
            if path.is_symlink() or not path.is_file() or path.name.startswith(EXCLUDED_PREFIXES):
                continue
            found.append(path)
    return found


def _source(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def _is_alias(source: bytes) -> bool:
    """A page that only includes another (`.so man1/other.1`)."""
    lines = [
        line
        for line in source.splitlines()
        if line.strip() and not line.startswith((b'.\\"', b"'\\\"", b'\\"'))
    ]
    return len(lines) <= 3 and any(line.startswith(b".so ") for line in lines)


def render(source: bytes) -> str:
    """Plain text, 80 columns, as `MANWIDTH=80 man -l FILE | col -b` shows it (groff is what
    `man` runs; called directly it is twice as fast). No hyphenation: a word split over two
    lines would be two words to BM25."""
    done = subprocess.run(
        ["groff", "-k", "-t", "-mandoc", "-Tutf8", "-rLL=80n", "-rHY=0", "-P-cbou"],
        input=source,
        capture_output=True,
        check=False,
        cwd=MAN_ROOT,  # `.so` includes are relative to the manual's root
        timeout=60,
    )
    return done.stdout.decode("utf-8", errors="replace")


def parse(page_id: str, text: str) -> ManPage | None:
    """The description and the body of a rendered page; None if it has no usable NAME."""
    lines = text.splitlines()
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) < 3:
        return None
    lines = lines[1:-1]  # the header ("LS(1)  User Commands  LS(1)") and the footer
    start = next((i for i, line in enumerate(lines) if line.strip() == "NAME"), None)
    if start is None or lines[start] != lines[start].lstrip():
        return None
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i] and HEADING.match(lines[i])),
        len(lines),
    )
    name = ""
    for line in lines[start + 1 : end]:
        # A long NAME line wraps after a hyphen ("mariadb-secure-" / "installation").
        glued = len(name) > 1 and name[-1] == "-" and name[-2].isalnum()
        name = name + line.strip() if glued else f"{name} {line.strip()}"
    name = " ".join(name.split())
    parts = DASH.split(name, maxsplit=1)
    if len(parts) != 2:
        return None
    description = parts[1].strip().rstrip(".").strip()
    body = "\n".join(lines[:start] + lines[end:]).strip()
    body = re.sub(r"\n{3,}", "\n\n", body)
    return ManPage(page_id, description, body)


def _render_page(path: Path) -> ManPage | None:
    source = _source(path)
    if _is_alias(source):
        return None
    return parse(path.name.removesuffix(".gz"), render(source))


def _key(description: str) -> str:
    return " ".join(description.lower().split())


def manpages_set(
    pages: list[ManPage], queries: int = 2000, seed: int = 13, name: str = "manpages"
) -> RetrievalSet:
    """The known-item set from parsed pages: the corpus is every page with a body of at least
    MIN_BODY_WORDS words (each text once); queries are a seeded sample of those whose
    description is theirs alone, says something (MIN_QUERY_WORDS, not a placeholder) and
    whose text no other page has."""
    pages = sorted((p for p in pages if len(p.body.split()) >= MIN_BODY_WORDS), key=lambda p: p.id)
    descriptions = Counter(_key(p.description) for p in pages)
    bodies = Counter(p.body for p in pages)
    corpus: list[Document] = []
    seen: set[str] = set()
    for page in pages:
        if page.body not in seen:
            seen.add(page.body)
            corpus.append(Document(page.id, "", page.body))
    candidates = [
        p
        for p in pages
        if descriptions[_key(p.description)] == 1
        and bodies[p.body] == 1
        and len(p.description.split()) >= MIN_QUERY_WORDS
        and not PLACEHOLDER.search(p.description)
    ]
    chosen = sorted(
        random.Random(seed).sample(candidates, min(queries, len(candidates))), key=lambda p: p.id
    )
    return RetrievalSet(
        name,
        tuple(corpus),
        {f"q-{p.id}": p.description for p in chosen},
        {f"q-{p.id}": {p.id: 1} for p in chosen},
    )


def manpages(
    queries: int = 2000, seed: int = 13, cache_dir: Path = CACHE_DIR, *, quiet: bool = False
) -> RetrievalSet:
    """The known-item set from this machine's manual pages, built once and then read back
    from the cache (rebuilt when the installed pages, the sample or this builder change)."""
    paths = installed_pages()
    digest = hashlib.sha256(f"{VERSION} {queries} {seed}".encode())
    for path in paths:
        stat = path.stat()
        digest.update(f"\n{path} {stat.st_size} {stat.st_mtime_ns}".encode())
    folder = cache_dir / digest.hexdigest()[:16]
    if (folder / "qrels" / "test.tsv").exists():
        collection = load_beir(folder)
        return RetrievalSet("manpages", collection.corpus, collection.queries, collection.qrels)
    if shutil.which("groff") is None:
        raise SystemExit("the manual-page set needs groff: apt-get install groff-base")
    started = time.perf_counter()
    parsed: list[ManPage] = []
    with (
        Progress(transient=True, disable=quiet) as progress,
        ThreadPoolExecutor(os.cpu_count() or 1) as pool,
    ):
        task = progress.add_task("rendering manual pages", total=len(paths))
        for page in pool.map(_render_page, paths):
            progress.advance(task)
            if page is not None:
                parsed.append(page)
    collection = manpages_set(parsed, queries, seed)
    write_beir(collection, folder)
    if not quiet:
        print(
            f"built from {len(paths):,} installed pages ({len(parsed):,} parsed) in "
            f"{time.perf_counter() - started:.0f} s: {collection.describe()} → {folder}"
        )
    return collection


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--beir", type=Path, help="describe this BEIR-format folder instead")
    args = parser.parse_args()
    collection = load_beir(args.beir) if args.beir else manpages(args.queries, args.seed)
    print(collection.describe())
    for qid in list(collection.queries)[:5]:
        print(f"  {qid}: {collection.queries[qid]!r} → {', '.join(collection.qrels[qid])}")


if __name__ == "__main__":
    main()
