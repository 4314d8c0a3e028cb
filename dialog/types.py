"""The vocabulary the dialogue layer speaks: what the caller said, what we understood, what we did.

Shared by understanding (nlu/), sentiment/, actions/, generate/ and the agent. Plain frozen
dataclasses: no behaviour, so every part can be built and tested on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum, auto
from typing import Literal

Language = Literal["zh", "en"]
MoodLabel = Literal["negative", "neutral", "positive"]
# How a turn relates to the call so far (dialog/nlu/context.py documents each).
DialogueAct = Literal["request", "answer", "closing", "objection", "correction", "follow_up"]
# Why understanding asks back: two intents are close ("choice"), one is likely but not sure ("confirm"),
# or the turn is noise ("noise": the only case for the generic "could you say that again?").
ClarifyKind = Literal["choice", "confirm", "noise"]
Segment = Literal["new", "regular", "vip", "at_risk"]

class Intent(StrEnum):
    """What the caller wants. The first 27 are the customer-service set; then small talk and scope.

    One enumeration for understanding, actions, templates, prompts and training data: a name that is not
    here cannot be built (`Intent("trak_order")` raises), so no table can drift from another.
    """

    cancel_order = auto()
    change_order = auto()
    change_shipping_address = auto()
    check_cancellation_fee = auto()
    check_invoice = auto()
    check_payment_methods = auto()
    check_refund_policy = auto()
    complaint = auto()
    contact_customer_service = auto()
    contact_human_agent = auto()
    create_account = auto()
    delete_account = auto()
    delivery_options = auto()
    delivery_period = auto()
    edit_account = auto()
    get_invoice = auto()
    get_refund = auto()
    newsletter_subscription = auto()
    payment_issue = auto()
    place_order = auto()
    recover_password = auto()
    registration_problems = auto()
    review = auto()
    set_up_shipping_address = auto()
    switch_account = auto()
    track_order = auto()
    track_refund = auto()
    greeting = auto()
    goodbye = auto()
    affirm = auto()
    deny = auto()
    product_question = auto()
    recommend_product = auto()
    out_of_scope = auto()


INTENTS: tuple[str, ...] = tuple(Intent)


# What the assistant did in a turn. A shop action has its intent's name (built from `Intent`, so the two can
# never disagree); a yes or a no is never an action of its own; the rest are the agent's:
#   clarify     ask what the caller means        keep_as_is  the caller said no to a read-back: nothing changed
#   hear_out    pushback after a refusal ("is there really nothing you can do?"): sorry, and a person offered
Action = StrEnum("Action", [i.value for i in Intent if i not in (Intent.affirm, Intent.deny)]
                 + ["clarify", "keep_as_is", "hear_out"])
# Changes to an order or account: they run only on what the caller named or confirmed after a read-back.
# (change_order is only the shop's policy, orders can't be edited, so it changes nothing.)
CHANGES: frozenset[Action] = frozenset({Action.cancel_order, Action.get_refund, Action.change_shipping_address,
                                        Action.payment_issue, Action.delete_account})


class Reason(StrEnum):
    """Why an action did not do what was asked: each has its own reply, saying why and what the caller can do."""

    not_verified = auto()  # the caller must prove who they are first
    verification_locked = auto()  # too many wrong proofs: not asked for again this call, a person is offered
    unknown_order = auto()  # a verified caller named an order that is not theirs (or none at all)
    no_orders = auto()
    needs_confirmation = auto()  # read back: "your latest order is 10046 ... shall I cancel that one?"
    missing_address = auto()
    missing_question = auto()
    already_shipped = auto()
    already_cancelled = auto()
    not_shipped = auto()  # a return before the parcel left
    not_delivered = auto()
    already_requested = auto()
    already_refunded = auto()
    outside_window = auto()
    no_refund = auto()
    no_invoice = auto()
    no_answer = auto()
    no_profile = auto()


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
    intent: Intent
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
    pending_intent: Intent | None = None  # waiting for a slot (an order number) or a yes/no
    pending_slots: Slots = field(default_factory=Slots)
    awaiting_confirmation: Intent | None = None  # a change read back, waiting for the caller's yes or no
    confirmed: bool = False  # the caller just said yes to that read-back (used once by the action)
    named_orders: set[str] = field(default_factory=set)  # orders the caller named exactly or confirmed
    last_request: tuple[Intent, Slots] | None = None  # the last request acted on (a correction re-runs it)
    handed_off: bool = False
    goodwill_given: bool = False  # a voucher was given in this call (once a call at most)
    ticket_id: str | None = None
