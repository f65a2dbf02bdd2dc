"""Apertium, the rule-based translator from Debian (`apertium` and its `apertium-*` pair
packages), kept warm: one long-lived pipeline a direction, fed a segment at a time.

A mode file is a shell pipeline (morphological analyser, tagger, transfer stages,
generator). `apertium-wblank-mode -z` prints it with null-flush on every stage: each
program then answers the input it has whenever it reads a NUL byte. So the pipeline is
started once (30 to 110 ms) and a segment costs about a millisecond, where running `apertium`
for each costs 100 ms (docs/translation.md).

The text goes in as Apertium's stream format, escaped here rather than by
`apertium-destxt` (which drops NULs). Markup tags become superblanks, which the stages pass
through untouched. Unknown words come back marked (`*word`: the analyser does not know it,
`@word`: the bilingual dictionary does not, `#word`: the target form could not be
generated); the marks are taken off and the unknown words reported.
"""

from __future__ import annotations

import logging
import os
import re
import select
import shlex
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path

from cachetools import LRUCache

from heron.errors import EngineUnavailable
from heron.translation.base import Pair, Segment

log = logging.getLogger(__name__)

MODES = Path("/usr/share/apertium/modes")
MAX_WARM = 8
"""Directions kept running at once (each holds 13 processes, about 100 MB); the one used
longest ago stops when another starts."""
TIMEOUT = 20.0
"""Seconds a segment may take before the pipeline is taken for stuck and restarted."""
ISO_639_1 = {
    "afr": "af", "arg": "an", "bel": "be", "bre": "br", "bul": "bg", "cat": "ca", "dan": "da",
    "eng": "en", "epo": "eo", "eus": "eu", "fra": "fr", "glg": "gl", "hin": "hi", "ind": "id",
    "isl": "is", "ita": "it", "mkd": "mk", "nld": "nl", "nno": "nn", "nob": "nb", "oci": "oc",
    "pol": "pl", "por": "pt", "ron": "ro", "rus": "ru", "slv": "sl", "spa": "es", "srd": "sc",
    "swe": "sv", "ukr": "uk", "urd": "ur", "zlm": "ms",
}  # fmt: skip
"""Apertium's newer pairs name languages by ISO 639-3; Heron uses 639-1 where there is one."""
_MODE = re.compile(r"^([a-z]{2,3})-([a-z]{2,3})$")
_SPECIAL = re.compile(r"([\\\[\]^$/@<>{}])")
_TAG = re.compile(r"<[^<>]*>")
_OUT = re.compile(r"\\(.)|[\[\]]", re.S)
_MARKED = re.compile(r"(?<![\w\\])([*@#])(\w[\w'’-]*)")
_WORDS = re.compile(r"\w[\w'’-]*")


def iso(code: str) -> str:
    return ISO_639_1.get(code, code)


def escape(text: str, *, markup: bool = False) -> str:
    """`text` in Apertium's stream format; with `markup`, its tags as superblanks."""
    if not markup:
        return _SPECIAL.sub(r"\\\1", text)
    parts, at = [], 0
    for tag in _TAG.finditer(text):
        parts.append(_SPECIAL.sub(r"\\\1", text[at : tag.start()]))
        parts.append("[" + _SPECIAL.sub(r"\\\1", tag.group(0)) + "]")
        at = tag.end()
    parts.append(_SPECIAL.sub(r"\\\1", text[at:]))
    return "".join(parts)


def unmark(output: str, source: str) -> Segment:
    """The stream a pipeline gave back, as text, with its unknown-word marks taken off.
    An unknown word is copied from the source, so `*word` and `@word` are marks only when
    the word is the source's; and a mark-like character the source had is its own."""
    text = _OUT.sub(lambda m: m.group(1) or "", output)
    unknown: list[str] = []
    words = set(_WORDS.findall(source))

    def strip(match: re.Match[str]) -> str:
        mark, word = match.groups()
        if match.group(0) in source:
            return match.group(0)
        if mark == "#":  # translated, but the target form could not be inflected
            return word
        if word not in words:
            return match.group(0)
        unknown.append(word)
        return word

    text = _MARKED.sub(strip, text)
    return Segment(text, tuple(dict.fromkeys(unknown)))


