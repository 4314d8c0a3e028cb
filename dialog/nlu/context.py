"""Understanding in the call so far: what a turn means after what the assistant just asked or did.

A bare "no" means "nothing else, goodbye" after "anything else?", and "don't" after "shall I cancel it?";
"is there really nothing you can do?" after a refusal contests that refusal; "the other one" is the order
not talked about last. The sentence classifier cannot know any of this, so these rules run after it, on a
small typed `DialogueContext` the agent builds from its state each turn. Pure functions of (turn, context);
the cue phrases are data (`data/context.yaml`).

How a resolved turn is marked (`Understanding.act`):
- "answer": a short answer to the pending question (a bare "no" to "shall I ...?" is `deny`, a bare "yes"
  `affirm`; a bare order number, a spoken email or a described order ("the one with the lamp") to
  "which order?" is the pending request);
- "closing": the caller is done ("that's all, thanks", "没有了，谢谢", a bare "no" to "anything else?"):
  intent `goodbye`;
- "objection": pushback after a refusal; the intent is the refused request (`last_action`), so the agent
  answers with the options it has (a person, an exception request) instead of reading it as a "no";
- "correction": "no, you misheard, it's 10042" / "不是，是一零零四二": the pending request again, with the
  corrected value in the slots;
- "follow_up": refers back ("the other one", "那个呢", "还有一个", "when do I get the money" after a
  return, or any follow-up once the refund was looked up); the intent is the topic's (or track_refund;
  check_cancellation_fee for "will you charge me?" while cancelling), an order or product filled from the
  context is named in `from_context`. A turn the classifier found no request in (a stray goodbye, a short
  out-of-scope) or was unsure of with the topic among its close readings also takes the topic.

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
# What the classifier makes of an answer that describes an order or item ("the one with the lamp", "就是周一
#买耳机那单"): the words are about products, the turn is about the request the call is on.
ITEM_READINGS = frozenset({"product_question", "place_order", "review"})
# Requests that change something: an answer-shaped turn read confidently as one of these is that request.
CHANGE_READINGS = frozenset({"cancel_order", "change_shipping_address", "get_refund", "change_order", "delete_account",
                             "edit_account", "set_up_shipping_address"})
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
    money_back: the order last talked about is cancelled, returned or refunded (its money goes back), so a
    question about money and its status is about that refund ("取消了？那钱退给我了吗？" after tracking it).
    """

    question: Question | None = None
    pending_intent: str | None = None
    options: tuple[str, ...] = ()
    last_action: str | None = None
    last_refused: bool = False
    orders: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    topic: str | None = None
    money_back: bool = False


