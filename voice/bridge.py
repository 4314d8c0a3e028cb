"""A blocking iterator (the reply writer's sentences, a model on its thread) read from asyncio.

The next item is pulled on a worker thread while the caller of `in_thread` handles this one, so the
next sentence is written while this one is spoken. Cancelling stops the pulling and closes the
iterator on its thread (a generator must not be closed while another thread runs it).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from typing import TypeVar

T = TypeVar("T")


async def in_thread(items: Iterator[T], cancel: threading.Event) -> AsyncIterator[T]:
    """Use inside `contextlib.aclosing`, so that leaving the loop early stops the worker at once."""
    lock = threading.Lock()
    done = object()

    def pull() -> object:
        with lock:
            return done if cancel.is_set() else next(items, done)

    def close() -> None:
        with lock:
            getattr(items, "close", lambda: None)()

    queue: asyncio.Queue[object] = asyncio.Queue()

    async def produce() -> None:
        try:
            while (item := await asyncio.to_thread(pull)) is not done:
                await queue.put(item)
        finally:
            await queue.put(done)
            if cancel.is_set():  # stop the writer's model thread too
                await asyncio.to_thread(close)

    producer = asyncio.create_task(produce())
    try:
        while (item := await queue.get()) is not done:
            yield item  # type: ignore[misc]
    finally:
        producer.cancel()
