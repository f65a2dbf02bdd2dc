"""Wake-word benchmark: detection rate on spoken wake phrases, false accepts per hour on ordinary
speech, and what a listener costs, for every engine and model in heron.speech.wake.

Speech is synthetic, from every offline voice there is: Piper joe at three speeds, espeak-ng
voices at two speeds and flite voices at two speeds (the Debian packages; a missing one is left
out and said so). Positive clips are the wake phrase with silence around it, clean and with
white or babble noise at 20 and 10 dB SNR; negative speech is CLINC150 and SNIPS sentences
(../shared/datasets) read by the same voices, about a minute per stream. Generated audio is
cached in ~/.cache/heron-bench/wake.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import re
import resource
import shutil
import subprocess
import tempfile
import time
import wave
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
from report import p50_p95, write_section
from rich.console import Console
from rich.progress import Progress

from heron.audio import RATE, resample
from heron.speech import wake

Int16 = npt.NDArray[np.int16]

CACHE = Path.home() / ".cache" / "heron-bench" / "wake"
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"

PHRASES = {
    "okay_nabu": "okay nabu",
    "hey_jarvis": "hey jarvis",
    "alexa": "alexa",
    "hey_mycroft": "hey my croft",
    "hey_rhasspy": "hey rhasspy",
}
"""What each model listens for, spelt so the voices say it right: espeak-ng and flite read
"mycroft" as "mick-roft" (the report compares the spellings)."""

WAKE_WORDS = re.compile(r"\b(alexa|jarvis|mycroft|nabu|rhasspy)\b", re.I)
CONDITIONS = ("clean", "white 20 dB", "white 10 dB", "babble 20 dB", "babble 10 dB")
PAD_S = 0.7
"""Silence before and after a wake phrase."""
POSITIVE_CHUNK = 480
"""30 ms chunks for positives (detection delay is measured to the chunk)."""
NEGATIVE_CHUNK = 1600
"""100 ms chunks for negative speech (the per-chunk cost is timed on these)."""
STREAM_S = 60.0


# --- voices ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Voice:
    """One synthetic speaker: an engine, its voice and how long it draws speech out (1.0: the
    engine's own pace; 1.2: a fifth slower)."""

    engine: str
    voice: str
    stretch: float

    @property
    def label(self) -> str:
        return f"{self.engine} {self.voice} ×{self.stretch:g}"

    @property
    def key(self) -> str:
        return f"{self.engine}-{self.voice}-{self.stretch:g}".replace("+", "_")


_piper: list[object] = []


def _speak_piper(voice: Voice, text: str) -> Int16:
    from piper import PiperVoice
    from piper.config import SynthesisConfig

    from heron.assets import piper_joe

    if not _piper:
        model, config = piper_joe()
        _piper.append(PiperVoice.load(model, config))
    piper = _piper[0]
    assert isinstance(piper, PiperVoice)
    settings = SynthesisConfig(length_scale=voice.stretch)
    parts = [chunk.audio_int16_array for chunk in piper.synthesize(text, settings)]
    audio = np.concatenate(parts) if parts else np.zeros(0, np.int16)
    return resample(audio, piper.config.sample_rate)


def _speak_espeak(voice: Voice, text: str) -> Int16:
    done = subprocess.run(
        ["espeak-ng", "--stdout", "-v", voice.voice, "-s", str(round(175 / voice.stretch)), text],
        capture_output=True,
        check=True,
        timeout=120,
    )
    # espeak-ng streams its WAV: a 44-byte header with the sizes left at the maximum.
    data = done.stdout[44 : len(done.stdout) - len(done.stdout) % 2]
    return resample(np.frombuffer(data, "<i2").copy(), 22_050)


def _speak_flite(voice: Voice, text: str) -> Int16:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "speech.wav"
        subprocess.run(
            [
                "flite",
                "-voice",
                voice.voice,
                "--setf",
                f"duration_stretch={voice.stretch:g}",
                "-t",
                text,
                "-o",
                str(out),
            ],
            capture_output=True,
            check=True,
            timeout=120,
        )
        with wave.open(str(out), "rb") as reader:
            rate = reader.getframerate()
            data = np.frombuffer(reader.readframes(reader.getnframes()), "<i2").copy()
    return resample(data, rate)


SPEAKERS: dict[str, Callable[[Voice, str], Int16]] = {
    "piper": _speak_piper,
    "espeak": _speak_espeak,
    "flite": _speak_flite,
}


def voices(console: Console) -> list[Voice]:
    found = [Voice("piper", "joe", stretch) for stretch in (0.8, 1.0, 1.2)]
    if shutil.which("espeak-ng"):
        found += [
            Voice("espeak", name, stretch)
            for name in ("en-us", "en+m3", "en+f3", "en+f4", "en-gb", "en-gb-scotland")
            for stretch in (1.0, 1.25)
        ]
    else:
        console.print("[yellow]espeak-ng is not installed: its voices are left out")
    if shutil.which("flite"):
        found += [
            Voice("flite", name, stretch)
            for name in ("kal", "slt", "awb", "rms")
            for stretch in (1.0, 1.25)
        ]
    else:
        console.print("[yellow]flite is not installed: its voices are left out")
    return found


_synthesized: list[str] = []
"""What this run had to synthesize (the rest came from the cache)."""


def speak(voice: Voice, text: str) -> Int16:
    """`text` said by `voice`, 16 kHz, cached on disk."""
    digest = hashlib.sha1(f"{voice.key}\n{text}".encode()).hexdigest()[:16]
    path = CACHE / "speech" / voice.key / f"{digest}.npy"
    if path.exists():
        cached: Int16 = np.load(path)
        return cached
    audio = SPEAKERS[voice.engine](voice, text).astype(np.int16)
    _synthesized.append(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, audio)
    return audio


def _trim(audio: Int16) -> Int16:
    """The speech without the silence a synthesizer leaves around it."""
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > 0.02 * max(1, int(np.abs(audio).max())))
    return audio[loud[0] : loud[-1] + 1] if len(loud) else audio


