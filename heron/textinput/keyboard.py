"""The keyboard engine: the shared model (built once into the models folder, memory-mapped
after), next words and completions, and autocorrection, each blended with a user's own model."""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import threading
from pathlib import Path

from heron.textinput.build import FORMAT, Progress, build
from heron.textinput.correct import Corrector
from heron.textinput.model import NgramModel
from heron.textinput.predictor import Predictor

_LOADED: dict[Path, Keyboard] = {}
_LOADING = threading.Lock()


def model_folder(models_dir: Path) -> Path:
    return models_dir / f"keyboard-v{FORMAT}"


def ensure_model(models_dir: Path, progress: Progress | None = None) -> Path:
    """The shared model's folder, built first if it is not there (one process builds it; the
    others wait for it)."""
    folder = model_folder(models_dir)
    if (folder / "meta.json").is_file():
        return folder
    models_dir.mkdir(parents=True, exist_ok=True)
    with (models_dir / ".keyboard.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (folder / "meta.json").is_file():
                build(folder, progress)
                for older in range(1, FORMAT):  # models of older formats are not read again
                    shutil.rmtree(model_folder(models_dir).with_name(f"keyboard-v{older}"), True)
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(lock, fcntl.LOCK_UN)
    return folder


class Keyboard:
    def __init__(self, model: NgramModel) -> None:
        self.model = model
        self.predictor = Predictor(model)
        self.corrector = Corrector(model, self.predictor)
        self.predict = self.predictor.predict
        """The n likeliest next words (no prefix) or completions of `prefix`, cased for where
        they go: `predict(context, prefix="", n=3, personal=None)`."""
        self.correct = self.corrector.correct
        """What `word`, typed after `context` (and before `after`, if known), should be:
        `correct(word, context="", personal=None, *, after="", n=3)`."""

    @classmethod
    def default(cls, models_dir: Path | None = None, progress: Progress | None = None) -> Keyboard:
        """The keyboard of the model in `models_dir` (built first if need be), one per process:
        engines in one process share it, and its spelling index."""
        if models_dir is None:
            from heron.config import default_models_dir

            models_dir = default_models_dir()
        loaded = _LOADED.get(model_folder(models_dir))  # (no file touched once loaded)
        if loaded is not None:
            return loaded
        folder = ensure_model(models_dir, progress)
        with _LOADING:
            found = _LOADED.get(folder)
            if found is None:
                found = _LOADED[folder] = cls(NgramModel(folder))
        return found
