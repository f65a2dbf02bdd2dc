"""Predictive keyboard: keystroke savings and next-word accuracy against a frequency-only
completion baseline, autocorrection against symspellpy's plain lookup on injected typos, the
personal model's gain on one author's unseen half, and the latency, size and memory of it all.

The texts are CLINC150's and SNIPS' utterances from ../shared/datasets and two authors'
novels from Debian packages, cached under ~/.cache/heron-bench/keyboard (bench/keyboard_data.py).

    .venv/bin/python bench/keyboard.py [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.resources
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import regex
from keyboard_data import (
    Author,
    author,
    clinc150_test,
    fortunes_quoting,
    general_texts,
    snips_validate,
    words,
)
from report import p50_p95, percentile, write_section
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from symspellpy import SymSpell, Verbosity
from wordfreq import top_n_list

from heron.textinput.evaluate import Evaluation, evaluate
from heron.textinput.keyboard import Keyboard
from heron.textinput.personal import PersonalModel

COMMAND = ".venv/bin/python bench/keyboard.py"
SEED = 9
TYPO_RATE = 0.10
"""Share of the words of three letters or more that get one typo."""
BASELINE_WORDS = 50_000
SAVINGS_TARGET = 0.40
LATENCY_TARGET_MS = 2.0
FULL = {"general": 6200, "typo_texts": 1000, "austen": 150, "melville": 60}
QUICK = {"general": 300, "typo_texts": 200, "austen": 30, "melville": 15}
"""Texts sampled (seeded) for each part: utterances, utterances with typos, paragraphs of
each author's test half."""
Predict = Callable[[str, str, int], list[str]]
console = Console()


# --- the frequency-only baseline -----------------------------------------------------------


class FrequencyCompletion:
    """The `n` most frequent words (wordfreq's English list) that start with the prefix,
    whatever came before: what context adds is measured against this. Sentence starts and
    "i" are cased as the keyboard cases them, so that casing is not what is compared."""

    def __init__(self, size: int = BASELINE_WORDS) -> None:
        self.by_prefix: dict[str, list[str]] = {}
        for word in top_n_list("en", size):
            for end in range(len(word) + 1):
                found = self.by_prefix.setdefault(word[:end], [])
                if len(found) < 10:
                    found.append(word)

    def predict(self, context: str, prefix: str = "", n: int = 3) -> list[str]:
        words = self.by_prefix.get(prefix.lower(), [])[:n]
        starts = not context.strip() or context.rstrip()[-1] in ".!?"
        return [_cased(word, starts, prefix) for word in words]


