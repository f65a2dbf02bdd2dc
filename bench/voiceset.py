"""The voice test set: Heron's own commands and questions, spoken by every offline voice we can
produce (Piper, espeak-ng, flite) at several speeds, some with noise added; and the WER it is
scored by.

    .venv/bin/python bench/voiceset.py [--quick] [--show-texts]

The texts come from the skills (their examples, and sentences sampled from their templates and
checked to route back to the intent they came from), the knowledge benchmark's questions and a
few open questions and small talk. Every clip is 16 kHz mono int16 WAV, cached under
~/.cache/heron-bench/voiceset by a hash of what made it, so a second build is instant.

Each voice says a window of the texts rather than all of them, so the set stays small enough
for Whisper base to transcribe on two cores in about a quarter of an hour; all the speeds of
one voice say the same window, and the noisy clips repeat the clean clips of one reference
voice per engine, so speed and noise are compared on the same sentences.

Real human speech: ../shared/datasets holds no recordings yet (its README says so), so the set
is synthetic only. Debian's mbrola voices are not installable here (mbrola is not in Debian
main); festival's voices are (apt-get install festival festvox-...) but are not used yet.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

import numpy as np
from rapidfuzz.distance import Levenshtein
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from whisper_normalizer.english import EnglishTextNormalizer

from heron.assets import piper_joe
from heron.assistant.skill import Skill, builtin_skills
from heron.audio import RATE, Samples, resample, wav_bytes
from heron.errors import EngineUnavailable
from heron.language.intents import IntentRouter
from heron.language.normalize import CONTRACTIONS
from heron.language.slots import ParseContext, slot_type

ROOT = Path(__file__).resolve().parents[1]
KGQA = ROOT / "bench" / "data" / "kgqa.jsonl"
CACHE_DIR = Path.home() / ".cache" / "heron-bench" / "voiceset"
CACHE_VERSION = 1
"""Part of every clip's hash: raise it when the rendering below changes what a clip sounds
like, so old clips are not reused."""
SEED = 20260105

DEFAULT_TEXTS = 120
DEFAULT_PER_VOICE = 40
QUICK_TEXTS = 24
QUICK_PER_VOICE = 6

# --- texts -----------------------------------------------------------------------------

# Which skills each topic draws on, and its share of the texts.
TOPICS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("timers", ("timers",), 12),
    ("reminders", ("reminders",), 12),
    ("lists", ("lists",), 10),
    ("clock", ("clock",), 8),
    ("sums", ("calculator", "units"), 8),
    ("memory", ("memory",), 9),
    ("help", ("help",), 5),
    ("knowledge", ("knowledge",), 24),
    ("chat", (), 12),
)

# More slot values than the slot types' own samples, so sampled sentences vary; each must
# parse as its type (a sentence whose values do not is dropped when it fails to route back).
FILL: dict[str, tuple[str, ...]] = {
    "number": ("2", "3", "5"),
    "duration": ("5 minutes", "10 minutes", "20 minutes", "90 seconds", "half an hour",
                 "2 hours", "an hour and a half", "45 seconds", "three minutes"),
    "datetime": ("tomorrow at 9am", "in 20 minutes", "at 7:30", "every Monday at 8",
                 "tonight at 8pm", "on Friday at noon", "in an hour", "next Tuesday at 10am"),
    "alarm_time": ("at 7", "at 6:30am", "tomorrow at 6:45", "every weekday at 7", "at 5:30am"),
    "date": ("Christmas", "Friday", "March 3rd", "July 4 1976", "New Year's Day", "Halloween"),
    "text": ("call mom", "take out the trash", "water the plants", "pay the rent",
             "buy a birthday card", "check the oven"),
    "items": ("milk", "eggs", "oat milk and bananas", "bread", "coffee and sugar",
              "paper towels", "apples"),
    "name": ("pasta", "laundry", "tea", "pizza", "rice", "bread"),
    "list_name": ("shopping", "packing", "grocery", "camping", "to do"),
    # Lengths only, so no one converts feet to liters.
    "unit": ("kilometers", "miles", "feet", "meters", "centimeters", "inches"),
    "quantity": ("5 miles", "10 kilometers", "6 feet", "3 inches", "100 meters", "a mile"),
    "city": ("Tokyo", "Paris", "New York", "London", "Sydney", "Nairobi", "Chicago", "Lima"),
    "fact": ("my car is on level 3", "Ana likes tulips", "my locker number is 42",
             "the spare key is under the mat"),
    "statement": ("my sister's name is Ana", "I parked on level 3",
                  "my brother's birthday is May 2nd"),
    "topic": ("my sister's name", "Ana's birthday", "my wifi password", "my locker number"),
    "person": ("Ana", "my sister", "my brother", "Tom", "my dentist"),
    "person_name": ("Bob", "Bailey", "Sam", "Maria"),
    "belonging": ("my car", "my keys", "the passports", "my bike", "my glasses"),
    "expression": ("15 percent of 80", "the square root of 144", "7 times 8",
                   "12 divided by 4", "25 plus 17", "100 minus 37"),
}  # fmt: skip

PLURAL = frozenset(
    {"my keys", "the passports", "my glasses", "eggs", "oat milk and bananas", "apples",
     "coffee and sugar", "paper towels"}
)  # fmt: skip

OPEN_QUESTIONS = (
    "How are you today?",
    "Tell me a joke.",
    "Good morning, Heron.",
    "Thank you, that was helpful.",
    "What's the weather going to be like tomorrow?",
    "Why is the sky blue?",
    "Who wrote Pride and Prejudice?",
    "How far away is the moon?",
    "Can you recommend a good book to read?",
    "What should I cook for dinner tonight?",
    "How long should I boil an egg?",
    "Turn on the lights in the kitchen.",
    "Play some relaxing music.",
    "What's in the news today?",
    "Good night, see you tomorrow.",
    "Do you like music?",
    "How tall is Mount Everest?",
    "Never mind, forget it.",
    "What's the best way to learn a new language?",
    "Are you listening to me?",
    "Hey Heron, are you there?",
    "Could you say that again, please?",
)

# Knowledge questions people would say aloud: the misspelled and ISO-code ones are typed.
SPOKEN_KGQA_STYLES = frozenset({"template", "paraphrase", "lowercase_speech", "demonym"})
WH_WORDS = frozenset("what which who whose where when why how".split())
AUXILIARIES = frozenset("is are was were does did can could will would should".split())
SUBJECTS = frozenset("i you we they it there he she my the any".split())
"""After "do" or "have" these make a question ("do I have"); other words an order ("do some
maths")."""
_GROUP = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
_SLOT = re.compile(r"\{(\w+)\}")
_UNSPEAKABLE = re.compile(r"[+=*/^×÷<>]")


def _say(template: str, fill: Mapping[str, Sequence[str]], rng: random.Random) -> str | None:
    """One sentence a template matches, with its words as written; None when the values drawn
    make it read wrong (see `_reads_well`).

    heron.language.templates.sample yields normalised tokens ("today's" comes out "today",
    "I" as "i"), which is right for training a matcher but not for a voice to read.
    """
    text = template
    while match := _GROUP.search(text):
        options = match.group(1).split("|")
        if match.group(0).startswith("["):
            options.append("")
        text = text[: match.start()] + rng.choice(options) + text[match.end() :]
    text = rng.choice(text.split("|"))
    values: list[str] = []
    agrees = True

    def value(match: re.Match[str]) -> str:
        nonlocal agrees
        drawn = rng.choice(fill[match.group(1)])
        before = text[: match.start()].split()[-1:]
        after = text[match.end() :].split()[:1]
        verbs = before + after
        if drawn in PLURAL and ("is" in verbs or "was" in verbs):
            agrees = False
        if drawn not in PLURAL and ("are" in verbs or "were" in verbs):
            agrees = False
        if drawn in FILL["text"] and before != ["to"]:
            agrees = False  # "remind me about take out the trash"
        values.append(drawn)
        return drawn

    text = " ".join(_SLOT.sub(value, text).split())
    lasts = [v.split()[-1].lower().removesuffix("s") for v in values]
    if not agrees or len(set(lasts)) < len(lasts):  # "is Peru bigger than Peru"
        return None
    text = re.sub(r"\ba (?=[aeiou])", "an ", text)
    text = re.sub(r"\ban (?=[^aeiouh])", "a ", text)
    return text if _reads_well(text) else None


# Leftovers of optional words that no one says: "what are of my timers", "clear every the
# timers", "put to camping list", "what are my", "evaluate 15 percent of 80 make".
_ODD = [
    re.compile(pattern)
    for pattern in (
        r"\b(?:a|an|the|my|our|every|another) (?:a|an|the|my|our|of|every|another)\b",
        r"\bare of\b",
        r"\bevery \w+s\b",
        r"\ball of (?!my|the|our|your)\w+",
        r"\bmuch (?!is\b)\w+s\b",
        r"\b(?:read|show|list|are|clear|delete|remove|cancel|stop) of\b",
        r"\b(?:my|the|a|an|of|to|on|in|for|from|our|your|and|equals?|is)$",
        r"^(?!what|how)\w+ .*\bmake$",
        r"\bwhere (?:i|we) (?:put|hid|left|kept|stored)$",
        r"^(?:a|an|the|my)\b.*\b(?:doing|going)$",
        r"^(?:start call|calling|list add|list put)\b",
        r"\b(?:did (?:i|we) parked|for at)\b",
        r"\b(\w+) \1\b",
    )
]
_NOUNS = frozenset({"list", "lists", "timer", "timers", "alarm", "alarms", "reminder", "reminders"})
_DETERMINERS = frozenset("my the our your a an all any this that another every these".split())


def _reads_well(sentence: str) -> bool:
    """No leftover of an optional word, and "timer", "list", ... with a determiner before them
    ("remove pasta timer" is a template's shorthand, not speech)."""
    lower = sentence.lower()
    if any(pattern.search(lower) for pattern in _ODD):
        return False
    words = lower.split()
    return all(
        i == 0
        or word not in _NOUNS
        or words[i - 1] in ("what", "which")
        or _DETERMINERS.intersection(words[max(0, i - 3) : i])
        for i, word in enumerate(words)
    )


def _written(sentence: str) -> str:
    """As a user would type it: a capital letter, "I", and a question mark on questions."""
    sentence = re.sub(r"\bi\b", "I", sentence.strip())
    if not sentence or sentence[-1] in ".?!":
        return sentence[:1].upper() + sentence[1:]
    first, second = [*sentence.lower().replace("'", " ").split(), ""][:2]
    asks = first in WH_WORDS | AUXILIARIES or (first in ("do", "have") and second in SUBJECTS)
    return sentence[:1].upper() + sentence[1:] + ("?" if asks else "")


def _skill_sentences(
    skill: Skill, router: IntentRouter, context: ParseContext, rng: random.Random
) -> list[list[str]]:
    """Per intent: its examples and sentences sampled from its templates, shuffled; a sampled
    sentence is kept only if the router sends it back to its own intent."""
    per_intent: list[list[str]] = []
    for intent in skill.intents:
        fill = {
            spec.name: FILL.get(spec.type) or slot_type(spec.type).samples for spec in intent.slots
        }
        found = list(intent.examples)
        for template in intent.templates:
            for _ in range(3):
                sentence = _say(template, fill, rng)
                if sentence and router.recognize(sentence, context).intent == intent.name:
                    found.append(sentence)
        rng.shuffle(found)
        per_intent.append(found)
    return per_intent


def _kgqa_questions(rng: random.Random) -> list[str]:
    questions: list[str] = []
    for line in KGQA.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["style"] in SPOKEN_KGQA_STYLES and len(row["turns"]) == 1:
            questions.append(row["turns"][0])
    rng.shuffle(questions)
    return questions


def _round_robin(lists: Iterable[list[str]]) -> list[str]:
    pending = [list(items) for items in lists if items]
    out: list[str] = []
    while pending:
        for items in pending:
            out.append(items.pop(0))
        pending = [items for items in pending if items]
    return out


@cache
def _topic_pools() -> dict[str, tuple[str, ...]]:
    """Every candidate text per topic, best first (the skills' own help examples lead)."""
    rng = random.Random(SEED)
    skills = {skill.name: skill for skill in builtin_skills()}
    router = IntentRouter()
    for skill in skills.values():
        for intent in skill.intents:
            router.add(intent)
    context = ParseContext(datetime(2026, 1, 5, 12, 0, tzinfo=ZoneInfo("UTC")))
    pools: dict[str, tuple[str, ...]] = {}
    for topic, names, _share in TOPICS:
        chosen = [skills[name] for name in names if name in skills]
        lead = [example for skill in chosen for example in skill.examples]
        if topic == "knowledge":
            # The knowledge templates' free combinations read oddly aloud ("how many Peru are
            # there"); the benchmark's questions are written as people ask them.
            rest = _kgqa_questions(rng)
        elif topic == "chat":
            rest = list(OPEN_QUESTIONS)
            rng.shuffle(rest)
        else:
            rest = _round_robin(
                lists for skill in chosen for lists in _skill_sentences(skill, router, context, rng)
            )
        pools[topic] = tuple(_written(text) for text in lead + rest)
    return pools


def utterances(n: int | None = None) -> list[str]:
    """`n` distinct texts (DEFAULT_TEXTS when None), the topics mixed in proportion to their
    shares so any prefix is a fair sample; the same on every run."""
    n = DEFAULT_TEXTS if n is None else n
    pools = _topic_pools()
    ranked: list[tuple[float, int, str]] = []
    for order, (topic, _names, share) in enumerate(TOPICS):
        ranked.extend(((i + 0.5) / share, order, text) for i, text in enumerate(pools[topic]))
    ranked.sort()
    texts: list[str] = []
    seen: set[str] = set()
    for _key, _order, text in ranked:
        words = normalized_words(text)
        key = " ".join(words)
        if len(words) < 2 or key in seen or _UNSPEAKABLE.search(text):
            continue
        seen.add(key)
        texts.append(text)
        if len(texts) == n:
            break
    return texts


# --- voices ----------------------------------------------------------------------------

Engine = Literal["piper", "espeak-ng", "flite"]


@dataclass(frozen=True)
class VoiceSpec:
    engine: Engine
    voice: str
    """The engine's own name for it: "joe", "en-us+f3", "slt"."""
    speed: float = 1.0
    """Speaking rate relative to the voice's default (1.25 is a quarter faster)."""

    @property
    def name(self) -> str:
        return f"{self.engine}:{self.voice}@{self.speed:g}"

    @property
    def base(self) -> str:
        """The voice whatever its speed."""
        return f"{self.engine}:{self.voice}"


@dataclass(frozen=True)
class Condition:
    name: str
    noise: Literal["none", "white", "babble"] = "none"
    snr_db: float | None = None
    """Speech power over noise power."""


CLEAN = Condition("clean")
WHITE = Condition("white-20db", "white", 20.0)
BABBLE = Condition("babble-10db", "babble", 10.0)
CONDITIONS = (CLEAN, WHITE, BABBLE)
BABBLE_TALKERS = 4

ESPEAK_VOICES = ("en-us", "en-us+m3", "en-us+f3", "en-gb", "en-gb-scotland", "en-029")
ESPEAK_WPM = 175
"""espeak-ng's default rate; speed multiplies it."""
FLITE_VOICES = ("kal", "slt", "awb", "rms")
NOISY_VOICES = ("piper:joe@1", "espeak-ng:en-us@1", "flite:slt@1")
"""One reference voice per engine: these also say their texts in every noise condition."""


def voices() -> list[VoiceSpec]:
    found = [VoiceSpec("piper", "joe", speed) for speed in (0.8, 1.0, 1.25)]
    found += [VoiceSpec("espeak-ng", v, s) for v in ESPEAK_VOICES for s in (1.0, 1.25)]
    found += [VoiceSpec("flite", v) for v in FLITE_VOICES]
    return found


class Speaker(Protocol):
    def speak(self, text: str, voice: str, speed: float) -> Samples:
        """16 kHz int16 samples of `text`."""
        ...


def _read_wav(data: bytes) -> Samples:
    with wave.open(io.BytesIO(data)) as reader:
        rate = reader.getframerate()
        # espeak-ng's --stdout header gives no length: read to the end.
        raw = reader.readframes(reader.getnframes() or len(data))
    return resample(np.frombuffer(raw, "<i2").copy(), rate)


def _command(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise EngineUnavailable(f"{name} is not installed: apt-get install {name}")
    return path


class Piper:
    def __init__(self) -> None:
        from piper import PiperVoice

        model, config = piper_joe()
        self._voice = PiperVoice.load(model, config)

    def speak(self, text: str, voice: str, speed: float) -> Samples:
        from piper import SynthesisConfig

        settings = SynthesisConfig(length_scale=1.0 / speed)
        chunks = [chunk.audio_int16_array for chunk in self._voice.synthesize(text, settings)]
        return resample(np.concatenate(chunks), self._voice.config.sample_rate)


class Espeak:
    def __init__(self) -> None:
        self._binary = _command("espeak-ng")

    def speak(self, text: str, voice: str, speed: float) -> Samples:
        wpm = str(round(ESPEAK_WPM * speed))
        command = [self._binary, "--stdout", "-v", voice, "-s", wpm]
        done = subprocess.run(command, input=text.encode(), capture_output=True, check=True)
        return _read_wav(done.stdout)


class Flite:
    def __init__(self) -> None:
        self._binary = _command("flite")

    def speak(self, text: str, voice: str, speed: float) -> Samples:
        with tempfile.TemporaryDirectory(prefix="heron-flite-") as folder:
            out = Path(folder) / "speech.wav"
            stretch = f"duration_stretch={1.0 / speed:.3f}"
            command = [self._binary, "-voice", voice, "--setf", stretch, "-t", text, "-o", str(out)]
            subprocess.run(command, capture_output=True, check=True)
            return _read_wav(out.read_bytes())


SPEAKERS: dict[str, Callable[[], Speaker]] = {"piper": Piper, "espeak-ng": Espeak, "flite": Flite}

# --- rendering -------------------------------------------------------------------------

LEVEL_DBFS = -20.0
PAD_S = 0.25
"""Silence (or noise alone) before and after the speech, as a listener would hear it."""


@dataclass(frozen=True)
class Clip:
    path: Path
    text: str
    voice: str
    engine: str
    speed: float
    condition: str
    seconds: float


def _tidy(samples: Samples) -> Samples:
    """Engines leave different silences and levels: trim, set the level, pad evenly."""
    data = samples.astype(np.float64) / 32768.0
    loud = np.flatnonzero(np.abs(data) > 0.02 * (np.abs(data).max() or 1.0))
    if len(loud):
        margin = RATE // 20
        data = data[max(0, loud[0] - margin) : loud[-1] + margin]
    rms = float(np.sqrt(np.mean(data**2))) if len(data) else 0.0
    if rms > 0:
        data *= 10 ** (LEVEL_DBFS / 20) / rms
        data /= max(1.0, float(np.abs(data).max()) / 0.95)
    pad = np.zeros(int(PAD_S * RATE))
    return _int16(np.concatenate([pad, data, pad]))


def _int16(data: np.ndarray) -> Samples:
    return np.clip(np.round(data * 32768.0), -32768, 32767).astype(np.int16)


def _mix(speech: Samples, noise: np.ndarray, snr_db: float) -> Samples:
    """`noise` scaled to `snr_db` below the speech (measured between the pads), added."""
    clean = speech.astype(np.float64) / 32768.0
    pad = int(PAD_S * RATE)
    speech_power = float(np.mean(clean[pad:-pad] ** 2))
    noise_power = float(np.mean(noise**2)) or 1.0
    mixed = clean + noise * np.sqrt(speech_power / noise_power / 10 ** (snr_db / 10))
    return _int16(mixed / max(1.0, float(np.abs(mixed).max()) / 0.99))


class Renderer:
    """Renders (text, voice, condition) to a cached WAV file; safe to call from threads."""

    def __init__(self, cache_dir: Path, babble_texts: Sequence[str]) -> None:
        self.cache_dir = cache_dir
        self.babble_texts = list(babble_texts)
        self.babble_voices = [v for v in voices() if v.speed == 1.0]
        self._speakers: dict[str, Speaker] = {}
        self._lock = threading.Lock()

    def speaker(self, engine: str) -> Speaker:
        with self._lock:
            if engine not in self._speakers:
                self._speakers[engine] = SPEAKERS[engine]()
            return self._speakers[engine]

    def path(self, text: str, voice: VoiceSpec, condition: Condition) -> Path:
        made_of = {
            "v": CACHE_VERSION,
            "text": text,
            "voice": asdict(voice),
            "condition": asdict(condition),
        }
        digest = hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()
        return self.cache_dir / digest[:2] / f"{digest[:24]}.wav"

    def render(self, text: str, voice: VoiceSpec, condition: Condition) -> Clip:
        path = self.path(text, voice, condition)
        if path.exists():
            with wave.open(str(path)) as reader:
                seconds = reader.getnframes() / reader.getframerate()
        else:
            samples = self._samples(text, voice, condition, path)
            seconds = len(samples) / RATE
        return Clip(path, text, voice.name, voice.engine, voice.speed, condition.name, seconds)

    def _samples(self, text: str, voice: VoiceSpec, condition: Condition, path: Path) -> Samples:
        if condition.noise == "none":
            samples = _tidy(self.speaker(voice.engine).speak(text, voice.voice, voice.speed))
        else:
            samples = self._noisy(text, voice, condition, path)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.stem}.{threading.get_ident()}.part")
        partial.write_bytes(wav_bytes([samples]))
        os.replace(partial, path)
        return samples

    def _noisy(self, text: str, voice: VoiceSpec, condition: Condition, path: Path) -> Samples:
        assert condition.snr_db is not None
        speech = self.load(self.render(text, voice, CLEAN).path)
        rng = np.random.default_rng(int(path.stem, 16))
        if condition.noise == "white":
            noise = rng.standard_normal(len(speech))
        else:
            noise = np.zeros(len(speech))
            others = [t for t in self.babble_texts if t != text]
            for i in rng.choice(len(others), BABBLE_TALKERS, replace=False):
                talker = self.babble_voices[int(rng.integers(len(self.babble_voices)))]
                said = self.load(self.render(others[int(i)], talker, CLEAN).path)
                level = float(np.sqrt(np.mean(said.astype(np.float64) ** 2))) or 1.0
                said = said.astype(np.float64) / level
                noise += np.roll(np.resize(said, len(speech)), int(rng.integers(len(speech))))
        return _mix(speech, noise, condition.snr_db)

    @staticmethod
    def load(path: Path) -> Samples:
        with wave.open(str(path)) as reader:
            return np.frombuffer(reader.readframes(reader.getnframes()), "<i2").copy()


def plan(
    texts: Sequence[str], voices_: Sequence[VoiceSpec], per_voice: int
) -> list[tuple[str, VoiceSpec, Condition]]:
    """Which voice says which text in which condition.

    Each voice says `per_voice` consecutive texts starting at an offset of its own, so the
    voices between them cover the texts evenly; its other speeds and its noisy clips repeat
    the same texts.
    """
    bases = list(dict.fromkeys(v.base for v in voices_))
    count = min(per_voice, len(texts))
    jobs: list[tuple[str, VoiceSpec, Condition]] = []
    for voice in voices_:
        start = bases.index(voice.base) * len(texts) // len(bases)
        said = [texts[(start + j) % len(texts)] for j in range(count)]
        conditions = CONDITIONS if voice.name in NOISY_VOICES else (CLEAN,)
        jobs.extend((text, voice, condition) for condition in conditions for text in said)
    return jobs


def _remembered_utterances(cache_dir: Path, n: int) -> list[str]:
    """`utterances(n)`, kept in `cache_dir` until the code or data they come from changes:
    checking that sampled sentences route back to their intent loads the city index, which
    takes longer than everything else a cached build does."""
    sources = [Path(__file__), KGQA, *sorted((ROOT / "heron").glob("assistant/skills/*.py"))]
    sources += sorted((ROOT / "heron" / "language").glob("*.py"))
    digest = hashlib.sha256(f"{CACHE_VERSION} {SEED} {n}".encode())
    for source in sources:
        digest.update(source.read_bytes())
    path = cache_dir / f"texts-{digest.hexdigest()[:24]}.json"
    if path.exists():
        texts: list[str] = json.loads(path.read_text(encoding="utf-8"))
        return texts
    texts = utterances(n)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(texts, indent=1, ensure_ascii=False), encoding="utf-8")
    return texts


