"""Texts for bench/keyboard.py: what people type to an assistant, and one author's own prose
for the personal model; fetched or read in place, cached under ~/.cache/heron-bench/keyboard.

- General text: the CLINC150 test utterances (in-scope and out-of-scope, CC BY 3.0) and the
  SNIPS validation utterances (2017-06 custom intent engines, Sonos' benchmark repository),
  read from ../shared/datasets, never copied into the repository.
- One author's text: Jane Austen's six novels in Debian's `r-cran-janeaustenr` and Herman
  Melville's Moby Dick in `r-cran-tokenizers` (`apt-get download`, `dpkg-deb -x`). Both
  packages are MIT (their debian/copyright); the novels themselves are public domain
  (Project Gutenberg texts, whose header and licence are cut off here). They are R lazy-load
  databases (data/Rdata.rdx, an index readable as RDS, and data/Rdata.rdb, zlib-compressed
  serialised objects at its offsets): each object is unpacked by hand and parsed with the
  `rdata` package (a bench-only dependency).

The keyboard's base model is built from wordfreq, symspellpy's dictionaries and Debian text
(fortunes, WordNet examples), none of it these novels or utterances: they are held out.

    .venv/bin/python bench/keyboard_data.py     # fetches everything and prints the sizes
"""

from __future__ import annotations

import json
import re
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from debian import unpacked, version

CACHE_DIR = Path.home() / ".cache" / "heron-bench" / "keyboard"
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
AUSTEN_PACKAGE = "r-cran-janeaustenr"
MELVILLE_PACKAGE = "r-cran-tokenizers"
AUSTEN_NOVELS = {
    "sensesensibility": "Sense and Sensibility",
    "prideprejudice": "Pride and Prejudice",
    "mansfieldpark": "Mansfield Park",
    "emma": "Emma",
    "northangerabbey": "Northanger Abbey",
    "persuasion": "Persuasion",
}
"""The package's object names → the titles, in order of publication."""


@dataclass(frozen=True)
class Author:
    """One author's paragraphs, split in two: the personal model learns from `learn` and is
    tested on `test` (the first and second half of every book, by words)."""

    name: str
    books: tuple[str, ...]
    learn: tuple[str, ...]
    test: tuple[str, ...]
    source: str
    """The Debian package and version the text came from."""


# --- general text ------------------------------------------------------------------------


def sentence_case(text: str) -> str:
    """A lower-cased utterance as a phone would have it typed: its first letter and the
    pronoun "I" in capitals (names stay in lower case: nothing says which words they are)."""
    text = re.sub(r"\bi(?=$|\s|'(?:m|d|ll|ve)\b)", "I", text)
    return text[:1].upper() + text[1:]


def clinc150_test() -> list[str]:
    """CLINC150's 4,500 in-scope and 1,000 out-of-scope test utterances, without
    punctuation as the set has them, in sentence case (`sentence_case`: the set is all lower
    case)."""
    data = json.loads((DATASETS / "clinc150" / "data_full.json").read_text("utf-8"))
    return [sentence_case(text) for key in ("test", "oos_test") for text, _intent in data[key]]


def snips_validate() -> list[str]:
    """SNIPS' 700 validation utterances (100 per intent), cased and punctuated."""
    texts = []
    for path in sorted((DATASETS / "snips").glob("validate_*.json")):
        for examples in json.loads(path.read_text("utf-8", errors="replace")).values():
            for example in examples:
                texts.append(" ".join("".join(part["text"] for part in example["data"]).split()))
    return texts


def general_texts() -> list[str]:
    """What people type or say to an assistant: CLINC150's test utterances then SNIPS'."""
    return clinc150_test() + snips_validate()


# --- one author's text -------------------------------------------------------------------


def package_folder(package: str) -> Path:
    return unpacked(package, CACHE_DIR)


def package_version(package: str) -> str:
    return version(package, CACHE_DIR)


def lazy_load(package: str, library: str) -> dict[str, Any]:
    """Every object of an R package's lazy-load data database, converted by `rdata`."""
    import rdata  # bench-only; imported here so the cached texts need no R reader

    data = package_folder(package) / "usr/lib/R/site-library" / library / "data"
    objects = {}
    with warnings.catch_warnings():
        # rdata warns that a bare serialised object has no RDS header: it has none here.
        warnings.simplefilter("ignore", UserWarning)
        index = rdata.read_rds(data / "Rdata.rdx")
        if not bool(index["compressed"][0]):
            raise SystemExit(f"{package}: an uncompressed lazy-load database is not handled")
        database = (data / "Rdata.rdb").read_bytes()
        for name, (offset, length) in index["variables"].items():
            # Each object: its uncompressed size (4 bytes, big-endian), then zlib data.
            raw = zlib.decompress(database[int(offset) + 4 : int(offset) + int(length)])
            objects[str(name)] = rdata.conversion.convert(rdata.parser.parse_data(raw))
    return objects


def _clean(paragraph: str) -> str:
    # Gutenberg's _italics_ marks go; a double hyphen is a dash between words.
    text = paragraph.replace("_", "").replace("--", " — ")
    return " ".join(text.split())


