"""Speech-to-text with Whisper base (CTranslate2 via faster-whisper), the default engine.

The packaged model is loaded once (int8, greedy). A request is encoded in a window just
longer than itself instead of Whisper's fixed 30 s, which makes short commands several times
faster; phrases the listener expects are given to Whisper as hot words.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from heron.audio import RATE, Samples
from heron.errors import BadInput, EngineUnavailable
from heron.speech.base import Segment, Transcript

log = logging.getLogger(__name__)

# Hot words are a prompt: a short one biases, a long one crowds out the audio.
MAX_HINT_CHARS = 200
WINDOW_S = 10.0
"""Audio up to 9 s is heard in a 10 s window; longer, in one just longer than it."""
LANGUAGES = frozenset(
    "en de fr es it pt nl sv da no fi pl cs ru uk tr ar he hi ja ko zh ca gl eu ro hu el".split()
)


class WhisperEngine:
    name = "whisper"

    def __init__(self, model_dir: Path, *, threads: int = 2, window_s: float = WINDOW_S) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as error:  # pragma: no cover - a dependency of heron
            raise EngineUnavailable(f"faster-whisper is not installed: {error}") from None
        self._model = WhisperModel(
            str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads
        )
        self.window_s = window_s
        # CTranslate2 runs one decode at a time well on a small CPU; queue the rest.
        self._lock = threading.Lock()

    def transcribe(
        self, samples: Samples, *, language: str | None = None, hints: Sequence[str] = ()
    ) -> Transcript:
        if language is not None and language not in LANGUAGES:
            raise BadInput(f"Whisper cannot transcribe language {language!r}")
        seconds = len(samples) / RATE
        audio = samples.astype(np.float32) / 32768.0
        with self._lock:
            if seconds + 1 <= 30 and self.window_s < 30:
                window = max(self.window_s, float(math.ceil(seconds + 1)))
                text, found = self._short(audio, window, language, _hotwords(hints))
                if not _repeats(text):
                    segments = (Segment(0.0, seconds, text),) if text else ()
                    return Transcript(text, found, segments, seconds)
                log.info("short window repeated itself; decoding the full window")
            return self._full(audio, seconds, language, _hotwords(hints))

    def _short(
        self, audio: np.ndarray, window_s: float, language: str | None, hotwords: str | None
    ) -> tuple[str, str]:
        """Whisper on a window just longer than the audio, not its fixed 30 s: the encoder's
        cost grows with the window (0.06 s for 3 s, 1.6 s for 30 s here). A window of at
        least 10 s keeps enough silence after the words for the decoder to see the end."""
        import ctranslate2
        from faster_whisper.tokenizer import Tokenizer

        model = self._model
        frames = int(window_s * 100)
        features = model.feature_extractor(audio, chunk_length=math.ceil(window_s))[:, :frames]
        if features.shape[1] < frames:
            features = np.pad(features, ((0, 0), (0, frames - features.shape[1])))
        encoded = model.model.encode(ctranslate2.StorageView.from_array(features[None]))
        if language is None:
            ranked = model.model.detect_language(encoded)[0]
            language = ranked[0][0].strip("<|>")
        tokenizer = Tokenizer(
            model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language
        )
        prompt: list[int] = []
        if hotwords:
            prompt = [tokenizer.sot_prev, *tokenizer.encode(" " + hotwords)]
        prompt += [*tokenizer.sot_sequence, tokenizer.no_timestamps]
        # About three tokens a second is fast speech; the bound stops a runaway decode early.
        budget = min(model.max_length - len(prompt), int(8 * window_s) + 16)
        result = model.model.generate(
            encoded, [prompt], beam_size=1, max_length=len(prompt) + budget, suppress_blank=True
        )[0]
        return tokenizer.decode(result.sequences_ids[0]).strip(), language

    def _full(
        self, audio: np.ndarray, seconds: float, language: str | None, hotwords: str | None
    ) -> Transcript:
        """faster-whisper's own loop over 30 s windows (long recordings, or a retry)."""
        found, info = self._model.transcribe(
            audio,
            language=language,
            beam_size=1,
            best_of=1,
            temperature=0.0,
            condition_on_previous_text=False,
            vad_filter=False,
            hotwords=hotwords,
        )
        segments = tuple(
            Segment(s.start, s.end, s.text.strip())
            for s in found
            if s.text.strip() and s.no_speech_prob < 0.8
        )
        text = " ".join(s.text for s in segments).strip()
        return Transcript(text, info.language, segments, seconds)


def _repeats(text: str) -> bool:
    """Whether the decoder looped ("Hi. Hi. Hi." or a sentence said twice over)."""
    words = text.lower().split()
    for size in range(1, min(12, len(words) // 2) + 1):
        for start in range(len(words) - 2 * size + 1):
            block = words[start : start + size]
            if block == words[start + size : start + 2 * size] and (
                size >= 3 or words[start + 2 * size : start + 3 * size] == block
            ):
                return True
    return False


def _hotwords(hints: Sequence[str]) -> str | None:
    chosen: list[str] = []
    size = 0
    for hint in dict.fromkeys(h.strip() for h in hints if h.strip()):
        if size + len(hint) + 2 > MAX_HINT_CHARS:
            break
        chosen.append(hint)
        size += len(hint) + 2
    return ", ".join(chosen) or None
