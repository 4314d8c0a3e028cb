"""Understanding in the call so far: what a turn means after what the assistant just asked or did.

A bare "no" means "nothing else, goodbye" after "anything else?", and "don't" after "shall I cancel it?";
"is there really nothing you can do?" after a refusal contests that refusal; "the other one" is the order
not talked about last. The sentence classifier cannot know any of this, so these rules run after it, on a
small typed `DialogueContext` the agent builds from its state each turn. Pure functions of (turn, context);
the cue phrases are data (`data/context.yaml`).

How a resolved turn is marked (`Understanding.act`):
- "answer": a short answer to the pending question (a bare "no" to "shall I ...?" is `deny`; a bare
  order number to "which order?" is the pending request);
- "closing": the caller is done ("that's all, thanks", "没有了，谢谢", a bare "no" to "anything else?"):
  intent `goodbye`;
- "objection": pushback after a refusal; the intent is the refused request (`last_action`), so the agent
  answers with the options it has (a person, an exception request) instead of reading it as a "no";
- "correction": "no, you misheard, it's 10042" / "不是，是一零零四二": the pending request again, with the
  corrected value in the slots;
- "follow_up": refers back ("the other one", "那个呢", "还有一个", "when do I get the money" after a
  return); the intent is the topic's (or track_refund), an order or product filled from the context is
  named in `from_context`.

What the agent passes each turn (it knows what it asked and did; nothing here reads the agent's state):
    DialogueContext(
        question=  "confirm" when its last reply asked for a yes (state.awaiting_confirmation), "slot" when
                   it asked for an order number / last four digits / email / address (a KEEPS_PENDING
                   reason), "choice" after a clarify of kind "choice" (options= the two intents),
                   "offer_human" after offering a person, "anything_else" after "anything else?", else None;
        pending_intent= state.pending_intent (or the clarified intents' first);
        last_action= the last ActionResult.action as an intent name, last_refused= not result.ok for a
                   refusal reason (already_shipped, outside_window...; not for a missing slot);
        orders= / products= every order number and product id said or told so far, oldest first;
        topic= the intent of the last request acted on.)
A change to an order runs only on what the caller named or confirmed: a slot in `from_context` was
inferred ("the other one"), so confirm it before changing anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict

from dialog.data import read_yaml
from dialog.nlu.data import HERE
from dialog.types import Language, Understanding

Question = Literal["confirm", "slot", "choice", "anything_else", "offer_human", "open"]
REFUND_TOPICS = frozenset({"get_refund", "track_refund", "check_refund_policy", "cancel_order"})
# Readings the classifier falls back to when a turn only makes sense in context.
WEAK_READINGS = frozenset({"out_of_scope", "affirm", "deny", "greeting", "goodbye"})
SLOT_NAMES = ("order_number", "phone_last4", "email", "phone", "address", "product")
# Requests about one order: "what about 10028?" after one of them asks the same of that order.
ORDER_INTENTS = frozenset({"track_order", "cancel_order", "change_shipping_address", "get_refund", "track_refund",
                           "check_invoice", "get_invoice", "payment_issue", "delivery_period", "change_order"})


@dataclass(frozen=True)
class DialogueContext:
    """What the call so far tells understanding. All optional: an empty context changes nothing.

    question: what the assistant's last turn asked ("confirm": shall I ...?; "slot": which order / the last
    four digits?; "choice": this or that?; "anything_else"; "offer_human": shall I put you through?).
    pending_intent: the request that question is about (waiting for a slot or a yes).
    options: with question "choice", the intents offered, in the order they were said.
    last_action / last_refused: the last action run (an intent name) and whether it was refused.
    orders / products: order numbers and product ids mentioned in the call, oldest first.
    topic: the intent of the last request the call was about.
    """

    question: Question | None = None
    pending_intent: str | None = None
    options: tuple[str, ...] = ()
    last_action: str | None = None
    last_refused: bool = False
    orders: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    topic: str | None = None


class _Cues(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    filler: str
    bare_no: str
    bare_yes: str
    closing_piece: str
    closing_strong: str
    pushback: str
    correction: str
    refers_other: str
    refers_same: str
    follow_up: str
    money: str
    status: str
    asks_anything_else: str
    asks_offer_human: str
    asks_slot: str
    asks_confirm: str
    refusal: str


class _CueFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    en: _Cues
    zh: _Cues


@cache
def cues(language: Language) -> dict[str, re.Pattern[str]]:
    table = getattr(read_yaml(HERE / "context.yaml", _CueFile), language)
    return {name: re.compile(pattern, re.I) for name, pattern in table.model_dump().items()}


_PUNCT = re.compile(r"[^\w\s'$]+")


def plain(text: str, language: Language) -> str:
    """Lower case, punctuation as spaces, single spaces; Mandarin also without spaces between characters."""
    text = re.sub(r"\s+", " ", _PUNCT.sub(" ", text.lower())).strip()
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text) if language == "zh" else text


def _bare(text: str, language: Language) -> str:
    """The turn without fillers ("um no" -> "no", "嗯，不是" -> "不是")."""
    c = cues(language)
    out = re.sub(r"\s+", " ", c["filler"].sub(" ", text)).strip()
    return out.replace(" ", "") if language == "zh" else out


def is_closing(text: str, language: Language) -> bool:
    """The whole turn closes the call: only closing words, at least one of them a real closing."""
    c = cues(language)
    t = plain(text, language)
    if not c["closing_strong"].search(t):
        return False
    rest = c["filler"].sub(" ", c["closing_piece"].sub(" ", t))
    return not re.sub(r"[\s']+", "", rest)


def resolve(u: Understanding, context: DialogueContext | None) -> Understanding:
    """The turn read in its context; `u` unchanged when no rule applies (or there is no context)."""
    language = u.language
    c = cues(language)
    text = plain(u.text, language)
    bare = _bare(text, language)
    ctx = context or DialogueContext()
    said = {name for name in SLOT_NAMES if getattr(u.slots, name) is not None}
    negative = bool(c["bare_no"].match(bare))
    asked = ctx.question in ("confirm", "offer_human", "choice")

    if ctx.pending_intent and c["correction"].search(text) and (said or u.intent in WEAK_READINGS):
        return _follow_up(_as(u, ctx.pending_intent, "correction"), ctx, text, said, keep_intent=True)
    if negative:
        if ctx.question == "anything_else":
            return _as(u, "goodbye", "closing")
        return _as(u, "deny", "answer")
    if is_closing(text, language):
        if not asked:
            return _as(u, "goodbye", "closing")
        if re.search(r"\b(?:no|nope|nah)\b|不是|不用|不要|不行|没有", text):  # "no thanks" to "shall I ...?"
            return _as(u, "deny", "answer")
        if ctx.question == "confirm":  # "ok, thanks" to "shall I cancel it?" is a yes
            return _as(u, "affirm", "answer")
    if ctx.question in ("confirm", "slot", "choice") and not said and _short_refusal(bare, language):
        return _as(u, "deny", "answer")  # "no, a different one", "不是，换一个"
    if ctx.last_refused and ctx.last_action and c["pushback"].search(text) and u.intent not in (
            "contact_human_agent", "contact_customer_service") and not _names_another_request(u, ctx):
        return _as(u, ctx.last_action, "objection")
    if ctx.question == "slot" and ctx.pending_intent and said and (u.intent in WEAK_READINGS or u.clarify):
        return _as(u, ctx.pending_intent, "answer")
    topic = ctx.topic or ctx.last_action
    if topic in REFUND_TOPICS and c["money"].search(text) and c["status"].search(text) and u.intent in (
            "track_order", "delivery_period", "payment_issue", "get_refund", "check_refund_policy", "track_refund",
            *WEAK_READINGS):
        return _as(u, "track_refund", "follow_up")
    return _follow_up(u, ctx, text, said)


def _names_another_request(u: Understanding, ctx: DialogueContext) -> bool:
    """The caller moved on to a different request the classifier is sure of (not a complaint: pushback
    often sounds like one)."""
    return (u.intent not in WEAK_READINGS and u.intent not in ("complaint", ctx.last_action)
            and u.confidence >= 0.8 and not u.clarify)


def _follow_up(u: Understanding, ctx: DialogueContext, text: str, said: set[str], keep_intent: bool = False
               ) -> Understanding:
    c = cues(u.language)
    other, same = c["refers_other"].search(text), c["refers_same"].search(text)
    follow = c["follow_up"].search(text)
    if not (other or same or follow):
        topic = ctx.topic or ctx.pending_intent
        short = len(text.split()) <= 6 if u.language == "en" else len(text.replace(" ", "")) <= 12
        if topic and short and u.intent == "out_of_scope" and u.clarify_kind != "noise" and not keep_intent:
            return replace(u, intent=topic, act="follow_up", clarify=None, clarify_kind=None)
        return u
    slots, filled = u.slots, ()
    if "order_number" not in said and ctx.orders and (other or same):
        pick = _other(ctx.orders) if other else ctx.orders[-1]
        if pick:
            slots, filled = replace(slots, order_number=pick), ("order_number",)
    elif "product" not in said and "order_number" not in said and ctx.products and (other or same):
        pick = _other(ctx.products) if other else ctx.products[-1]
        if pick:
            slots, filled = replace(slots, product=pick), ("product",)
    topic = ctx.topic or ctx.pending_intent
    weak = u.intent in WEAK_READINGS or u.clarify is not None or u.confidence < 0.5
    another_order = "order_number" in said and topic in ORDER_INTENTS and u.intent not in ORDER_INTENTS
    if topic and (weak or another_order) and not keep_intent:
        return replace(u, intent=topic, slots=slots, act="follow_up", from_context=filled, clarify=None,
                       clarify_kind=None)
    return replace(u, slots=slots, from_context=filled) if filled else u


def _short_refusal(bare: str, language: Language) -> bool:
    """A no with a few words after it ("no, a different one", "不是，换一个"), nothing the caller named."""
    if language == "zh":
        return bool(re.match(r"^(?:不是|不对|不|错了|不要)[，,。\s]*\S{0,5}$", bare))
    return bool(re.match(r"^(?:no+|nope|nah|not that|that's wrong|wrong)\b(?:\W+\w+){0,3}\W*$", bare))


def _other(seen: tuple[str, ...]) -> str | None:
    """The most recent mention that is not the last one talked about."""
    last = seen[-1]
    return next((s for s in reversed(seen) if s != last), None)


def _as(u: Understanding, intent: str, act: str) -> Understanding:
    return replace(u, intent=intent, act=act, clarify=None, clarify_kind=None)  # type: ignore[arg-type]


def context_from_transcript(turns: list[tuple[str, str]], language: Language, understand) -> DialogueContext:
    """A context read back from the text of a call (who, text), oldest first, for sets that only have the
    words (the independent dev and test sets, replays). `understand(text, language, context)` reads each
    caller turn. The agent passes its own state instead (it knows what it asked and did)."""
    from dialog.nlu.slots import extract_slots

    ctx = DialogueContext()
    orders: list[str] = []
    products: list[str] = []
    for who, text in turns:
        slots = extract_slots(text, language)
        if slots.order_number and slots.order_number not in orders[-1:]:
            orders.append(slots.order_number)
        if slots.product and slots.product not in products[-1:]:
            products.append(slots.product)
        if who == "caller":
            u = understand(text, language, ctx)
            topic = u.intent if u.intent not in WEAK_READINGS else ctx.topic
            ctx = replace(ctx, topic=topic, question=None, pending_intent=None, last_refused=False,
                          last_action=topic)
        else:
            c = cues(language)
            t = plain(text, language)
            question: Question | None = None
            if c["asks_anything_else"].search(t):
                question = "anything_else"
            elif c["asks_offer_human"].search(t) and ("?" in text or "？" in text or "吗" in text):
                question = "offer_human"
            elif c["asks_confirm"].search(t):
                question = "confirm"
            elif c["asks_slot"].search(t):
                question = "slot"
            refused = bool(c["refusal"].search(t))
            ctx = replace(ctx, question=question, last_refused=refused,
                          pending_intent=ctx.topic if question in ("confirm", "slot") else None)
        ctx = replace(ctx, orders=tuple(orders), products=tuple(products))
    return ctx