class _Pipeline:
    """One direction's stages, started once and fed a segment at a time."""

    def __init__(self, name: str, command: str) -> None:
        self.name = name
        self._command = command
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._pending = b""
        self._errors: deque[str] = deque(maxlen=20)

    def _start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            ["sh", "-c", self._command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            bufsize=0,
        )
        assert process.stderr is not None
        threading.Thread(
            target=self._drain, args=(process.stderr,), daemon=True, name=f"apertium-{self.name}"
        ).start()
        self._pending = b""
        return process

    def _drain(self, stream: object) -> None:
        for line in iter(stream.readline, b""):  # type: ignore[attr-defined]
            self._errors.append(line.decode("utf-8", "replace").rstrip())

    @property
    def started(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def run(self, stream: str) -> str:
        with self._lock:
            if self._process is None or self._process.poll() is not None:
                self._process = self._start()
            process = self._process
            assert process.stdin is not None and process.stdout is not None
            try:
                # A superblank before the NUL: lt-proc (3.7) waits for one more byte after
                # a NUL that follows a word's end, and would never answer.
                process.stdin.write(stream.encode() + b"[]\0")
                return self._read(process.stdout.fileno())
            except (OSError, TimeoutError) as error:
                self._halt()
                detail = "; ".join(self._errors) or str(error)
                raise EngineUnavailable(f"Apertium {self.name} failed: {detail}") from error

    def _read(self, fd: int) -> str:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self._pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError(f"no answer in {TIMEOUT:.0f} s")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise OSError("the pipeline stopped")
            self._pending += chunk
        answer, _, self._pending = self._pending.partition(b"\0")
        return answer.decode("utf-8", "replace")

    def stop(self) -> None:
        """Stops the processes (after the segment in hand, if any)."""
        with self._lock:
            self._halt()

    def _halt(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        process.kill()
        process.wait()


class ApertiumEngine:
    """Every direction the installed Apertium pairs translate in."""

    name = "apertium"
    handles_markup = True
    keeps_names = False

    def __init__(self, modes: Path = MODES) -> None:
        self._commands = _discover(modes)
        self._pipelines: LRUCache[tuple[str, str], _Pipeline] = LRUCache(maxsize=MAX_WARM)
        self._lock = threading.Lock()

    def pairs(self) -> list[Pair]:
        return [Pair(source, target, self.name) for source, target in sorted(self._commands)]

    def translate(
        self, segments: Sequence[str], source: str, target: str, *, markup: bool = False
    ) -> list[Segment]:
        pipeline = self._pipeline(source, target)
        translated = []
        for segment in segments:
            body = segment.strip()
            if not body:
                translated.append(Segment(segment))
                continue
            head, tail = (
                segment[: len(segment) - len(segment.lstrip())],
                segment[len(segment.rstrip()) :],
            )
            done = unmark(pipeline.run(escape(body, markup=markup)), body)
            translated.append(Segment(head + done.text.strip() + tail, done.unknown))
        return translated

    def _pipeline(self, source: str, target: str) -> _Pipeline:
        idle = None
        with self._lock:
            pipeline = self._pipelines.get((source, target))
            if pipeline is None:
                command = self._commands.get((source, target))
                if command is None:
                    raise EngineUnavailable(f"Apertium has no {source}-{target} pair installed")
                pipeline = _Pipeline(f"{source}-{target}", command)
                if len(self._pipelines) >= self._pipelines.maxsize:
                    idle = self._pipelines.popitem()[1]  # the least recently used
                self._pipelines[(source, target)] = pipeline
        if idle is not None:
            idle.stop()
        return pipeline

    def running(self) -> list[str]:
        """The directions whose pipelines are started, least recently used first."""
        with self._lock:
            return [f"{s}-{t}" for (s, t), p in self._pipelines.items() if p.started]

    def close(self) -> None:
        with self._lock:
            for pipeline in self._pipelines.values():
                pipeline.stop()
            self._pipelines.clear()


def _discover(modes: Path) -> dict[tuple[str, str], str]:
    """(source, target) → the null-flush pipeline of each mode that can run here: a plain
    pair (not a variant such as `eng-cat_valencia`), every program installed, every data
    file present. A 639-3 mode wins over a 639-1 one of the same direction (the newer
    package)."""
    if not modes.is_dir() or shutil.which("apertium-wblank-mode") is None:
        return {}
    found: dict[tuple[str, str], tuple[bool, str]] = {}
    for file in sorted(modes.glob("*.mode")):
        match = _MODE.match(file.stem)
        if match is None:
            continue
        command = _pipeline_command(file)
        if command is None:
            continue
        key = (iso(match.group(1)), iso(match.group(2)))
        newer = len(match.group(1)) == 3
        if key not in found or (newer and not found[key][0]):
            found[key] = (newer, command)
    return {key: command for key, (_, command) in found.items()}


def _pipeline_command(file: Path) -> str | None:
    try:
        printed = subprocess.run(
            ["apertium-wblank-mode", "-z", str(file)],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        log.info("apertium mode %s skipped: %s", file.stem, error)
        return None
    # $1: the generator's flag (-g: mark unknown words); $2: the tagger's extra flag.
    command = printed.replace("$1", "-g").replace("$2", "")
    stages = []
    for stage in command.split("|"):
        words = shlex.split(stage)
        if not words or shutil.which(words[0]) is None:
            log.info("apertium mode %s skipped: %s is not installed", file.stem, stage.strip())
            return None
        for i, word in enumerate(words):
            if word.startswith("/") and not Path(word).exists():
                fixed = _swapped_folder(Path(word))
                if fixed is None:
                    log.info("apertium mode %s skipped: %s is missing", file.stem, word)
                    return None
                words[i] = str(fixed)
        stages.append(shlex.join(words))
    return " | ".join(stages)


def _swapped_folder(path: Path) -> Path | None:
    """Some Debian pairs' modes name their data folder the other way round
    (`apertium-eo-es/es-eo.automorf.bin` for what is in `apertium-es-eo/`)."""
    folder = path.parent.name
    match = re.fullmatch(r"apertium-([a-z]+)-([a-z]+)", folder)
    if match is None:
        return None
    swapped = path.parent.parent / f"apertium-{match.group(2)}-{match.group(1)}" / path.name
    return swapped if swapped.exists() else None