class _Cues(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    filler: str
    bare_no: str
    bare_yes: str
    closing_piece: str
    closing_strong: str
    leaving: str
    accepting: str
    pushback: str
    correction: str
    misheard: str
    latest: str
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
    describes_item: str
    gives_value: str
    asks_yes_no: str
    asks_wh: str
    either_or: str
    refund_reported: str
    fee: str
    parcel: str
    returns_item: str
    names_person: str


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
    asked = ctx.question in ("confirm", "offer_human", "choice")

    refers = c["refers_other"].search(text) or c["refers_same"].search(text)
    negative = bool(c["bare_no"].match(bare))
    corrects = c["correction"].search(text) or ("order_number" in said and re.match(r"^(?:no+|nope|不是|不对)", bare))
    if ctx.pending_intent and corrects and not negative and (said or refers or u.intent in WEAK_READINGS):
        return _follow_up(_as(u, ctx.pending_intent, "correction"), ctx, text, said, keep_intent=True)
    if c["misheard"].search(text) and not said and not refers and not c["latest"].search(text) and (
            ctx.topic or ctx.last_action) in ORDER_INTENTS:
        # "你听错了，是…" and the number lost again: the request it corrects, and the agent asks which order
        return _as(u, ctx.topic or ctx.last_action, "correction")
    if negative:
        if ctx.question == "anything_else":
            return _as(u, "goodbye", "closing")
        return _as(u, "deny", "answer")
    if c["bare_yes"].match(bare) and ctx.question in ("confirm", "offer_human"):
        return _as(u, "affirm", "answer")  # "yes please do that", "下吧": the agent carries out what it offered
    if ctx.question == "confirm" and _starts_with_yes(u.text, language) and not is_closing(text, language) and (
            u.intent in WEAK_READINGS or u.intent == ctx.pending_intent or u.clarify or u.confidence < 0.8):
        return _as(u, "affirm", "answer")  # "是的，那你发到我邮箱吧", "yes, go ahead and send it"
    if _accepts_and_leaves(u.text, language) and not said and (  # not over an answer: "OK, it's 12 High St, bye"
            u.intent in WEAK_READINGS or u.confidence < 0.6 or u.clarify):
        return _as(u, "goodbye", "closing")  # "算了，我回头用手机打。没有了。", "Fine, the usual one is ok. Bye."
    if is_closing(text, language):
        if not asked or c["leaving"].search(text):  # "no, that's it, bye" to "shall I put you through?" leaves too
            return _as(u, "goodbye", "closing")
        if re.search(r"\b(?:no|nope|nah)\b|不是|不用|不要|不行|没有", text):  # "no thanks" to "shall I ...?"
            return _as(u, "deny", "answer")
        if ctx.question == "confirm":  # "ok, thanks" to "shall I cancel it?" is a yes
            return _as(u, "affirm", "answer")
    if ctx.question in ("confirm", "slot", "choice", "offer_human") and not said and _short_refusal(bare, language):
        return _as(u, "deny", "answer")  # "no, a different one", "不是，换一个"
    if contests(text, language, ctx) and not (
            u.intent in ("contact_human_agent", "contact_customer_service") and c["names_person"].search(text)
    ) and not _names_another_request(u, ctx):
        return _as(u, ctx.last_action, "objection")
    if u.intent == "goodbye" and u.confidence >= 0.5 and c["leaving"].search(text) and not said and not re.search(
            r"[?？]", u.text):
        return _as(u, "goodbye", "closing")  # "Okay, perfect, that's off-thanks, bye." (a word misheard)
    # "订单号是…", "the last four are…", said again in the same breath ("订单号是1005部队,是1005号", as heard)
    gives = c["gives_value"].match(bare) and _short(text, language, most=16)
    if ctx.question == "slot" and ctx.pending_intent and (
            said or refers or c["describes_item"].search(text) or _short(text, language) or gives) and (
            (gives and u.intent not in CHANGE_READINGS) or u.intent in WEAK_READINGS or u.intent in ITEM_READINGS
            or u.clarify or u.confidence < 0.8):
        # The value asked for, or the order described ("the one with the curtains"): the pending request.
        return _follow_up(_as(u, ctx.pending_intent, "answer"), ctx, text, said, keep_intent=True)
    topic = ctx.topic or ctx.last_action
    about_money = topic in REFUND_TOPICS or ctx.money_back
    fee_reading = u.intent == "check_cancellation_fee" and not c["fee"].search(text)  # "那钱退给我了吗？" is no fee
    if about_money and c["money"].search(text) and c["status"].search(text) and not c["returns_item"].search(
            text) and (fee_reading or u.intent in (
            "track_order", "delivery_period", "payment_issue", "get_refund", "check_refund_policy", "track_refund",
            *WEAK_READINGS) or u.clarify or u.confidence < 0.5):
        return _as(u, "track_refund", "follow_up")
    if topic in ("track_refund", "get_refund") and u.intent in ("delivery_period", "track_order") and c[
            "status"].search(text) and not c["parcel"].search(text) and not said:
        return _as(u, "track_refund", "follow_up")  # "那大概多久能到？" on a refund: the money, not a parcel
    if topic == "cancel_order" and c["fee"].search(text) and u.intent in (
            "cancel_order", "payment_issue", "check_refund_policy", *WEAK_READINGS):
        return _as(u, "check_cancellation_fee", "follow_up")  # "will you charge me for it?" about cancelling
    return _follow_up(u, ctx, text, said)


def contests(text: str, language: Language, context: DialogueContext | None) -> bool:
    """The turn pushes back on the refusal just given ("is there really nothing you can do?")."""
    return bool(context and context.last_refused and context.last_action
                and cues(language)["pushback"].search(plain(text, language)))


def _names_another_request(u: Understanding, ctx: DialogueContext) -> bool:
    """The caller moved on to a different request the classifier is sure of (not a complaint or a person:
    pushback often sounds like one)."""
    return (u.intent not in WEAK_READINGS and u.intent not in ("complaint", "contact_human_agent", ctx.last_action)
            and u.confidence >= 0.8 and not u.clarify)


def _follow_up(u: Understanding, ctx: DialogueContext, text: str, said: set[str], keep_intent: bool = False
               ) -> Understanding:
    c = cues(u.language)
    other, same = c["refers_other"].search(text), c["refers_same"].search(text)
    follow = c["follow_up"].search(text) or c["follow_up"].search(plain(_last_sentence(u.text), u.language))
    if not (other or same or follow):
        topic = _follow_topic(ctx)
        bare_number = "order_number" in said and topic in ORDER_INTENTS and u.intent in WEAK_READINGS  # "幺零零五九"
        if topic and not keep_intent and ctx.question != "anything_else" and (bare_number or (
                u.clarify_kind != "noise" and (_stray_reading(u, text) or _unsure_of_topic(u, topic)))):
            return replace(u, intent=topic, act="follow_up", clarify=None, clarify_kind=None)
        return u
    slots, filled = u.slots, ()
    if c["latest"].search(text):  # "那我最近的那个订单呢": not the order just talked about, the caller's latest
        other = same = None
    if "order_number" not in said and ctx.orders and (other or same):
        pick = _other(ctx.orders) if other else ctx.orders[-1]
        if pick:
            slots, filled = replace(slots, order_number=pick), ("order_number",)
    elif "product" not in said and "order_number" not in said and ctx.products and (other or same):
        pick = _other(ctx.products) if other else ctx.products[-1]
        if pick:
            slots, filled = replace(slots, product=pick), ("product",)
    topic = _follow_topic(ctx)
    weak = u.intent in WEAK_READINGS or u.intent in ITEM_READINGS or u.clarify is not None or u.confidence < 0.5 or (
        bool(follow) and u.confidence < 0.8)  # "What about my own order then, the earbuds?": the same request
    another_order = "order_number" in said and topic in ORDER_INTENTS and u.intent not in ORDER_INTENTS
    if topic and (weak or another_order) and not keep_intent:
        return replace(u, intent=topic, slots=slots, act="follow_up", from_context=filled, clarify=None,
                       clarify_kind=None)
    return replace(u, slots=slots, from_context=filled) if filled else u


def _follow_topic(ctx: DialogueContext) -> str | None:
    """What a follow-up follows: the call's request; once the refund it is about was looked up (or
    reported), a follow-up on it ("and the other one?") asks about that refund's progress."""
    topic = ctx.topic or ctx.pending_intent
    return "track_refund" if topic in REFUND_TOPICS and ctx.last_action == "track_refund" else topic


def _short(text: str, language: Language, most: int = 6) -> bool:
    """An answer of a few words ("the texts", "save it to the account", "微信支付"), not a question back
    ("what colours does it come in?")."""
    if language == "zh":
        return len(text.replace(" ", "")) <= most + 2 and not re.search(r"什么|哪|吗|怎么|几|多少|呢", text)
    return len(text.split()) <= most and not re.match(r"(?:what|which|how|where|when|who|why|is|are|do|does|can)\b",
                                                      text)


def _stray_reading(u: Understanding, text: str) -> bool:
    """A short turn read as out of scope, or a goodbye with no closing word in it ("alright then let's set
    one up for me"): the classifier found no request, the call has one."""
    short = len(text.split()) <= 6 if u.language == "en" else len(text.replace(" ", "")) <= 12
    if u.intent == "out_of_scope":
        return short
    return u.intent in ("goodbye", "greeting") and not cues(u.language)["closing_strong"].search(text)


def _unsure_of_topic(u: Understanding, topic: str) -> bool:
    """The classifier would ask back, and the call's topic is among its close readings: the call decides."""
    return u.clarify_kind in ("choice", "confirm") and topic in {u.intent, *(name for name, _ in u.alternatives[:2])}


def _short_refusal(bare: str, language: Language) -> bool:
    """A no with a few words after it ("no, a different one", "不是，换一个"), nothing the caller named."""
    if language == "zh":
        return bool(re.match(r"^(?:不是|不对|错了|不要|不用)[，,。\s]*\S{0,5}$", bare))
    return bool(re.match(r"^(?:no+|nope|nah|not that|that's wrong|wrong)\b(?:\W+[\w']+){0,3}\W*$", bare))


def _accepts_and_leaves(text: str, language: Language) -> bool:
    """It starts by accepting ("算了", "fine") and ends with a closing sentence that leaves ("没有了", "bye"), with
    no question between: the caller has given up on, or is done with, the topic and ends the call (when the
    classifier found no clear request in it: "好的，帮我取消订单10023。没有了，谢谢。" is still carried out)."""
    c = cues(language)
    clauses = _pieces(_pauses_marked(text, language), "，,。.!！?？;；")
    while clauses and not _bare(plain(clauses[0], language), language):
        clauses = clauses[1:]  # "Huh, okay, …": the filler before the first word
    if len(clauses) < 2 or not c["accepting"].match(_bare(plain(clauses[0], language), language)):
        return False
    for i in range(1, len(clauses)):  # the longest closing at the end ("…处理好,没有了,谢谢!": ASR's commas)
        last = plain("".join(clauses[i:]), language)
        if is_closing(last, language):
            return bool(c["leaving"].search(last)) and not re.search(r"[?？]", "".join(clauses[:i]))
    return False


def moves_on(text: str, language: Language) -> str | None:
    """After pushback, the caller accepts and asks something else in the same turn ("Is there really nothing you
    can do? Okay, then, can I return it?"): the turn from that new start, else None."""
    sentences = _pieces(text, "。.!！?？")
    c = cues(language)
    for i in range(1, len(sentences)):
        rest = "".join(sentences[i:]) if language == "zh" else " ".join(s.strip() for s in sentences[i:])
        if c["accepting"].match(_bare(plain(sentences[i], language), language)) and not c["pushback"].search(
                plain(rest, language)) and not is_closing(rest, language):
            return rest
    return None


def _starts_with_yes(text: str, language: Language) -> bool:
    """The turn's first clause is a plain yes ("是的，那你发到我邮箱吧") and nothing after it takes it back or asks
    ("Okay, no, don't cancel it", "好，先别取消", "Okay, wait, is it permanent?", "好的，那要多久？")."""
    text = _pauses_marked(text, language).strip()
    first, _, rest = (re.split(r"([，,。.!！?？;；])", text, maxsplit=1) + ["", ""])[:3]
    if not first or not cues(language)["bare_yes"].match(_bare(plain(first, language), language)):
        return False
    return not re.search(r"[?？]|\b(?:no|not|don't|do not|wait|hold on|never ?mind|actually|cancel that|stop|what|how|"
                         r"why|when|is it|are you)\b|不|别|等|算了|吗|呢|多久|什么|怎么|为什么|几", rest, re.I)


def _other(seen: tuple[str, ...]) -> str | None:
    """The most recent mention that is not the last one talked about."""
    last = seen[-1]
    return next((s for s in reversed(seen) if s != last), None)


def _pauses_marked(text: str, language: Language) -> str:
    """Whisper marks a pause in Mandarin with a space as often as with a comma ("是的 那你发到我邮箱吧"): a comma."""
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "，", text) if language == "zh" else text