def build(
    cache_dir: Path = CACHE_DIR,
    *,
    quick: bool = False,
    texts: int | None = None,
    per_voice: int | None = None,
    progress: bool = True,
) -> list[Clip]:
    """Renders the set (what is cached is reused) and returns its clips, clean ones first.

    `quick` is a small set for a smoke run; `texts` and `per_voice` override either size.
    """
    said = _remembered_utterances(cache_dir, texts or (QUICK_TEXTS if quick else DEFAULT_TEXTS))
    jobs = plan(said, voices(), per_voice or (QUICK_PER_VOICE if quick else DEFAULT_PER_VOICE))
    renderer = Renderer(cache_dir, _remembered_utterances(cache_dir, DEFAULT_TEXTS))
    for engine in dict.fromkeys(voice.engine for _text, voice, _condition in jobs):
        renderer.speaker(engine)  # a missing engine fails now, not after an hour
    clips: list[Clip] = []
    with (
        Progress(transient=True, disable=not progress) as bar,
        ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool,
    ):
        task = bar.add_task("Voice test set", total=len(jobs))
        for clean in (True, False):  # clean clips first: babble is made of them
            batch = [job for job in jobs if (job[2] == CLEAN) == clean]
            for clip in pool.map(lambda job: renderer.render(*job), batch):
                clips.append(clip)
                bar.advance(task)
    return clips