def _level(audio: Int16, dbfs: float = -24.0) -> Int16:
    """Speech brought to one loudness (RMS `dbfs`), as a microphone would hear it."""
    rms = float(np.sqrt(np.mean(np.square(audio.astype(np.float64))))) or 1.0
    scaled = audio.astype(np.float64) * (32768.0 * 10 ** (dbfs / 20) / rms)
    return np.clip(np.round(scaled), -32768, 32767).astype(np.int16)


# --- the clips ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Positive:
    voice: str
    family: str
    phrase: str
    path: str
    """The clean clip: silence, the phrase, silence."""
    speech_end: int
    """Where the phrase ends, in samples."""
    speech_rms: float


@dataclass(frozen=True)
class Stream:
    voice: str
    path: str
    seconds: float
    sentences: tuple[tuple[int, str], ...]
    """Where each sentence starts (samples) and what it says."""


def variants() -> dict[str, list[str]]:
    """Each model's phrase, then other ways of writing it the voices might say better."""
    return {
        "okay_nabu": [PHRASES["okay_nabu"], "ok nabu", "okay, nabu"],
        "hey_jarvis": [PHRASES["hey_jarvis"], "hey, jarvis"],
        "alexa": [PHRASES["alexa"]],
        "hey_mycroft": [PHRASES["hey_mycroft"], "hey mycroft"],
        "hey_rhasspy": [PHRASES["hey_rhasspy"], "hey rass pee"],
    }


