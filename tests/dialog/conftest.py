"""The demo shop as a real SQLite database: seeded once per session from samples/shop, copied per test."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dialog.agent import ShopAgent
from dialog.generate.writer import ReplyWriter
from dialog.knowledge import cache_path_for, knowledge_for
from dialog.nlu.understander import Understander
from dialog.shop.db import Shop, national_number
from dialog.shop.seed import SAMPLES, seed
from dialog.types import CallerTurn, CallState
from tests.conftest import models_allowed


@pytest.fixture(scope="session")
def shop_data() -> dict[str, list[dict]]:
    return {name: json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
            for name in ("orders", "customers", "products", "faq")}


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Path:
    """Seeded once, with its embedding cache beside it, so each test's copy needs no model work.

    Passage embeddings also persist in pytest's cache folder: only the first run embeds the catalogue.
    The fast tier embeds nothing (no model): a test there that searches the catalogue fails and names itself.
    """
    folder = tmp_path_factory.mktemp("template")
    shop = Shop(f"sqlite:///{folder / 'shop.db'}")
    seed(shop)
    if not models_allowed(pytestconfig):
        shop.close()
        return folder
    cache = cache_path_for(shop)
    kept = pytestconfig.cache.mkdir("voicedesk-shop") / "embeddings.npz" if hasattr(pytestconfig, "cache") else None
    if kept and kept.exists():
        shutil.copy(kept, cache)
    knowledge_for(shop)
    if kept:
        shutil.copy(cache, kept)
    shop.close()
    return folder


@pytest.fixture
def shop(template_db: Path, tmp_path: Path) -> Iterator[Shop]:
    for file in template_db.iterdir():
        shutil.copy(file, tmp_path / file.name)
    shop = Shop(f"sqlite:///{tmp_path / 'shop.db'}")
    yield shop
    shop.close()


@pytest.fixture
def find_order(shop_data: dict[str, list[dict]]) -> Callable[..., dict]:
    """The first shipped order matching a status (and an optional test on the order)."""
    def find(status: str, where: Callable[[dict], bool] = lambda o: True) -> dict:
        return next(o for o in shop_data["orders"] if o["status"] == status and where(o))
    return find


@pytest.fixture
def owner(shop_data: dict[str, list[dict]]) -> Callable[[dict], dict]:
    return lambda order: next(c for c in shop_data["customers"] if c["id"] == order["customer_id"])


def caller_state(caller_id: str | None = None, language: str = "en", said: str = "", named: str | None = None
                 ) -> CallState:
    """A call's state; `named`: an order number the caller said (a change may run on it)."""
    state = CallState(call_id="test-call", caller_id=caller_id, language=language)
    if said:
        state.history.append(("caller", said))
    if named:
        state.named_orders.add(named)
    return state


def caller_id_of(customer: dict) -> str:
    """The line's caller ID as a carrier sends it: national digits, no country code."""
    return national_number(customer["phone"])


@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander()


@pytest.fixture
def agent(shop, understander) -> ShopAgent:
    """The agent on the real shop DB and understanding model, with the template writer (fast, deterministic)."""
    return ShopAgent(shop, understander, ReplyWriter(None))


def talk(agent: ShopAgent, lines: list[str], caller_id: str | None = None):
    """A conversation: the call and each turn's record."""
    call = agent.start_call("test", caller_id)
    outcomes = []
    for i, line in enumerate(lines):
        outcome = agent.turn(call, CallerTurn(line, turn_id=str(i)))
        outcome.reply.text()
        outcomes.append(outcome.record())
    return call, outcomes
