"""The FastAPI application: engine life cycle, the scheduler task, errors and routers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator

from fastapi import FastAPI

import heron
from heron.config import Settings
from heron.engine import Heron
from heron.server import (
    assistant,
    keyboard,
    knowledge,
    language,
    openai,
    problems,
    search,
    speech,
    state,
    translation,
    voice,
    wyoming,
)

log = logging.getLogger(__name__)
_TOKEN_IN_URL = re.compile(r"((?:\?|&)token=)[^&\s\"]+")


class HideKeys(logging.Filter):
    """API keys sent in a URL (`?token=KEY`, for browsers' WebSockets) never reach the log:
    uvicorn writes each request's path there."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_URL.sub(r"\1…", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def hide_keys_in_logs() -> None:
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(found, HideKeys) for found in logger.filters):
            logger.addFilter(HideKeys())


def create_app(settings: Settings | None = None, *, engine: Heron | None = None) -> FastAPI:
    """The server app. Pass `engine` to share an engine (already configured, not started)."""
    the_engine = engine or Heron(settings)
    hide_keys_in_logs()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await the_engine.start()
        if the_engine.settings.warm_speech:
            await the_engine.warm_speech()
        the_engine.check_collisions()
        scheduler = asyncio.create_task(the_engine.run_scheduler(), name="heron-scheduler")
        app.state.heron = the_engine
        wyoming_server = None
        if the_engine.settings.wyoming_uri:
            wyoming_server = wyoming.WyomingServer(the_engine, the_engine.settings.wyoming_uri)
            await wyoming_server.start()
        log.info("heron ready data_dir=%s", the_engine.settings.data_dir)
        try:
            yield
        finally:
            if wyoming_server is not None:
                await wyoming_server.stop()
            scheduler.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await scheduler
            await the_engine.close()

    app = FastAPI(
        title="Heron",
        version=heron.__version__,
        description="An open, self-hosted, offline-first assistant. Authenticate with "
        "`Authorization: Bearer KEY` (create keys with `heron users add NAME`).",
        lifespan=lifespan,
    )
    problems.install(app)
    settings = the_engine.settings
    app.add_middleware(
        problems.BodyLimit,
        limit=settings.max_body_bytes,
        larger={
            "/v1/speech/transcribe": settings.max_audio_bytes,
            "/v1/audio/transcriptions": settings.max_audio_bytes,
            "/v1/language/apps/": language.MAX_TRAINING_BYTES,
            "/v1/search/documents": settings.max_document_bytes + search.FORM_OVERHEAD,
            "/v1/translate": translation.body_limit(settings),
            "/v1/keyboard/learn": keyboard.body_limit(settings),
        },
    )

    @app.get("/v1/health", tags=["system"], summary="Liveness (no key needed)")
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": heron.__version__}

    app.include_router(assistant.router)
    app.include_router(state.router)
    app.include_router(knowledge.router)
    app.include_router(speech.router)
    app.include_router(voice.router)
    app.include_router(language.router)
    app.include_router(search.router)
    app.include_router(translation.router)
    app.include_router(keyboard.router)
    app.include_router(openai.router)
    return app
