"""Product questions answered from the catalogue and FAQ (multilingual retrieval), and recommendations.

Recommendations start from what the customer bought (the mean of those products' embeddings), skip
what they own and what is out of stock, and lean to the tier: VIPs towards premium items, new
customers towards affordable ones.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import RowMapping

from dialog.actions.facts import Facts, last_caller_text, refuse
from dialog.knowledge import Hit, knowledge_for
from dialog.security import identify_caller
from dialog.shop.db import Shop, to_yuan
from dialog.types import ActionResult, CallState, Language, Slots

MIN_SCORE = 0.2  # below this (language-centred cosine) the best passage is not an answer
TIER_PRICE_WEIGHT = {"vip": 0.05, "regular": 0.0, "new": -0.05}


def _product_facts(product: RowMapping, language: Language, prefix: str = "") -> Facts:
    zh = language == "zh"
    return {f"{prefix}sku": product["sku"], f"{prefix}name": product["name_zh" if zh else "name_en"],
            f"{prefix}price": to_yuan(product["price_cents"]),
            f"{prefix}in_stock": "yes" if product["stock"] > 0 else "no",
            f"{prefix}description": product["description_zh" if zh else "description_en"]}


def _answer(shop: Shop, hit: Hit, language: Language) -> Facts:
    if hit.passage.kind == "product":
        return {"source": "product", **_product_facts(shop.product(hit.passage.key), language), "currency": "CNY"}
    row = next(r for r in shop.faq() if str(r["id"]) == hit.passage.key)
    return {"source": "faq", "topic": row["topic"], "answer": row["answer"], "answer_language": row["language"]}


def product_question(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """A named product is read from the catalogue; otherwise the caller's last words are searched."""
    if slots.product and (product := shop.product(slots.product)):
        return ActionResult("product_question", ok=True, facts={"source": "product", "currency": "CNY",
                                                                **_product_facts(product, language)})
    question = last_caller_text(state)
    if not question:
        return refuse("product_question", "missing_question")
    hits = knowledge_for(shop).search(question, k=1)
    if not hits or hits[0].score < MIN_SCORE:
        return refuse("product_question", "no_answer")
    return ActionResult("product_question", ok=True, facts={**_answer(shop, hits[0], language),
                                                            "score": round(hits[0].score, 3)})


def recommend_product(shop: Shop, state: CallState, slots: Slots, language: Language, k: int = 3) -> ActionResult:
    knowledge = knowledge_for(shop)
    catalogue = {p["sku"]: p for p in shop.products()}
    owned: list[str] = []
    tier = "regular"
    if identify_caller(shop, state) is not None:
        owned = shop.purchased_skus(state.customer_id)
        tier = shop.customer(state.customer_id)["tier"]
    if owned:
        profile = np.mean([knowledge.vector("product", sku) for sku in dict.fromkeys(owned)], axis=0)
    elif question := last_caller_text(state):
        profile = knowledge.embed_query(question)
    else:
        return refuse("recommend_product", "no_profile")
    prices = np.array([p["price_cents"] for p in catalogue.values()], dtype=float)
    low, high = prices.min(), prices.max()
    scored = []
    for sku, product in catalogue.items():
        if sku in owned or product["stock"] <= 0:
            continue
        premium = (product["price_cents"] - low) / (high - low)
        scored.append((float(knowledge.vector("product", sku) @ profile) + TIER_PRICE_WEIGHT[tier] * premium, sku))
    scored.sort(reverse=True)
    facts: Facts = {"currency": "CNY", "based_on": "purchases" if owned else "question"}
    for i, (_, sku) in enumerate(scored[:k], 1):
        facts.update(_product_facts(catalogue[sku], language, prefix=f"product_{i}_"))
    return ActionResult("recommend_product", ok=True, facts=facts)
