"""Text-to-speech with espeak-ng (Debian package): the fallback, and the one for languages the
Piper voice does not speak. Robotic but small, fast and in over a hundred languages.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Iterator

import numpy as np

from heron.audio import Samples
from heron.errors import BadInput, EngineUnavailable
from heron.speech.base import Speech, Voice

RATE = 22_050
WORDS_PER_MINUTE = 175
# "en-us", optionally with a variant: "en-us+f3".
_VOICE = re.compile(r"^([a-z]{2,3}(?:-[a-z0-9]+)*)(\+[a-z0-9]+)?$", re.I)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class EspeakEngine:
    name = "espeak"

    def __init__(self, default: str = "en-us") -> None:
        program = shutil.which("espeak-ng")
        if program is None:
            raise EngineUnavailable("espeak-ng is not installed: apt-get install espeak-ng")
        self._program = program
        self.default = default
        self.rate = RATE

    def voices(self) -> list[Voice]:
        return [Voice(name, name, RATE, self.name) for name in _languages(self._program)]

    def synthesize(self, text: str, *, voice: str | None = None, speed: float = 1.0) -> Speech:
        chosen = (voice or self.default).lower()
        match = _VOICE.match(chosen)
        if match is None or match.group(1) not in _languages(self._program):
            raise BadInput(f"espeak-ng has no voice {chosen!r}; see GET /v1/speech/voices")
        if not 0.5 <= speed <= 2.0:
            raise BadInput("speed must be between 0.5 and 2.0")
        return Speech(RATE, self._chunks(text, chosen, round(WORDS_PER_MINUTE * speed)))

    def _chunks(self, text: str, voice: str, wpm: int) -> Iterator[Samples]:
        for sentence in _SENTENCE_END.split(text.strip()):
            if sentence:
                yield self._speak(sentence, voice, wpm)

    def _speak(self, sentence: str, voice: str, wpm: int) -> Samples:
        done = subprocess.run(
            [self._program, "--stdout", "-v", voice, "-s", str(wpm), "--", sentence],
            capture_output=True,
            check=False,
            timeout=60,
        )
        if done.returncode != 0 or not done.stdout:
            raise EngineUnavailable(f"espeak-ng failed: {done.stderr.decode(errors='replace')}")
        # espeak-ng writes a canonical 44-byte WAV header with the sizes left at the maximum
        # (it streams), so the samples are simply everything after it.
        if done.stdout[:4] != b"RIFF":
            raise EngineUnavailable("espeak-ng did not write a WAV")
        return np.frombuffer(done.stdout[44 : len(done.stdout) - len(done.stdout) % 2], "<i2")


@functools.cache
def _languages(program: str) -> frozenset[str]:
    listing = subprocess.run(
        [program, "--voices"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    found = set()
    for line in listing.splitlines()[1:]:
        fields = line.split()
        # Columns: priority, language, age/gender, name, file; MBROLA voices need extra data.
        if len(fields) >= 5 and not fields[4].startswith("mb/"):
            language = fields[1].lower()
            # "fr" as well as "fr-fr": espeak-ng takes the plain language code too.
            found.update({language, language.split("-", 1)[0]})
    return frozenset(found)