def make_positives(speakers: list[Voice], progress: Progress) -> dict[str, list[Positive]]:
    """Phrase → one clean clip per voice."""
    phrases = sorted({phrase for options in variants().values() for phrase in options})
    task = progress.add_task("speaking wake phrases", total=len(phrases) * len(speakers))
    pad = np.zeros(round(PAD_S * RATE), np.int16)
    made: dict[str, list[Positive]] = defaultdict(list)
    for phrase in phrases:
        for voice in speakers:
            speech = _level(_trim(speak(voice, phrase)))
            path = CACHE / "clips" / voice.key / f"{phrase.replace(' ', '_')}.npy"
            path.parent.mkdir(parents=True, exist_ok=True)
            np.save(path, np.concatenate([pad, speech, pad]))
            rms = float(np.sqrt(np.mean(np.square(speech.astype(np.float64)))))
            made[phrase].append(
                Positive(voice.label, voice.engine, phrase, str(path), len(pad) + len(speech), rms)
            )
            progress.advance(task)
    return made


def sentences() -> list[str]:
    """Ordinary requests to an assistant: CLINC150 (in and out of scope) and SNIPS, without
    any that name a wake word; shuffled the same way every run."""
    clinc = json.loads((DATASETS / "clinc150" / "data_full.json").read_text())
    found = [text for part in ("test", "oos_test", "val") for text, _ in clinc[part]]
    for path in sorted((DATASETS / "snips").glob("validate_*.json")):
        for examples in json.loads(path.read_text()).values():
            found += ["".join(piece["text"] for piece in item["data"]) for item in examples]
    kept = sorted({" ".join(text.split()) for text in found if not WAKE_WORDS.search(text)})
    order = np.random.default_rng(7).permutation(len(kept))
    return [kept[i] for i in order]


def make_negatives(speakers: list[Voice], minutes: float, progress: Progress) -> list[Stream]:
    """About `minutes` of ordinary speech shared out among the voices, each voice reading its
    own sentences, in streams of about a minute with short pauses between sentences."""
    texts = iter(sentences())
    share = minutes * 60.0 / len(speakers)
    task = progress.add_task("speaking negative speech", total=round(minutes * 60))
    rng = np.random.default_rng(11)
    streams: list[Stream] = []
    for voice in speakers:
        spoken = 0.0
        parts: list[Int16] = []
        starts: list[tuple[int, str]] = []
        length = 0
        while spoken < share:
            text = next(texts)
            speech = _level(_trim(speak(voice, text)))
            pause = np.zeros(round(rng.uniform(0.3, 0.8) * RATE), np.int16)
            starts.append((length, text))
            parts += [speech, pause]
            length += len(speech) + len(pause)
            spoken += (len(speech) + len(pause)) / RATE
            progress.advance(task, (len(speech) + len(pause)) / RATE)
            if length >= STREAM_S * RATE or spoken >= share:
                streams.append(_save_stream(voice, len(streams), parts, starts))
                parts, starts, length = [], [], 0
    return streams


def _save_stream(
    voice: Voice, number: int, parts: list[Int16], starts: list[tuple[int, str]]
) -> Stream:
    audio = np.concatenate(parts)
    path = CACHE / "streams" / f"{number:04d}-{voice.key}.npy"
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, audio)
    return Stream(voice.label, str(path), len(audio) / RATE, tuple(starts))


def make_babble(streams: list[Stream], seconds: float = 30.0) -> str:
    """Six voices talking at once, from the negative speech: the noise of a busy room."""
    rng = np.random.default_rng(5)
    bed = np.zeros(round(seconds * RATE))
    first = list({stream.voice: stream for stream in reversed(streams)}.values())
    for index in rng.choice(len(first), size=min(6, len(first)), replace=False):
        audio = np.resize(np.load(first[index].path).astype(np.float64), len(bed))
        bed += np.roll(audio, int(rng.integers(0, len(bed))))
    path = CACHE / "babble.npy"
    np.save(path, bed.astype(np.float32))
    return str(path)


