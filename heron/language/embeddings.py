"""Sentence embeddings from the packaged all-MiniLM-L6-v2, loaded once per process.

Importing torch costs seconds, so nothing here is imported until an embedding is needed.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from heron.assets import minilm_dir
from heron.errors import EngineUnavailable

log = logging.getLogger(__name__)
MODEL_NAME = "all-MiniLM-L6-v2"


class SentenceEncoder:
    """Unit-length 384-dimension vectors for sentences."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, sentences: list[str], batch_size: int = 64) -> np.ndarray:
        vectors = self._model.encode(
            sentences,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_cached(self, sentences: list[str], cache_dir: Path | None) -> np.ndarray:
        """Like `encode`, but keeps the vectors of a fixed sentence set in memory and on disk."""
        digest = hashlib.sha256("\n".join([MODEL_NAME, *sentences]).encode()).hexdigest()[:20]
        if digest in self._memo:
            return self._memo[digest]
        self._memo[digest] = vectors = self._encode_on_disk(sentences, cache_dir, digest)
        return vectors

    def _encode_on_disk(
        self, sentences: list[str], cache_dir: Path | None, digest: str
    ) -> np.ndarray:
        if cache_dir is None:
            return self.encode(sentences)
        path = cache_dir / f"embeddings-{digest}.npy"
        if path.exists():
            try:
                cached = np.load(path)
                if cached.shape[0] == len(sentences):
                    return np.asarray(cached, dtype=np.float32)
            except (OSError, ValueError):
                log.warning("ignoring a damaged embedding cache file=%s", path)
        vectors = self.encode(sentences)
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp.npy")
        np.save(partial, vectors)
        partial.replace(path)  # atomic: a crash never leaves a torn cache file
        return vectors


@functools.cache
def load_encoder() -> SentenceEncoder:
    """The packaged MiniLM model; EngineUnavailable (naming the package) if it is missing."""
    path = minilm_dir()
    # The model is on disk: make sure no library tries to ask a model hub about it.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise EngineUnavailable(
            "sentence embeddings need torch and sentence-transformers: pip install -e ."
        ) from error
    import transformers

    transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    log.info("loading sentence embeddings model=%s path=%s", MODEL_NAME, path)
    return SentenceEncoder(SentenceTransformer(str(path), device="cpu"))
