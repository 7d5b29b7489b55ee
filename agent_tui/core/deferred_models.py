"""Pydantic models whose validators are built on first use instead of at import, and a way to build them all
ahead of that first use, off the path that needs them.

Building a model's schema, validator and serializer is most of what importing a module of models costs: about
40 ms of CPU for the records and events, before the TUI's first frame, which uses none of them when it opens an
empty session. Models deriving from `DeferredModel` are built the first time they validate or serialize
(pydantic's `defer_build`, thread-safe since pydantic 2.14), or by `build_deferred_models()`, which the TUI runs
in a thread right after its first frame so that the first send does not pay for them either.

Models are built in the order they were defined: a model refers to models defined before it, and pydantic reuses a
built model's schema inside the models that refer to it, rather than generating it again.
"""

from __future__ import annotations

import threading
from typing import Any

from pydantic import BaseModel, ConfigDict

_defined: list[type[BaseModel]] = []
_defined_lock = threading.Lock()


class DeferredModel(BaseModel):
    """A model built on first use (or by `build_deferred_models`), not when its class is created."""

    model_config = ConfigDict(defer_build=True)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        with _defined_lock:
            _defined.append(cls)


def deferred_models() -> list[type[BaseModel]]:
    """Every `DeferredModel` subclass defined so far, in definition order."""
    with _defined_lock:
        return list(_defined)


def unbuilt_models() -> list[type[BaseModel]]:
    return [model for model in deferred_models() if not model.__pydantic_complete__]


def build_deferred_models() -> int:
    """Build every deferred model not built yet; returns how many were built. Safe beside first uses in other
    threads (pydantic builds each model under its rebuild lock, once)."""
    built = 0
    for model in unbuilt_models():
        if model.model_rebuild(raise_errors=False, _parent_namespace_depth=0):
            built += 1
    return built