def noisy(clip: Positive, condition: str, babble: str) -> Int16:
    """The clean clip with the condition's noise over all of it, at the named SNR (speech
    power over noise power)."""
    audio: Int16 = np.load(clip.path)
    if condition == "clean":
        return audio
    kind, snr = condition.split()[0], float(condition.split()[1])
    rng = np.random.default_rng(zlib.crc32(f"{clip.path}|{condition}".encode()))
    if kind == "white":
        noise = rng.standard_normal(len(audio))
    else:
        bed = np.load(babble).astype(np.float64)
        start = int(rng.integers(0, len(bed) - len(audio)))
        noise = bed[start : start + len(audio)]
    noise *= clip.speech_rms / (float(np.sqrt(np.mean(np.square(noise)))) * 10 ** (snr / 20))
    mixed = audio.astype(np.float64) + noise
    return np.clip(np.round(mixed), -32768, 32767).astype(np.int16)


# --- running the listeners (in worker processes) -----------------------------------------------


@dataclass
class PositiveResult:
    engine: str
    model: str
    hits: dict[tuple[str, str, str, str], bool] = field(default_factory=dict)
    """(phrase, condition, voice, family) → detected."""
    delays_ms: list[float] = field(default_factory=list)
    """Detection time after the phrase ended, main phrase, clean."""


@dataclass
class NegativeResult:
    engine: str
    model: str
    seconds: float = 0.0
    accepts: list[tuple[str, float, str]] = field(default_factory=list)
    """(voice, second in its stream, the sentence being said)."""


def run_positives(
    engine: str, model: str, clips: dict[str, list[Positive]], babble: str
) -> PositiveResult:
    result = PositiveResult(engine, model)
    listener = wake.listener(model, engine)
    main = PHRASES[model]
    for phrase in variants()[model]:
        for clip in clips[phrase]:
            for condition in CONDITIONS if phrase == main else ("clean",):
                audio = noisy(clip, condition, babble)
                listener.reset()
                fired = None
                for start in range(0, len(audio), POSITIVE_CHUNK):
                    end = start + POSITIVE_CHUNK
                    if listener.process(audio[start:end]) and fired is None:
                        fired = min(end, len(audio))
                key = (phrase, condition, clip.voice, clip.family)
                result.hits[key] = fired is not None
                if fired is not None and phrase == main and condition == "clean":
                    result.delays_ms.append((fired - clip.speech_end) * 1000 / RATE)
    return result


def run_negatives(engine: str, model: str, streams: list[Stream]) -> NegativeResult:
    result = NegativeResult(engine, model)
    listener = wake.listener(model, engine)
    for stream in streams:
        audio = np.load(stream.path)
        listener.reset()
        for start in range(0, len(audio), NEGATIVE_CHUNK):
            if listener.process(audio[start : start + NEGATIVE_CHUNK]):
                said = [text for at, text in stream.sentences if at <= start + NEGATIVE_CHUNK]
                result.accepts.append((stream.voice, start / RATE, said[-1] if said else ""))
        result.seconds += len(audio) / RATE
    return result


@dataclass
class Costs:
    first_ms: float
    """The first listener in a process: it loads the model files."""
    next_ms: list[float]
    chunk_ms: list[float]
    """Each 100 ms chunk of speech."""
    seconds: float


def timing_sample(streams: list[Stream], seconds: float) -> Int16:
    """`seconds` of negative speech, a little from each voice."""
    first = {stream.voice: stream for stream in reversed(streams)}
    share = round(seconds * RATE / len(first))
    return np.concatenate([np.load(stream.path)[:share] for stream in first.values()])


def measure_costs(engine: str, model: str, audio: Int16) -> Costs:
    """Listener creation and processing time, measured alone (no other work running here)."""
    began = time.perf_counter()
    listener = wake.listener(model, engine)
    first = (time.perf_counter() - began) * 1000
    later = []
    for _ in range(100):
        began = time.perf_counter()
        wake.listener(model, engine)
        later.append((time.perf_counter() - began) * 1000)
    chunks = []
    for start in range(0, len(audio), NEGATIVE_CHUNK):
        began = time.perf_counter()
        listener.process(audio[start : start + NEGATIVE_CHUNK])
        chunks.append((time.perf_counter() - began) * 1000)
    return Costs(first, later, chunks, len(audio) / RATE)


# --- the report --------------------------------------------------------------------------------


