"""Multilingual retrieval: a question in one language finds an answer that exists only in the other."""

from __future__ import annotations

import pytest

import dialog.knowledge as knowledge_module
from dialog.actions import run
from dialog.contract import FaqAnswer
from dialog.knowledge import EmbeddingCache, Knowledge, knowledge_for, shop_passages
from dialog.types import Slots
from tests.dialog.conftest import caller_id_of, caller_state

pytestmark = pytest.mark.models  # the e5 embeddings


@pytest.mark.parametrize(("question", "topic"), [
    ("你们有礼品包装吗？", "gift_wrap"),  # answer only in English
    ("可以到门店自提吗", "store_pickup"),  # answer only in English
    ("do you offer price protection if the price drops?", "price_protection"),  # answer only in Chinese
    ("退款多久到账", "refunds"),
    ("how do I return something", "returns"),
    ("电子产品保修多久", "warranty"),
    ("do you deliver to the US", "international"),
])
def test_search_finds_the_faq_across_languages(shop, shop_data, question, topic):
    hit = knowledge_for(shop).search(question, k=1, kind="faq")[0]
    entry = next(f for i, f in enumerate(shop_data["faq"], 1) if str(i) == hit.passage.key)
    assert entry["topic"] == topic


@pytest.mark.parametrize(("question", "sku_name"), [
    ("有没有降噪耳机", "Wireless Earbuds Pro"), ("I need something to make rice", "Rice Cooker Smart 4L"),
    ("我想买个扫地的机器人", "Robot Vacuum X1")])
def test_search_finds_products_in_either_language(shop, shop_data, question, sku_name):
    hit = knowledge_for(shop).search(question, k=1, kind="product")[0]
    assert next(p for p in shop_data["products"] if p["sku"] == hit.passage.key)["name_en"] == sku_name


def test_search_gives_one_hit_per_item(shop):
    hits = knowledge_for(shop).search("earbuds", k=5)
    assert len({(h.passage.kind, h.passage.key) for h in hits}) == 5
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_embeddings_are_cached_on_disk(shop, tmp_path, monkeypatch):
    passages = shop_passages(shop)[:4]
    first = Knowledge(passages, EmbeddingCache(tmp_path / "cache.npz"))

    def no_model(texts):
        raise AssertionError(f"re-embedded {len(texts)} passages")

    monkeypatch.setattr(knowledge_module.embedder(), "passage", no_model)
    again = Knowledge(passages, EmbeddingCache(tmp_path / "cache.npz"))
    assert (first.matrix == again.matrix).all()


def test_product_question_answers_a_zh_caller_from_an_en_only_faq(shop):
    state = caller_state(language="zh", said="买礼物的话可以帮我包装一下吗")
    result = run("product_question", shop, state, Slots(), "zh")
    assert result.ok and isinstance(result.facts, FaqAnswer) and result.facts.topic == "gift_wrap"
    assert result.facts.answer_language == "en"


def test_product_question_about_a_product_gives_price_and_stock(shop, shop_data):
    result = run("product_question", shop, caller_state(said="How much is the air fryer?"), Slots(), "en")
    fryer = next(p for p in shop_data["products"] if p["name_en"] == "Air Fryer 5L")
    assert result.facts.name == "Air Fryer 5L" and result.facts.price == fryer["price"]
    named = run("product_question", shop, caller_state(), Slots(product=fryer["sku"]), "zh")
    assert named.facts.name == "空气炸锅5升"


@pytest.mark.parametrize(("said", "language", "topic"), [
    ("And if I get him the smart watch, what's the warranty on that?", "en", "warranty"),
    ("智能手表保修多久？", "zh", "warranty"),
])
def test_a_policy_question_about_a_named_product_gets_the_policy(shop, shop_data, said, language, topic):
    """Not the watch's price and stock (an unseen call): the shop's answer to what was asked."""
    watch = next(p for p in shop_data["products"] if p["name_en"].startswith("Smart Watch"))
    result = run("product_question", shop, caller_state(language=language, said=said), Slots(product=watch["sku"]),
                 language)
    assert isinstance(result.facts, FaqAnswer) and (topic is None or result.facts.topic == topic)
    price = run("product_question", shop, caller_state(language=language, said="How much is the smart watch?"),
                Slots(product=watch["sku"]), language)
    assert price.facts.name in (watch["name_en"], watch["name_zh"])


def test_product_question_refusals(shop):
    assert run("product_question", shop, caller_state(), Slots(), "en").reason == "missing_question"


def test_recommendations_follow_purchase_history_and_skip_owned_and_sold_out(shop, shop_data):
    customer = max(shop_data["customers"], key=lambda c: len(c["orders"]))
    result = run("recommend_product", shop, caller_state(caller_id_of(customer)), Slots(), "en")
    owned = {item["sku"] for o in shop_data["orders"] if o["customer_id"] == customer["id"] for item in o["items"]}
    recommended = [p.sku for p in result.facts.products]
    stock = {p["sku"]: p["stock"] for p in shop_data["products"]}
    assert result.ok and result.facts.based_on == "purchases" and len(recommended) == 3
    assert not owned & set(recommended) and all(stock[sku] > 0 for sku in recommended)


def test_recommendations_for_an_anonymous_caller_follow_the_question(shop):
    state = caller_state(language="zh", said="有什么适合泡茶的东西推荐吗")
    result = run("recommend_product", shop, state, Slots(), "zh")
    assert result.ok and result.facts.based_on == "question"
    names = {p.name for p in result.facts.products}
    assert names & {"龙井茶礼盒", "1.7升电热水壶", "手冲咖啡套装"}
    assert run("recommend_product", shop, caller_state(), Slots(), "en").reason == "no_profile"
