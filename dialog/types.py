"""The vocabulary the dialogue layer speaks: what the caller said, what we understood, what we did.

Shared by understanding (nlu/), sentiment/, actions/, generate/ and the agent. Plain frozen
dataclasses: no behaviour, so every part can be built and tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Language = Literal["zh", "en"]
MoodLabel = Literal["negative", "neutral", "positive"]
# How a turn relates to the call so far (dialog/nlu/context.py documents each).
DialogueAct = Literal["request", "answer", "closing", "objection", "correction", "follow_up"]
# Why understanding asks back: two intents are close ("choice"), one is likely but not sure ("confirm"),
# or the turn is noise ("noise": the only case for the generic "could you say that again?").
ClarifyKind = Literal["choice", "confirm", "noise"]
Segment = Literal["new", "regular", "vip", "at_risk"]

# The intents the shop handles (the first 27 are the customer-service set; then small talk and scope).
INTENTS: tuple[str, ...] = (
    "cancel_order", "change_order", "change_shipping_address", "check_cancellation_fee", "check_invoice",
    "check_payment_methods", "check_refund_policy", "complaint", "contact_customer_service",
    "contact_human_agent", "create_account", "delete_account", "delivery_options", "delivery_period",
    "edit_account", "get_invoice", "get_refund", "newsletter_subscription", "payment_issue", "place_order",
    "recover_password", "registration_problems", "review", "set_up_shipping_address", "switch_account",
    "track_order", "track_refund",
    "greeting", "goodbye", "affirm", "deny", "product_question", "recommend_product", "out_of_scope",
)


@dataclass(frozen=True)
class Slots:
    """Values taken from what the caller said, normalised (order number as digits, email lower-case)."""

    order_number: str | None = None
    phone: str | None = None  # digits only
    phone_last4: str | None = None  # "the last four digits are 5678"
    email: str | None = None
    product: str | None = None  # product id (SKU) from the catalogue, when one was named
    quantity: int | None = None
    address: str | None = None


@dataclass(frozen=True)
class Sentiment:
    score: float  # -1 (angry) .. 1 (delighted)
    label: MoodLabel


@dataclass(frozen=True)
class Prosody:
    """How the caller sounded this turn, relative to their own baseline (z-scores; 0 = as usual)."""

    energy: float = 0.0
    pitch: float = 0.0
    rate: float = 0.0


@dataclass(frozen=True)
class Understanding:
    text: str
    language: Language
    intent: str
    confidence: float  # 0..1
    slots: Slots = field(default_factory=Slots)
    sentiment: Sentiment = field(default_factory=lambda: Sentiment(0.0, "neutral"))
    alternatives: tuple[tuple[str, float], ...] = ()  # next most likely intents
    clarify: str | None = None  # a question to ask when unsure, in the caller's language
    clarify_kind: ClarifyKind | None = None  # set with `clarify`
    act: DialogueAct = "request"
    from_context: tuple[str, ...] = ()  # slot names filled from the call so far, not said in this turn


@dataclass(frozen=True)
class CallerTurn:
    text: str
    language: Language | None = None  # from ASR; None: detect from the text
    turn_id: str = ""
    audio_16k: object | None = None  # numpy float32 PCM of the turn, for the prosody channel
    typed: bool = False  # typed by the caller (chat, the browser's text box): understood on the typed path


@dataclass(frozen=True)
class ActionResult:
    """What an action did. `facts` are the only things a reply may state as fact."""

    action: str
    ok: bool
    facts: dict[str, str | int | float] = field(default_factory=dict)
    reason: str | None = None  # why not: not_verified, unknown_order, already_shipped, outside_window...
    changed: bool = False  # the database was changed (one transaction): the reply confirms it aloud
    handoff: bool = False
    ticket_id: str | None = None


@dataclass(frozen=True)
class ReplyPart:
    """One sentence of the reply, streamed as soon as it is ready."""

    text: str
    language: Language
    last: bool = False


@dataclass
class CallState:
    """What the agent knows about one call; the session persists it as the call goes."""

    call_id: str
    caller_id: str | None = None  # the number the call comes from (digits), when the line gives one
    language: Language = "en"
    customer_id: int | None = None  # set once the caller is verified (never from what they claim)
    verified_orders: set[str] = field(default_factory=set)  # order numbers whose details may be told
    history: list[tuple[str, str]] = field(default_factory=list)  # ("caller" | "assistant", text)
    pending_intent: str | None = None  # waiting for a slot (an order number) or a yes/no
    pending_slots: Slots = field(default_factory=Slots)
    awaiting_confirmation: str | None = None  # action waiting for the caller's yes
    handed_off: bool = False
    goodwill_given: bool = False  # a voucher was given in this call (once a call at most)
    ticket_id: str | None = None