def _pieces(text: str, ends: str) -> list[str]:
    """The text cut after each of these punctuation marks, each piece with its mark, empty pieces dropped."""
    return [p for p in re.split(rf"(?<=[{ends}])", text.strip()) if p.strip()]


def _last_sentence(text: str) -> str:
    parts = _pieces(text, ".!?。！？")
    return parts[-1].strip() if parts else text


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
            asks = "?" in text or "？" in text or "吗" in text
            if c["asks_anything_else"].search(t):
                question = "anything_else"
            elif c["asks_offer_human"].search(t) and asks:
                question = "offer_human"
            elif asks and c["asks_yes_no"].search(last := plain(_last_sentence(text), language)) and not c[
                    "either_or"].search(last):
                question = "confirm"  # "I can see order 10021. Is that the one?", "整个订单都取消吗？"
            elif c["asks_slot"].search(t) or (asks and (c["asks_wh"].search(last) or c["either_or"].search(last))):
                question = "slot"
            elif c["asks_confirm"].search(t):
                question = "confirm"
            refused = bool(c["refusal"].search(t))
            if c["refund_reported"].search(t):  # "the refund for the chair went out on the 3rd"
                ctx = replace(ctx, last_action="track_refund")
            pending = ctx.topic if question in ("confirm", "slot") else None
            if ctx.topic is None:  # the call opens on the assistant's words: what they are about (a topic to
                said_by_us = understand(text, language, None)  # follow up on, not a request to continue)
                if said_by_us.intent not in WEAK_READINGS and not said_by_us.clarify and said_by_us.confidence >= 0.8:
                    ctx = replace(ctx, topic=said_by_us.intent)
            ctx = replace(ctx, question=question, last_refused=refused, pending_intent=pending)
        ctx = replace(ctx, orders=tuple(orders), products=tuple(products))
    return ctx