def _upper_per_hour(count: int, hours: float) -> float:
    """The highest rate per hour still consistent (one-sided 95%) with seeing `count` events in
    `hours`: 3/hours when none were seen."""
    low, high = 0.0, 10.0 * (count + 1)
    for _ in range(60):
        mean = (low + high) / 2
        seen = sum(math.exp(-mean) * mean**i / math.factorial(i) for i in range(count + 1))
        low, high = (mean, high) if seen > 0.05 else (low, mean)
    return high / hours


def _rate(hits: list[bool]) -> str:
    return f"{100 * sum(hits) / len(hits):.0f}% ({sum(hits)}/{len(hits)})" if hits else "–"


def report(
    pairs: list[tuple[str, str]],
    positives: dict[tuple[str, str], PositiveResult],
    negatives: dict[tuple[str, str], list[NegativeResult]],
    costs: dict[tuple[str, str], Costs],
    speakers: list[Voice],
    minutes_spent: float,
) -> str:
    families = sorted({voice.engine for voice in speakers}, key=list(SPEAKERS).index)
    hours = sum(part.seconds for part in negatives[pairs[0]]) / 3600
    lines = [
        "Synthetic speech only (no recorded people yet). "
        f"{len(speakers)} voices: "
        + ", ".join(
            f"{family} ({', '.join(sorted({v.voice for v in speakers if v.engine == family}))})"
            for family in families
        )
        + ", each at its own pace and drawn out ×1.2–1.25 (Piper also ×0.8). "
        f"A positive is the phrase with {PAD_S:g} s of silence either side, fed in "
        f"{POSITIVE_CHUNK * 1000 // RATE} ms chunks to a fresh listener; noise covers the whole "
        "clip at the SNR named (speech power over noise power; babble is six voices of the "
        f"negative speech at once). Negative speech: {hours:.2f} h of CLINC150 and SNIPS "
        "sentences with no wake word, read by the same voices in one-minute streams, fed in "
        f"{NEGATIVE_CHUNK * 1000 // RATE} ms chunks. Each listener uses its model's own "
        f"threshold (openWakeWord: {wake.OPEN_THRESHOLD}) and stays quiet "
        f"{wake.REFRACTORY_S:g} s after a detection.",
        "",
        "| engine | model | phrase | clean | white 20 dB | white 10 dB | babble 20 dB "
        "| babble 10 dB | false accepts | per hour (95% at most) "
        "| fired after the phrase ended, ms p50 / p95 (negative: before) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for pair in pairs:
        engine, model = pair
        result = positives[pair]
        phrase = PHRASES[model]
        cells = [
            _rate([hit for key, hit in result.hits.items() if key[:2] == (phrase, condition)])
            for condition in CONDITIONS
        ]
        accepts = sum(len(part.accepts) for part in negatives[pair])
        delays = p50_p95(result.delays_ms, 0) if result.delays_ms else "–"
        lines.append(
            f"| {engine} | {model} | “{phrase}” | "
            + " | ".join(cells)
            + f" | {accepts} | {accepts / hours:.1f} ({_upper_per_hour(accepts, hours):.1f}) "
            f"| {delays} |"
        )
    lines += [
        "",
        "Clean detection by voice family, and by how the phrase is written (all voices, clean):",
        "",
        "| engine | model | phrasing | " + " | ".join(families) + " | all | missed by |",
        "|---|---|---|" + "---|" * (len(families) + 2),
    ]
    for pair in pairs:
        engine, model = pair
        result = positives[pair]
        for phrase in variants()[model]:
            clean = {key: hit for key, hit in result.hits.items() if key[:2] == (phrase, "clean")}
            cells = [
                _rate([hit for key, hit in clean.items() if key[3] == family])
                for family in families
            ]
            missed = ", ".join(key[2] for key, hit in clean.items() if not hit) or "–"
            lines.append(
                f"| {engine} | {model} | “{phrase}” | "
                + " | ".join(cells)
                + f" | {_rate(list(clean.values()))} | {missed} |"
            )
    lines += [
        "",
        "What a listener costs, measured in one process before the parallel runs: the first "
        "listener in a process loads the model files, later ones share them; processing timed "
        f"on {costs[pairs[0]].seconds:.0f} s of the negative speech in 100 ms chunks:",
        "",
        "| engine | model | first listener ms | next listener ms p50 / p95 "
        "| ms per 100 ms chunk p50 / p95 | ms per second of audio | real-time factor |",
        "|---|---|---|---|---|---|---|",
    ]
    for pair in pairs:
        engine, model = pair
        cost = costs[pair]
        per_second = sum(cost.chunk_ms) / cost.seconds
        lines.append(
            f"| {engine} | {model} | {cost.first_ms:.1f} | {p50_p95(cost.next_ms, 2)} "
            f"| {p50_p95(cost.chunk_ms, 2)} "
            f"| {per_second:.1f} | {per_second / 1000:.4f} |"
        )
    accepted = [
        (pair, accept) for pair in pairs for part in negatives[pair] for accept in part.accepts
    ]
    if accepted:
        lines += ["", "The false accepts (engine/model, voice, what was being said):", ""]
        lines += [
            f"- {engine}/{model}, {voice} at {at:.1f} s: “{text}”"
            for (engine, model), (voice, at, text) in accepted[:30]
        ]
    made = (
        f"{len(_synthesized)} utterances were synthesized in it, the rest came from the cache"
        if _synthesized
        else "all audio came from the cache"
    )
    used = sum(
        usage.ru_utime + usage.ru_stime
        for usage in (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
    )
    lines += [
        "",
        f"The run took {minutes_spent:.1f} minutes and {used / 60:.1f} CPU-minutes in all "
        f"processes ({made}).",
    ]
    return "\n".join(lines)


# --- main --------------------------------------------------------------------------------------


def _shards(streams: list[Stream], count: int) -> Iterator[list[Stream]]:
    for start in range(count):
        part = streams[start::count]
        if part:
            yield part


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=20.0, help="minutes of negative speech")
    parser.add_argument("--cost-seconds", type=float, default=60.0, help="audio to time on")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the docs")
    args = parser.parse_args()
    console = Console()
    started = time.perf_counter()
    speakers = voices(console)
    available = wake.models()
    pairs = [(engine, model) for engine in available for model in available[engine]]
    import multiprocessing

    with Progress(console=console) as progress:
        clips = make_positives(speakers, progress)
        streams = make_negatives(speakers, args.minutes, progress)
        babble = make_babble(streams)
        sample = timing_sample(streams, args.cost_seconds)
        task = progress.add_task("timing listeners", total=len(pairs))
        costs: dict[tuple[str, str], Costs] = {}
        for pair in pairs:
            costs[pair] = measure_costs(*pair, sample)
            progress.advance(task)
        positives: dict[tuple[str, str], PositiveResult] = {}
        negatives: dict[tuple[str, str], list[NegativeResult]] = defaultdict(list)
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(args.workers, mp_context=context) as pool:
            jobs: list[Future[PositiveResult | NegativeResult]] = []
            # The slow engine first, so the two workers finish together.
            for engine, model in sorted(pairs, key=lambda pair: pair[0] != "open"):
                for shard in _shards(streams, 4):
                    jobs.append(pool.submit(run_negatives, engine, model, shard))
                wanted = {phrase: clips[phrase] for phrase in variants()[model]}
                jobs.append(pool.submit(run_positives, engine, model, wanted, babble))
            task = progress.add_task("listening", total=len(jobs))
            for job in as_completed(jobs):
                done = job.result()
                if isinstance(done, PositiveResult):
                    positives[done.engine, done.model] = done
                else:
                    negatives[done.engine, done.model].append(done)
                progress.advance(task)
    body = report(
        pairs, positives, negatives, costs, speakers, (time.perf_counter() - started) / 60
    )
    console.print(body)
    if not args.no_write:
        write_section("Wake word", body, command="python bench/wake.py")


if __name__ == "__main__":
    main()