# --- scoring ---------------------------------------------------------------------------

_NORMALIZER = EnglishTextNormalizer()
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
_WORD = re.compile(r"[a-z']+")
_SYMBOLS = {"+": " plus ", "×": " times ", "=": " equals ", "÷": " divided by "}
_ROUND_NUMBER = re.compile(r"1(?:00|000|000000|000000000)")
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")


def normalized_words(text: str) -> list[str]:
    """Words as compared for WER: Whisper's English normaliser (case, punctuation, numbers as
    digits, British spellings, fillers), after what an assistant's texts need as well:
    apostrophe-less contractions ("whats"), clock times ("7:30" is "seven thirty"), "a.m.",
    "to-do" and "todo", "mum" and "mom", "a hundred" as "100", and "July 4th" as "July 4"
    (speech says the ordinal whether or not the text wrote it)."""
    text = text.translate(_APOSTROPHES).lower()
    text = _WORD.sub(lambda m: CONTRACTIONS.get(m.group(), m.group()), text)
    for symbol, words in _SYMBOLS.items():
        text = text.replace(symbol, words)
    text = re.sub(r"\b([ap])\.\s?m\b\.?", r"\1m", text)
    text = re.sub(r"(\d)([ap]m)\b", r"\1 \2", text)
    text = re.sub(r"\b(\d{1,2}):00\b", r"\1", text)
    text = re.sub(r"\b(\d{1,2}):(\d\d)\b", r"\1\2", text)
    text = re.sub(r"\b(\d{1,2})\.(\d\d) ([ap]m)\b", r"\1\2 \3", text)  # "6.30am"
    text = re.sub(r"\bto-?dos?\b", lambda m: "to do" + "s" * m.group().endswith("s"), text)
    text = re.sub(r"\bokay\b", "ok", text)
    text = re.sub(r"\bmum\b", "mom", text)
    words = _NORMALIZER(text).split()
    kept: list[str] = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        if word in ("a", "an") and _ROUND_NUMBER.fullmatch(following):
            continue
        kept.append(_ORDINAL.sub(r"\1", word))
    return kept


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word errors, words in the reference): substitutions, deletions and insertions after
    normalising both sides; sum both over a set and divide for its WER."""
    expected = normalized_words(reference)
    return Levenshtein.distance(expected, normalized_words(hypothesis)), len(expected)


# --- command line ----------------------------------------------------------------------


def summary(clips: Sequence[Clip]) -> Table:
    table = Table(title="Voice test set")
    for column in ("voice", *(c.name for c in CONDITIONS), "minutes"):
        table.add_column(column, justify="left" if column == "voice" else "right")
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    seconds: dict[str, float] = defaultdict(float)
    for clip in clips:
        counts[clip.voice][clip.condition] += 1
        seconds[clip.voice] += clip.seconds
    for voice, by_condition in counts.items():
        cells = [str(by_condition.get(c.name, "")) for c in CONDITIONS]
        table.add_row(voice, *cells, f"{seconds[voice] / 60:.1f}")
    total = sum(seconds.values())
    cells = [str(sum(c.condition == cond.name for c in clips)) for cond in CONDITIONS]
    table.add_row("all", *cells, f"{total / 60:.1f}", style="bold")
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--quick", action="store_true", help="a small set for a smoke run")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--show-texts", action="store_true", help="print the texts and stop")
    args = parser.parse_args(argv)
    console = Console()
    if args.show_texts:
        for text in utterances(QUICK_TEXTS if args.quick else None):
            console.print(text, highlight=False, markup=False)
        return 0
    started = time.perf_counter()
    clips = build(args.cache_dir, quick=args.quick)
    elapsed = time.perf_counter() - started
    console.print(summary(clips))
    minutes = sum(clip.seconds for clip in clips) / 60
    texts = len({clip.text for clip in clips})
    console.print(
        f"{len(clips)} clips of {texts} texts, {minutes:.1f} minutes of audio, built in "
        f"{elapsed:.0f} s into {args.cache_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
