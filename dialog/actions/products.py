"""Product questions answered from the catalogue and FAQ (multilingual retrieval), and recommendations.

Recommendations start from what the customer bought (the mean of those products' embeddings), skip
what they own and what is out of stock, and lean to the tier: VIPs towards premium items, new
customers towards affordable ones.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import RowMapping

from dialog.actions.facts import last_caller_text, money, refuse
from dialog.contract import ActionResult, FaqAnswer, ProductBrief, ProductInfo, Recommendation
from dialog.knowledge import Hit, knowledge_for
from dialog.security import identify_caller
from dialog.shop.db import Shop
from dialog.types import Action, CallState, Language, Reason, Slots

POLICY_OVER_PRODUCT = 0.3  # a question about a named product whose best passage is a FAQ this close: the policy
MIN_SCORE = 0.2  # below this (language-centred cosine) the best passage is not an answer
TIER_PRICE_WEIGHT = {"vip": 0.05, "regular": 0.0, "new": -0.05}


def _product(product: RowMapping, language: Language) -> ProductInfo:
    zh = language == "zh"
    return ProductInfo(product["sku"], product["name_zh" if zh else "name_en"], money(product["price_cents"]),
                       product["stock"] > 0, product["description_zh" if zh else "description_en"])


def _brief(product: RowMapping, language: Language) -> ProductBrief:
    return ProductBrief(product["sku"], product["name_zh" if language == "zh" else "name_en"],
                        money(product["price_cents"]), product["stock"] > 0)


def _answer(shop: Shop, hit: Hit, language: Language) -> ProductInfo | FaqAnswer:
    if hit.passage.kind == "product":
        return _product(shop.product(hit.passage.key), language)
    rows = shop.faq()
    row = next(r for r in rows if str(r["id"]) == hit.passage.key)
    # the same entry in the caller's language, when the best match was its translation
    row = next((r for r in rows if r["topic"] == row["topic"] and r["language"] == language), row)
    return FaqAnswer(row["topic"], row["answer"], row["language"])


def product_question(shop: Shop, state: CallState, slots: Slots, language: Language) -> ActionResult:
    """A named product is read from the catalogue, unless the question is about a policy ("what's the warranty on
    the smart watch?", "can I return it if he doesn't like it?": the shop's FAQ answers it); otherwise the
    caller's last words are searched."""
    action = Action.product_question
    question = last_caller_text(state)
    if slots.product and (product := shop.product(slots.product)):
        hits = knowledge_for(shop).search(question, k=1) if question else []
        if hits and hits[0].passage.kind == "faq" and hits[0].score >= POLICY_OVER_PRODUCT:
            return ActionResult(action, ok=True, facts=_answer(shop, hits[0], language))
        return ActionResult(action, ok=True, facts=_product(product, language))
    if not question:
        return refuse(action, Reason.missing_question)
    hits = knowledge_for(shop).search(question, k=1)
    if not hits or hits[0].score < MIN_SCORE:
        return refuse(action, Reason.no_answer)
    return ActionResult(action, ok=True, facts=_answer(shop, hits[0], language))


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
        return refuse(Action.recommend_product, Reason.no_profile)
    prices = np.array([p["price_cents"] for p in catalogue.values()], dtype=float)
    low, high = prices.min(), prices.max()
    scored = []
    for sku, product in catalogue.items():
        if sku in owned or product["stock"] <= 0:
            continue
        premium = (product["price_cents"] - low) / (high - low)
        scored.append((float(knowledge.vector("product", sku) @ profile) + TIER_PRICE_WEIGHT[tier] * premium, sku))
    scored.sort(reverse=True)
    picks = tuple(_brief(catalogue[sku], language) for _, sku in scored[:k])
    return ActionResult(Action.recommend_product, ok=True,
                        facts=Recommendation(picks, "purchases" if owned else "question"))