def _prose(paragraphs: list[str]) -> list[str]:
    """Paragraphs of running text: headings (no lower-case letter, a single word such as
    "Finis", or "Chapter 3" / "CHAPTER 32. Cetology.") and editors' bracketed notes are left
    out."""
    kept = []
    for paragraph in map(_clean, paragraphs):
        size = len(paragraph.split())
        if not re.search(r"[a-z]", paragraph) or size < 2 or paragraph.startswith("["):
            continue
        if size <= 8 and re.match(r"(?i)chapter [\divxlc]+\b", paragraph):
            continue
        kept.append(paragraph)
    return kept


def _paragraphs(lines: list[str]) -> list[str]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return _prose([" ".join(block) for block in blocks if block])


def _cached(name: str, build: Any) -> dict[str, list[str]]:
    path = CACHE_DIR / f"{name}.json"
    if not path.exists():
        books = build()
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        path.with_suffix(".partial").write_text(json.dumps(books, ensure_ascii=False))
        path.with_suffix(".partial").rename(path)
    loaded: dict[str, list[str]] = json.loads(path.read_text("utf-8"))
    return loaded


def austen_novels() -> dict[str, list[str]]:
    """Title → paragraphs, from the first chapter on (title pages and prefaces left out)."""

    def build() -> dict[str, list[str]]:
        objects = lazy_load(AUSTEN_PACKAGE, "janeaustenr")
        books = {}
        for name, title in AUSTEN_NOVELS.items():
            lines = [str(line) for line in objects[name]]
            start = next(
                i
                for i, line in enumerate(lines)
                if re.match(r"(?i)chapter 1\b|chapter i$", line.strip())
            )
            books[title] = _paragraphs(lines[start:])
        return books

    return _cached("austen", build)


def moby_dick() -> dict[str, list[str]]:
    """Moby Dick's paragraphs, from chapter 1 to the epilogue (the Gutenberg header,
    the etymology and extracts, and the licence left out)."""

    def build() -> dict[str, list[str]]:
        [text] = [str(t) for t in lazy_load(MELVILLE_PACKAGE, "tokenizers")["mobydick"]]
        start = text.index("CHAPTER 1. Loomings.")
        end = text.index("End of Project Gutenberg's Moby Dick")
        return {"Moby Dick": _paragraphs(text[start:end].splitlines())}

    return _cached("melville", build)


def halves(books: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """The first half of every book's paragraphs (by words) and the second half."""
    first: list[str] = []
    second: list[str] = []
    for paragraphs in books.values():
        sizes = [len(p.split()) for p in paragraphs]
        half, seen, cut = sum(sizes) / 2, 0, len(paragraphs)
        for i, size in enumerate(sizes):
            if seen >= half:
                cut = i
                break
            seen += size
        first += paragraphs[:cut]
        second += paragraphs[cut:]
    return first, second


def author(name: str = "austen") -> Author:
    """One author's text split into learn and test halves: "austen" (six novels) or
    "melville" (Moby Dick)."""
    if name == "austen":
        books, package, label = austen_novels(), AUSTEN_PACKAGE, "Jane Austen"
    elif name == "melville":
        books, package, label = moby_dick(), MELVILLE_PACKAGE, "Herman Melville"
    else:
        raise ValueError(f"no author {name!r}: austen or melville")
    package_folder(package)  # the version is read from the .deb even when the text is cached
    learn, test = halves(books)
    return Author(
        label, tuple(books), tuple(learn), tuple(test), f"{package} {package_version(package)}"
    )


def author_halves(name: str = "austen") -> tuple[list[str], list[str]]:
    """The author's learn half and test half, as paragraphs."""
    found = author(name)
    return list(found.learn), list(found.test)


def fortunes_quoting(author: str) -> int:
    """Quotations in Debian's fortunes (part of the keyboard model's text) attributed to
    `author` ("Austen", "Melville"): the only place the held-out authors reach the model."""
    folder = Path("/usr/share/games/fortunes")
    if not folder.is_dir():
        return 0
    found = 0
    for path in folder.iterdir():
        if path.suffix or not path.is_file():
            continue
        for entry in path.read_text("utf-8", errors="replace").split("\n%\n"):
            attribution = re.findall(r"^\s*--.*$", entry, flags=re.M)
            if any(re.search(rf"(Jane|J\.|H\.|Herman) {author}\b", a) for a in attribution):
                found += 1
    return found


def words(texts: list[str] | tuple[str, ...]) -> int:
    return sum(len(text.split()) for text in texts)


def main() -> None:
    general = general_texts()
    print(
        f"general: {len(general)} utterances ({len(clinc150_test())} CLINC150, "
        f"{len(snips_validate())} SNIPS), {words(general)} words"
    )
    print("e.g.", general[:2], general[-2:])
    for name in ("austen", "melville"):
        found = author(name)
        print(f"  fortunes quoting {name}: {fortunes_quoting(name.capitalize())}")
        print(
            f"{found.name} ({found.source}, {len(found.books)} books): learn "
            f"{len(found.learn)} paragraphs / {words(found.learn)} words, test "
            f"{len(found.test)} / {words(found.test)}"
        )
        print("  e.g.", found.test[0][:160])


if __name__ == "__main__":
    main()
