"""Sentence embeddings from the packaged all-MiniLM-L6-v2, loaded once per process.

The model runs on ONNX Runtime: one sentence takes about 4 ms there against 11 ms in PyTorch.
The ONNX file is exported from the packaged PyTorch weights once, into the models dir.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from heron.assets import minilm_dir
from heron.errors import EngineUnavailable

log = logging.getLogger(__name__)
MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # the model's own limit
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class SentenceEncoder:
    """Unit-length 384-dimension vectors for sentences (mean-pooled, as the model was trained)."""

    dimensions = 384

    def __init__(self, tokenizer: Any, session: Any) -> None:
        self._tokenizer = tokenizer
        self._session = session
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, sentences: list[str], batch_size: int = 64) -> np.ndarray:
        if not sentences:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        # Batches of similar length waste no work on padding.
        order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
        out = np.empty((len(sentences), self.dimensions), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._batch([sentences[i] for i in rows])
        return out

    def _batch(self, sentences: list[str]) -> np.ndarray:
        tokens = self._tokenizer(
            sentences, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="np"
        )
        feed = {name: np.asarray(tokens[name], dtype=np.int64) for name in _INPUTS}
        hidden = self._session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)

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


_export_lock = threading.Lock()


def onnx_model(models_dir: Path) -> Path:
    """The ONNX export of the packaged model, made once into `models_dir` and reused after."""
    target = models_dir / "minilm-l6-v2" / "model.onnx"
    if target.is_file():
        return target
    source = minilm_dir()
    with _export_lock:
        if target.is_file():
            return target
        try:
            import torch
            import transformers
            from transformers import AutoModel
        except ImportError as error:
            raise EngineUnavailable(
                "exporting the sentence-embedding model needs torch and transformers: "
                "pip install -e ."
            ) from error
        log.info("exporting the sentence-embedding model to ONNX path=%s", target)
        transformers.logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        model = AutoModel.from_pretrained(str(source)).eval()

        class _Hidden(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.model = model

            def forward(self, ids: Any, mask: Any, types: Any) -> Any:
                return self.model(
                    input_ids=ids, attention_mask=mask, token_type_ids=types
                ).last_hidden_state

        example = torch.ones((1, 4), dtype=torch.int64)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".model-{os.getpid()}.onnx")
        axes = {0: "batch", 1: "tokens"}
        try:
            with warnings.catch_warnings():
                # The tracer warns about shape checks it freezes; none depends on the shape.
                warnings.simplefilter("ignore")
                torch.onnx.export(
                    _Hidden(),
                    (example, example, torch.zeros_like(example)),
                    str(partial),
                    input_names=list(_INPUTS),
                    output_names=["hidden"],
                    dynamic_axes={name: axes for name in (*_INPUTS, "hidden")},
                    opset_version=17,
                    dynamo=False,
                )
        except ImportError as error:
            raise EngineUnavailable(
                "exporting the sentence-embedding model needs the onnx package: pip install -e ."
            ) from error
        partial.replace(target)
    return target


@functools.cache
def load_encoder(models_dir: Path | None = None) -> SentenceEncoder:
    """The packaged MiniLM model; EngineUnavailable (naming the package) if it is missing."""
    from heron.config import default_models_dir

    source = minilm_dir()
    # The model is on disk: make sure no library tries to ask a model hub about it.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    path = onnx_model(models_dir or default_models_dir())
    import onnxruntime
    from transformers import AutoTokenizer

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = min(2, os.cpu_count() or 1)
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    log.info("loading sentence embeddings model=%s path=%s", MODEL_NAME, path)
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return SentenceEncoder(AutoTokenizer.from_pretrained(str(source)), session)