def _cased(word: str, sentence_start: bool, prefix: str) -> str:
    if word == "i" or word.startswith("i'"):
        return "I" + word[1:]
    if sentence_start or prefix[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


# --- typos ---------------------------------------------------------------------------------

ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def qwerty_neighbours() -> dict[str, str]:
    """Each letter → the letters around it on a staggered QWERTY keyboard (the row above is
    shifted half a key left of the row below)."""
    around: dict[str, str] = {}
    for r, row in enumerate(ROWS):
        for c, key in enumerate(row):
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            if r > 0:
                near += [ROWS[r - 1][i] for i in (c, c + 1) if i < len(ROWS[r - 1])]
            if r < len(ROWS) - 1:
                near += [ROWS[r + 1][i] for i in (c - 1, c) if 0 <= i < len(ROWS[r + 1])]
            around[key] = "".join(near)
    return around


NEIGHBOURS = qwerty_neighbours()
TYPO_KINDS = ("adjacent key", "dropped letter", "doubled letter", "swapped letters")
REAL_WORD = "(any kind) making another word"
"""Typos that are words of symspellpy's dictionary themselves ("form" for "from")."""
WORD = regex.compile(r"(?<![\w'’])\p{L}+(?:['’]\p{L}+)*(?!\w)")
"""A word as evaluate() counts one, not glued to a number ("th" of "20th" is not a word)."""


def typo(word: str, rng: random.Random) -> tuple[str, str]:
    """One typo in `word` (three letters or more): (the misspelling, its kind)."""
    kinds = list(TYPO_KINDS)
    if len(set(word)) == 1:
        kinds.remove("swapped letters")
    kind = rng.choice(kinds)
    i = rng.randrange(len(word))
    if kind == "adjacent key":
        near = rng.choice(NEIGHBOURS[word[i].lower()])
        return word[:i] + (near.upper() if word[i].isupper() else near) + word[i + 1 :], kind
    if kind == "dropped letter":
        return word[:i] + word[i + 1 :], kind
    if kind == "doubled letter":
        return word[: i + 1] + word[i:], kind
    swaps = [j for j in range(len(word) - 1) if word[j] != word[j + 1]]
    j = rng.choice(swaps)
    return word[:j] + word[j + 1] + word[j] + word[j + 2 :], kind


@dataclass(frozen=True)
class Typed:
    """One word of a text as the user typed it, and the text before it (as meant)."""

    context: str
    meant: str
    typed: str
    kind: str = ""
    """The typo's kind, "" for a word typed right."""


def with_typos(texts: Sequence[str], rng: random.Random, rate: float = TYPO_RATE) -> list[Typed]:
    """Every word of the texts; `rate` of the alphabetic words of three letters or more get
    one typo (words with an apostrophe or a letter outside a to z are left as they are)."""
    typed = []
    for text in texts:
        for match in WORD.finditer(text):
            word, context = match.group(), text[: match.start()]
            if len(word) >= 3 and word.isascii() and word.isalpha() and rng.random() < rate:
                wrong, kind = typo(word, rng)
                typed.append(Typed(context, word, wrong, kind))
            else:
                typed.append(Typed(context, word, word))
    return typed


@dataclass
class Corrections:
    """How one corrector did on the same typed words."""

    name: str
    typos: int = 0
    fixed: int = 0
    """Typos corrected to the word meant."""
    changed: int = 0
    """Words changed (typo'd or not)."""
    clean: int = 0
    clean_changed: int = 0
    """Words typed right and changed all the same."""
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    """Kind → [typos, fixed]."""
    times: list[float] = field(default_factory=list)
    examples: list[tuple[str, str, str]] = field(default_factory=list)
    """(typed, corrected to, meant) of wrong changes."""

    def add(self, word: Typed, output: str, seconds: float, real_word: bool = False) -> None:
        self.times.append(seconds)
        changed = output.lower() != word.typed.lower()
        self.changed += changed
        if word.kind:
            self.typos += 1
            right = output.lower() == word.meant.lower()
            self.fixed += right
            for kind in (word.kind, REAL_WORD) if real_word else (word.kind,):
                counts = self.by_kind.setdefault(kind, [0, 0])
                counts[0] += 1
                counts[1] += right
            if changed and not right:
                self.examples.append((word.typed, output, word.meant))
        else:
            self.clean += 1
            self.clean_changed += changed
            if changed:
                self.examples.append((word.typed, output, word.meant))

    @property
    def precision(self) -> float:
        return self.fixed / self.changed if self.changed else 0.0

    @property
    def recall(self) -> float:
        return self.fixed / self.typos if self.typos else 0.0

    @property
    def false_rate(self) -> float:
        return self.clean_changed / self.clean if self.clean else 0.0


def symspell() -> SymSpell:
    speller = SymSpell(max_dictionary_edit_distance=2)
    dictionary = importlib.resources.files("symspellpy") / "frequency_dictionary_en_82_765.txt"
    with importlib.resources.as_file(dictionary) as path:
        speller.load_dictionary(str(path), term_index=0, count_index=1)
    return speller


def symspell_correct(speller: SymSpell) -> Callable[[str, str], str]:
    def correct(word: str, context: str) -> str:
        found = speller.lookup(word.lower(), Verbosity.TOP, max_edit_distance=2)
        if not found or found[0].term == word.lower():
            return word
        term: str = found[0].term
        return term[:1].upper() + term[1:] if word[:1].isupper() else term

    return correct


def keyboard_correct(keyboard: Keyboard) -> Callable[[str, str], str]:
    def correct(word: str, context: str) -> str:
        return keyboard.correct(word, context).correction or word

    return correct


def run_corrections(
    name: str,
    correct: Callable[[str, str], str],
    words: list[Typed],
    dictionary: set[str],
    progress: Progress,
) -> Corrections:
    found = Corrections(name)
    for word in progress.track(words, description=f"autocorrect: {name}"):
        started = time.perf_counter()
        output = correct(word.typed, word.context)
        found.add(word, output, time.perf_counter() - started, word.typed.lower() in dictionary)
    return found


# --- keystroke savings ----------------------------------------------------------------------


@dataclass
class Run:
    name: str
    evaluation: Evaluation
    times: list[float]
    """Seconds each predict call took."""


def timed(predict: Predict, times: list[float]) -> Predict:
    def call(context: str, prefix: str, n: int) -> list[str]:
        started = time.perf_counter()
        found = predict(context, prefix, n)
        times.append(time.perf_counter() - started)
        return found

    return call


def simulate(name: str, predict: Predict, texts: Sequence[str], progress: Progress) -> Run:
    times: list[float] = []
    task = progress.add_task(f"typing: {name}", total=len(texts))

    def advance(words: int) -> None:  # called once a text, with the text's word count
        progress.advance(task)

    found = evaluate(timed(predict, times), texts, n=3, progress=advance)
    progress.remove_task(task)
    return Run(name, found, times)


def keyboard_predict(keyboard: Keyboard, personal: PersonalModel | None = None) -> Predict:
    def predict(context: str, prefix: str, n: int) -> list[str]:
        return keyboard.predict(context, prefix, n, personal=personal)

    return predict


def caseless(predict: Predict) -> Predict:
    """`predict` with its suggestions in lower case (run on lower-cased texts: casing is
    then not what is measured)."""

    def call(context: str, prefix: str, n: int) -> list[str]:
        return [word.lower() for word in predict(context, prefix, n)]

    return call


def sample(texts: Sequence[str], count: int, seed: int = SEED) -> list[str]:
    """`count` texts drawn without replacement (seeded), in their original order."""
    if count >= len(texts):
        return list(texts)
    return [texts[i] for i in sorted(random.Random(seed).sample(range(len(texts)), count))]


@dataclass
class Personal:
    author: Author
    texts: list[str]
    base: Run
    learnt: Run
    learn_seconds: float
    ngrams: int


def personal_gain(keyboard: Keyboard, writer: Author, count: int, progress: Progress) -> Personal:
    texts = sample(writer.test, count)
    base = simulate(f"{writer.name}, base model", keyboard_predict(keyboard), texts, progress)
    personal = PersonalModel()
    task = progress.add_task(f"learning {writer.name}'s first half", total=len(writer.learn))
    started = time.perf_counter()
    for chunk in batches(writer.learn, 200):
        personal.learn("\n\n".join(chunk))
        progress.advance(task, len(chunk))
    learn_seconds = time.perf_counter() - started
    progress.remove_task(task)
    learnt = simulate(
        f"{writer.name}, after learning", keyboard_predict(keyboard, personal), texts, progress
    )
    return Personal(writer, texts, base, learnt, learn_seconds, personal.size)


def batches(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- loading, size and memory ---------------------------------------------------------------

LOAD_PROBE = """
import json, time
from pathlib import Path
def rss():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
before = rss()
from heron.textinput.keyboard import Keyboard
imported = rss()
started = time.perf_counter()
keyboard = Keyboard.default()
loaded = time.perf_counter() - started
after_load = rss()
first = time.perf_counter()
keyboard.predict("what is the", "wea")
predicted = time.perf_counter() - first
after_predict = rss()
first = time.perf_counter()
keyboard.correct("wether", "what is the")
corrected = time.perf_counter() - first
print(json.dumps({"import": imported - before, "load": after_load - imported,
                  "load_s": loaded, "predict_s": predicted, "predict": after_predict - after_load,
                  "correct_s": corrected, "correct": rss() - after_predict}))
"""


@dataclass(frozen=True)
class Footprint:
    disk_bytes: int
    files: str
    import_bytes: int
    load_bytes: int
    load_ms: float
    predict_ms: float
    predict_bytes: int
    """The first predict call's time and memory growth."""
    correct_ms: float
    correct_bytes: int


def model_files(keyboard: Keyboard) -> list[Path]:
    """The files the base model is loaded from."""
    return sorted(p for p in keyboard.model.folder.iterdir() if p.is_file())


def footprint(keyboard: Keyboard) -> Footprint:
    """The model's size on disk, and what loading it costs a fresh process (memory growth
    by /proc/self/status's VmRSS, and time)."""
    import json

    files = model_files(keyboard)
    probe = subprocess.run(
        [sys.executable, "-c", LOAD_PROBE], capture_output=True, text=True, check=True
    )
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    return Footprint(
        sum(p.stat().st_size for p in files),
        ", ".join(f"{p.name} {p.stat().st_size / 2**20:.1f} MB" for p in files),
        found["import"],
        found["load"],
        found["load_s"] * 1000,
        found["predict_s"] * 1000,
        found["predict"],
        found["correct_s"] * 1000,
        found["correct"],
    )


# --- the report ------------------------------------------------------------------------------


def pct(value: float) -> str:
    return f"{100 * value:.1f} %"


def ms(times: list[float]) -> str:
    return p50_p95([t * 1000 for t in times], 2)


def markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def show(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    table = Table(title=title)
    for name in header:
        table.add_column(name)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def savings_rows(runs: Sequence[Run]) -> list[list[str]]:
    return [
        [
            run.name,
            f"{run.evaluation.words:,}",
            pct(run.evaluation.savings),
            pct(run.evaluation.top1),
            pct(run.evaluation.top3),
            ms(run.times),
        ]
        for run in runs
    ]


SAVINGS_HEADER = (
    "system", "words", "keystroke savings (top 3)", "next word top 1", "next word top 3",
    "predict p50 / p95 ms",
)  # fmt: skip


def correction_rows(systems: Sequence[Corrections]) -> list[list[str]]:
    return [
        [
            found.name,
            pct(found.precision),
            pct(found.recall),
            pct(found.false_rate),
            f"{found.changed:,}",
            ms(found.times),
        ]
        for found in systems
    ]


CORRECTION_HEADER = (
    "corrector", "precision", "recall", "clean words changed", "words changed",
    "p50 / p95 ms a word",
)  # fmt: skip


def by_kind(systems: Sequence[Corrections]) -> str:
    header = ["typo", "typos", *(f"{s.name} recall" for s in systems)]
    rows = []
    for kind in (*TYPO_KINDS, REAL_WORD):
        counts = [s.by_kind.get(kind, [0, 0]) for s in systems]
        rows.append([kind, f"{counts[0][0]:,}", *(pct(c[1] / c[0] if c[0] else 0) for c in counts)])
    return markdown(header, rows)


def mistakes(found: Corrections, count: int = 8) -> str:
    picked = random.Random(SEED).sample(found.examples, min(count, len(found.examples)))
    return ", ".join(f"{typed} → {output} (meant {meant})" for typed, output, meant in picked)


def suggestions(keyboard: Keyboard, personal: PersonalModel | None = None) -> str:
    probes = [
        ("", ""), ("what is the", ""), ("set a timer for", ""), ("how do i", ""),
        ("what's the weather", ""), ("remind me to", ""), ("can you", "pl"), ("i", ""),
        ("thank you. ", ""), ("she was very much", ""),
    ]  # fmt: skip
    lines = []
    for context, prefix in probes:
        words = keyboard.predict(context, prefix, 3, personal=personal)
        lines.append(f"`{context}|{prefix}` → {', '.join(words) or '(none)'}")
    return "; ".join(lines)


def versions() -> str:
    names = ("wordfreq", "symspellpy")
    return ", ".join(f"{name} {importlib.metadata.version(name)}" for name in names)


def times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"


def mark(met: bool) -> str:
    return "met" if met else "not met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run (smoke test)")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    load_before = os.getloadavg()
    started = time.perf_counter()

    build_started = time.perf_counter()
    keyboard = Keyboard.default()
    ready_seconds = time.perf_counter() - build_started
    footprint_found = footprint(keyboard)
    general = general_texts()
    texts = sample(general, sizes["general"])
    typo_texts = sample(general, sizes["typo_texts"], SEED + 1)
    typed = with_typos(typo_texts, random.Random(SEED))
    speller = symspell()
    dictionary = set(speller.words)
    baseline = FrequencyCompletion()

    with Progress(console=console) as progress:
        runs = [
            simulate("frequency only (wordfreq)", baseline.predict, texts, progress),
            simulate("Heron keyboard", keyboard_predict(keyboard), texts, progress),
            simulate(
                "Heron keyboard, casing ignored",
                caseless(keyboard_predict(keyboard)),
                [text.lower() for text in texts],
                progress,
            ),
        ]
        systems = [
            run_corrections(
                "symspellpy lookup", symspell_correct(speller), typed, dictionary, progress
            ),
            run_corrections(
                "Heron keyboard", keyboard_correct(keyboard), typed, dictionary, progress
            ),
        ]
        authors = [
            personal_gain(keyboard, author(name), sizes[name], progress)
            for name in ("austen", "melville")
        ]
    load_after = os.getloadavg()
    minutes = (time.perf_counter() - started) / 60

    show("General text (CLINC150 + SNIPS)", SAVINGS_HEADER, savings_rows(runs))
    show("Autocorrect", CORRECTION_HEADER, correction_rows(systems))
    personal_runs = [run for found in authors for run in (found.base, found.learnt)]
    show("Personal model", SAVINGS_HEADER, savings_rows(personal_runs))

    heron_run = runs[1]
    personal_times = [t for found in authors for t in found.learnt.times]
    base_times = [t for run in runs[1:] for t in run.times]
    base_times += [t for found in authors for t in found.base.times]
    typos = sum(1 for w in typed if w.kind)
    clean = len(typed) - typos
    savings_ok = heron_run.evaluation.savings >= SAVINGS_TARGET
    latency_ok = percentile(base_times, 0.5) * 1000 < LATENCY_TARGET_MS
    sampled = " (a seeded sample)" if len(texts) < len(general) else ""
    f = footprint_found
    mb = 2**20
    author_rows = [
        [
            f"{p.author.name} ({', '.join(p.author.books)})",
            f"{len(p.texts)} paragraphs, {p.base.evaluation.words:,} words",
            pct(p.base.evaluation.savings),
            pct(p.learnt.evaluation.savings),
            f"{100 * (p.learnt.evaluation.savings - p.base.evaluation.savings):+.1f} points",
            f"{pct(p.base.evaluation.top1)} → {pct(p.learnt.evaluation.top1)}",
            f"{p.ngrams:,} n-grams, learnt in {p.learn_seconds:.1f} s",
        ]
        for p in authors
    ]
    author_header = (
        "author (test half)", "sample", "savings, base model", "after learning the first half",
        "gain", "next word top 1", "personal model",
    )  # fmt: skip
    body = f"""
The predictive keyboard (`heron.textinput`) as a user would meet it. Keystroke savings are
`heron.textinput.evaluate.evaluate`'s simulation: the user types each word letter by letter
and taps a suggestion as soon as one of the top 3 is the word, exactly as the text writes it
(casing included); savings = 1 − keystrokes / characters of the text. Next word top 1 / top
3: the word was among the first 1 / 3 suggestions before any letter of it was typed. The
**baseline**, in the same run through the same simulation: the 3 most frequent words of
wordfreq's English list (`top_n_list('en', {BASELINE_WORDS:,})`) starting with the typed
prefix, whatever came before (capitalised at a sentence start and for "I", as the keyboard
does, so that casing is not what tells them apart). Software: {versions()}.

**Texts** (bench/keyboard_data.py, cached under ~/.cache/heron-bench/keyboard):

- *General*: CLINC150's test utterances ({len(clinc150_test()):,}, in scope and out of scope;
  CC BY 3.0), which the set has in lower case without punctuation and which are put in
  sentence case here (first letter and the pronoun "I" in capitals; names stay lower case),
  and SNIPS' validation utterances ({len(snips_validate())}, cased and punctuated), from
  ../shared/datasets: {len(texts):,} of the {len(general):,} utterances{sampled}
  ({words(texts):,} words).
- *One author*: Jane Austen's six novels from Debian's `{authors[0].author.source}` and
  Moby Dick from `{authors[1].author.source}` (MIT-licensed packages of the public-domain
  Gutenberg texts, read from their R lazy-load data with `rdata`; headings and the Gutenberg
  header dropped, "--" written " — "). Each book is cut in two by words: a fresh
  `PersonalModel` learns every paragraph of the first halves ({words(authors[0].author.learn):,}
  and {words(authors[1].author.learn):,} words), and the keyboard is tested on a seeded sample
  of the second halves' paragraphs (seed {SEED}), with the base model alone and then with the
  personal model.

The base model is built from wordfreq's frequencies, symspellpy's Google Books word pairs,
Debian's fortunes and WordNet's glosses (heron/textinput/build.py): none of these texts is
in it. Two caveats: Google Books, behind wordfreq and the word pairs, holds these novels
among millions of books, and the fortunes quote Austen {times(fortunes_quoting("Austen"))} and
Melville {times(fortunes_quoting("Melville"))} (a few sentences against the
{words(authors[0].author.test):,}- and {words(authors[1].author.test):,}-word test halves).

**Keystroke savings and next-word accuracy** on the general texts. Targets: savings ≥
{SAVINGS_TARGET:.0%} before personalisation — **{mark(savings_ok)}**
({pct(heron_run.evaluation.savings)}); p50 < {LATENCY_TARGET_MS:g} ms a keystroke —
**{mark(latency_ok)}** ({percentile(base_times, 0.5) * 1000:.2f} ms, base model).

{markdown(SAVINGS_HEADER, savings_rows(runs))}

Context adds {100 * (heron_run.evaluation.savings - runs[0].evaluation.savings):+.1f} points of
keystroke savings over frequency alone. "Casing ignored" is the same keyboard on the
lower-cased texts with its suggestions lower-cased: what casing costs (mostly names, which
the sentence-cased CLINC150 utterances have in lower case). Some suggestions
(`context|prefix` → top 3): {suggestions(keyboard)}.

**Personal model** (target: savings higher after learning): the same simulation on each
author's second half, with the base model and after `PersonalModel.learn` on the first half
(in batches of 200 paragraphs).

{markdown(author_header, author_rows)}

**Autocorrect** on {len(typo_texts):,} utterances (a seeded sample, seed {SEED + 1}) with
typos injected by a QWERTY-adjacency model written in the bench (seed {SEED}): {TYPO_RATE:.0%}
of the a–z words of three letters or more get one typo — a neighbouring key (staggered
layout), a dropped letter, a doubled letter or two neighbouring letters swapped, equally
likely — {typos:,} typos among {len(typed):,} words. Every word, typo'd or not, goes through
`Keyboard.correct(word, context)` with the text before it (as meant). Precision = typos
corrected to the word meant / words changed; recall = typos corrected to the word meant /
typos; "clean words changed" = words typed right but changed / the {clean:,} such words (a
change of case only is not a change). The baseline is symspellpy's plain
`lookup(word, Verbosity.TOP, max_edit_distance=2)` on its bundled English frequency
dictionary, without context (a word it knows is left alone). The keyboard's error model is
of the same kind as the injector (neighbouring keys, doubled and swapped letters), so these
typos suit it better than real ones might.

{markdown(CORRECTION_HEADER, correction_rows(systems))}

Recall by kind of typo:

{by_kind(systems)}

Some of the keyboard's wrong changes (typed → changed to, meant): {mistakes(systems[1])}.

**Latency, size and memory.** `Keyboard.predict`, each call of the simulations timed with
`time.perf_counter` (one call a keystroke): base model p50 / p95 {ms(base_times)} ms over
{len(base_times):,} calls; with a personal model (the authors' runs after learning)
{ms(personal_times)} ms over {len(personal_times):,} calls. `Keyboard.correct`:
{ms(systems[1].times)} ms a word (symspellpy's lookup: {ms(systems[0].times)} ms). Model on
disk: {f.disk_bytes / mb:.1f} MB ({f.files}). In a fresh process (growth of VmRSS in
/proc/self/status): importing `heron.textinput.keyboard` +{f.import_bytes / mb:.1f} MB;
`Keyboard.default()` +{f.load_bytes / mb:.1f} MB in {f.load_ms:.0f} ms (the arrays are
memory-mapped); the first `predict` +{f.predict_bytes / mb:.1f} MB in {f.predict_ms:.0f} ms;
the first `correct` +{f.correct_bytes / mb:.1f} MB in {f.correct_ms:.0f} ms (it builds its
SymSpell index of the vocabulary then). `Keyboard.default()` in this run (the model was
{"built" if ready_seconds > 10 else "already built"}) took {ready_seconds:.1f} s.

Load average before / after the run: {load_before[0]:.2f} / {load_after[0]:.2f}
({os.cpu_count()} cores); the run took {minutes:.0f} min.
"""
    console.print(body)
    if not args.no_write:
        write_section(
            "Predictive keyboard", body, command=COMMAND + (" --quick" if args.quick else "")
        )


if __name__ == "__main__":
    main()
