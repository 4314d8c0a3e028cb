"""The contract between what an action did and what the caller hears.

Every (action, outcome) has one typed facts record: an outcome is "done" or a refusal `Reason`. The
actions build these records, the reply templates name their fields, the prompt shows them and the
fine-tuning set is made from them. A template that names a field its record lacks fails when the
templates load; an action that returns the wrong record fails when its `ActionResult` is built; a
record's `SAY` fields are what the caller must hear (tests/dialog/test_contract.py runs every action's
real output through the templates and the prompt, in both languages, and checks each one is said).
"""

from __future__ import annotations

import sys
import typing
from dataclasses import dataclass, fields
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from dialog.types import Action, Language, Reason

DONE = "done"
Outcome = str  # DONE or a Reason


class Money(float):
    """An amount in yuan (CNY)."""


class OrderStatus(StrEnum):
    pending = "pending"
    paid = "paid"
    shipped = "shipped"
    delivered = "delivered"
    cancelled = "cancelled"
    return_requested = "return_requested"
    refunded = "refunded"


class RefundState(StrEnum):
    pending = "pending"
    completed = "completed"


@dataclass(frozen=True)
class OrderBrief:
    """An order as a caller recognises it: "10046, the air fryer, from November 20"."""

    number: str
    item: str
    placed_on: date
    status: OrderStatus


@dataclass(frozen=True)
class ProductBrief:
    sku: str
    name: str
    price: Money
    in_stock: bool


@dataclass(frozen=True)
class Facts:
    """What a reply may state as fact. `SAY`: the fields the caller must hear when they hold a value."""

    SAY: ClassVar[tuple[str, ...]] = ()

    def values(self) -> dict[str, Any]:
        """Fields that hold a value (None and empty tuples are absent)."""
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None and v != ()}

    def must_say(self) -> list[str]:
        """The SAY fields that hold a value (a yes/no field is said by the sentence its [flag] picks)."""
        present = self.values()
        return [name for name in self.SAY if name in present and not isinstance(present[name], bool)]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for call records and reports."""
        return {k: _plain(v) for k, v in self.values().items()}

    @classmethod
    def field_names(cls) -> set[str]:
        return {f.name for f in fields(cls)}

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Facts:
        """The record back from `as_dict()` (held-out sets and QA keep results as JSON)."""
        hints = typing.get_type_hints(cls)
        return cls(**{k: _typed(hints[k], v) for k, v in values.items()})


def _typed(hint: Any, value: Any) -> Any:
    """A JSON value as the field's type: dates, money, states, tuples of orders or products."""
    if value is None:
        return None
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin is tuple:
        return tuple(_typed(args[0], v) for v in value)
    if args and origin is not tuple:  # X | None
        return _typed(args[0], value)
    if hint is date:
        return date.fromisoformat(value)
    if hint in (OrderBrief, ProductBrief):
        inner = typing.get_type_hints(hint)
        return hint(**{k: _typed(inner[k], v) for k, v in value.items()})
    if isinstance(hint, type) and issubclass(hint, StrEnum | Money):
        return hint(value)
    return value


def facts_type(name: str) -> type[Facts]:
    """A record type by its name ("OrderDetails")."""
    found = getattr(sys.modules[__name__], name, None)
    if not (isinstance(found, type) and issubclass(found, Facts)):
        raise ContractError(f"no facts record {name!r}")
    return found


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, OrderBrief | ProductBrief):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Money):
        return float(value)
    return value


# --- records -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NoFacts(Facts):
    """Nothing to state (a greeting, a request to verify first)."""


@dataclass(frozen=True)
class OrderDetails(Facts):
    SAY: ClassVar = ("order_number", "status", "carrier", "tracking_number", "eta", "delivered_on", "cancelled_on")
    order_number: str
    status: OrderStatus
    placed_on: date
    total: Money
    items: tuple[str, ...]
    carrier: str | None = None
    tracking_number: str | None = None
    shipped_on: date | None = None
    eta: date | None = None
    late: bool = False  # shipped, and the expected delivery day has passed
    delivered_on: date | None = None
    return_deadline: date | None = None
    cancelled_on: date | None = None
    latest: bool = False  # no number was given: this is the caller's most recent order, and the reply says so


@dataclass(frozen=True)
class OrderCancelled(Facts):
    SAY: ClassVar = ("order_number", "refund_amount", "refund_to", "refund_days")
    order_number: str
    cancelled_on: date
    refund_amount: Money | None = None  # None: nothing had been paid
    refund_to: str | None = None  # the payment method, as the caller knows it
    refund_days: str | None = None


@dataclass(frozen=True)
class AddressChanged(Facts):
    SAY: ClassVar = ("order_number", "address")
    order_number: str
    address: str


@dataclass(frozen=True)
class DefaultAddressSaved(Facts):
    SAY: ClassVar = ("address",)
    address: str


@dataclass(frozen=True)
class ReturnOpened(Facts):
    SAY: ClassVar = ("order_number", "return_id", "refund_amount", "refund_to", "refund_days")
    order_number: str
    return_id: str
    refund_amount: Money
    refund_to: str
    refund_days: str
    return_deadline: date


@dataclass(frozen=True)
class RefundProgress(Facts):
    SAY: ClassVar = ("order_number", "refund_status", "refund_amount", "refund_to", "completed_on", "refund_days")
    order_number: str
    refund_status: RefundState
    refund_amount: Money
    refund_to: str
    requested_on: date
    completed_on: date | None = None
    refund_days: str | None = None


@dataclass(frozen=True)
class InvoiceIssued(Facts):
    SAY: ClassVar = ("order_number", "issued_on", "email")
    order_number: str
    issued_on: date
    sent_on: date | None = None
    email: str | None = None  # masked: "w***@example.cn"


@dataclass(frozen=True)
class InvoiceSent(Facts):
    SAY: ClassVar = ("order_number", "email")
    order_number: str
    email: str
    sent_on: date
    account_only: bool = False  # the caller asked for another address: invoices only go to the account's


@dataclass(frozen=True)
class PaymentChecked(Facts):
    SAY: ClassVar = ("order_number", "charges", "disputed_amount", "refund_to", "refund_days", "ticket_id")
    order_number: str
    charges: int
    charged_amount: Money
    order_total: Money
    duplicate_charges: int
    ticket_id: str
    priority: str
    disputed_amount: Money | None = None  # only when there was a duplicate
    refund_days: str | None = None
    refund_to: str | None = None  # where the extra charge goes back (the account it was taken from)


@dataclass(frozen=True)
class ShopPolicy(Facts):
    SAY: ClassVar = ("policy",)
    policy: str


@dataclass(frozen=True)
class CancellationFee(Facts):
    SAY: ClassVar = ("policy",)  # the policy says it ("free of charge until they ship")
    policy: str
    fee: Money


@dataclass(frozen=True)
class RefundPolicy(Facts):
    SAY: ClassVar = ("policy", "refund_policy")
    policy: str
    refund_policy: str
    return_window_days: int
    refund_days: str


@dataclass(frozen=True)
class PaymentMethods(Facts):
    SAY: ClassVar = ("methods",)
    policy: str
    methods: tuple[str, ...]


@dataclass(frozen=True)
class DeliveryOptions(Facts):
    SAY: ClassVar = ("policy",)
    policy: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class DeliveryTimes(Facts):
    SAY: ClassVar = ("policy", "order_number", "status", "eta")
    policy: str
    order_number: str | None = None
    status: OrderStatus | None = None
    eta: date | None = None
    late: bool = False


@dataclass(frozen=True)
class Newsletter(Facts):
    SAY: ClassVar = ("policy",)
    policy: str
    subscribed: bool | None = None


@dataclass(frozen=True)
class ResetLinkSent(Facts):
    SAY: ClassVar = ("email",)
    email: str  # masked


@dataclass(frozen=True)
class DeletionRequested(Facts):
    SAY: ClassVar = ("ticket_id",)
    policy: str
    ticket_id: str


@dataclass(frozen=True)
class ComplaintLogged(Facts):
    SAY: ClassVar = ("ticket_id",)
    ticket_id: str
    priority: str


@dataclass(frozen=True)
class HandedOver(Facts):
    SAY: ClassVar = ("ticket_id",)
    ticket_id: str
    priority: str
    complaint_ticket_id: str | None = None  # a complaint logged in the same turn


@dataclass(frozen=True)
class ProductInfo(Facts):
    SAY: ClassVar = ("name", "price", "in_stock")
    sku: str
    name: str
    price: Money
    in_stock: bool
    description: str


@dataclass(frozen=True)
class FaqAnswer(Facts):
    SAY: ClassVar = ("answer",)
    topic: str
    answer: str
    answer_language: Language  # the FAQ may hold an entry in one language only


@dataclass(frozen=True)
class Recommendation(Facts):
    SAY: ClassVar = ("products",)
    products: tuple[ProductBrief, ...]
    based_on: str  # "purchases" | "question"


@dataclass(frozen=True)
class Question(Facts):
    SAY: ClassVar = ("question",)
    question: str


# refusals
@dataclass(frozen=True)
class OrderState(Facts):
    """Why an order can't take the request: its status, and the next step where there is one."""

    SAY: ClassVar = ("order_number", "status", "cancelled_on")
    order_number: str
    status: OrderStatus
    return_window_days: int | None = None  # "once it arrives you can return it within 7 days"
    cancelled_on: date | None = None  # a cancelled order: since when ("it was cancelled on November 10")


@dataclass(frozen=True)
class ReturnPending(Facts):
    SAY: ClassVar = ("order_number", "return_id")
    order_number: str
    return_id: str | None = None


@dataclass(frozen=True)
class OutsideWindow(Facts):
    SAY: ClassVar = ("order_number", "delivered_on", "return_window_days")
    order_number: str
    delivered_on: date
    return_deadline: date
    return_window_days: int


@dataclass(frozen=True)
class OrderRef(Facts):
    SAY: ClassVar = ("order_number",)
    order_number: str


@dataclass(frozen=True)
class UnknownOrder(Facts):
    """A verified caller named an order that is not one of theirs: say so, and offer the ones that are."""

    SAY: ClassVar = ("order_number", "recent")
    order_number: str
    recent: tuple[OrderBrief, ...] = ()


@dataclass(frozen=True)
class WhichOrder(Facts):
    SAY: ClassVar = ("recent",)
    recent: tuple[OrderBrief, ...] = ()


@dataclass(frozen=True)
class ConfirmOrder(Facts):
    """Read-back before a change on an order the caller did not name: "Your most recent order is ..."."""

    SAY: ClassVar = ("order",)
    order: OrderBrief
    latest: bool = True  # the caller's latest order (else: the nearest match to a number that was misheard)


class ContractError(TypeError):
    """An action result that breaks the contract: the wrong record for its outcome, or an unknown outcome."""


# --- the table ----------------------------------------------------------------------------------------------
ORDER_GATED = (Reason.not_verified, Reason.verification_locked, Reason.unknown_order, Reason.no_orders)
CHANGE_GATED = (*ORDER_GATED, Reason.needs_confirmation)

# What each action returns when it is done: one record type (two for product questions).
DONE_FACTS: dict[Action, tuple[type[Facts], ...]] = {
    Action.track_order: (OrderDetails,),
    Action.cancel_order: (OrderCancelled,),
    Action.change_order: (ShopPolicy,),
    Action.change_shipping_address: (AddressChanged,),
    Action.set_up_shipping_address: (DefaultAddressSaved,),
    Action.check_cancellation_fee: (CancellationFee,),
    Action.place_order: (ShopPolicy,),
    Action.review: (ShopPolicy,),
    Action.get_refund: (ReturnOpened,),
    Action.track_refund: (RefundProgress,),
    Action.check_refund_policy: (RefundPolicy,),
    Action.check_invoice: (InvoiceIssued,),
    Action.get_invoice: (InvoiceSent,),
    Action.check_payment_methods: (PaymentMethods,),
    Action.payment_issue: (PaymentChecked,),
    Action.delivery_options: (DeliveryOptions,),
    Action.delivery_period: (DeliveryTimes,),
    Action.recover_password: (ResetLinkSent,),
    Action.create_account: (ShopPolicy,),
    Action.delete_account: (DeletionRequested, ShopPolicy),  # a ticket for a verified caller, else the policy
    Action.edit_account: (ShopPolicy,),
    Action.switch_account: (ShopPolicy,),
    Action.registration_problems: (ShopPolicy,),
    Action.newsletter_subscription: (Newsletter,),
    Action.complaint: (ComplaintLogged,),
    Action.contact_human_agent: (HandedOver,),
    Action.contact_customer_service: (ShopPolicy,),
    Action.product_question: (ProductInfo, FaqAnswer),
    Action.recommend_product: (Recommendation,),
    Action.greeting: (NoFacts,),
    Action.goodbye: (NoFacts,),
    Action.clarify: (Question,),
    Action.out_of_scope: (NoFacts,),
    Action.keep_as_is: (WhichOrder,),  # nothing changed; which order did they mean?
    Action.hear_out: (NoFacts,),
}

# The refusals each action can give.
REFUSALS: dict[Action, tuple[Reason, ...]] = {
    Action.track_order: ORDER_GATED,
    Action.cancel_order: (*CHANGE_GATED, Reason.already_shipped, Reason.already_cancelled),
    Action.change_shipping_address: (*CHANGE_GATED, Reason.missing_address, Reason.already_shipped,
                                     Reason.already_cancelled),
    Action.set_up_shipping_address: (Reason.not_verified, Reason.missing_address),
    Action.get_refund: (*CHANGE_GATED, Reason.not_shipped, Reason.not_delivered, Reason.already_cancelled,
                        Reason.already_requested, Reason.already_refunded, Reason.outside_window),
    Action.track_refund: (*ORDER_GATED, Reason.no_refund),
    Action.check_invoice: (*ORDER_GATED, Reason.no_invoice),
    Action.get_invoice: (*ORDER_GATED, Reason.no_invoice),
    Action.payment_issue: CHANGE_GATED,
    Action.delivery_period: (Reason.not_verified, Reason.verification_locked, Reason.unknown_order),  # with a number
    Action.recover_password: (Reason.not_verified,),
    Action.delete_account: (Reason.needs_confirmation,),
    Action.product_question: (Reason.missing_question, Reason.no_answer),
    Action.recommend_product: (Reason.no_profile,),
}

# The record a refusal carries (the same for every action that gives it).
REFUSAL_FACTS: dict[Reason, type[Facts]] = {
    Reason.not_verified: NoFacts,
    Reason.verification_locked: NoFacts,
    Reason.unknown_order: UnknownOrder,
    Reason.no_orders: NoFacts,
    Reason.needs_confirmation: ConfirmOrder,
    Reason.missing_address: NoFacts,
    Reason.missing_question: NoFacts,
    Reason.already_shipped: OrderState,
    Reason.already_cancelled: OrderState,
    Reason.not_shipped: OrderState,
    Reason.not_delivered: OrderState,
    Reason.already_requested: ReturnPending,
    Reason.already_refunded: OrderState,
    Reason.outside_window: OutsideWindow,
    Reason.no_refund: OrderState,
    Reason.no_invoice: OrderState,
    Reason.no_answer: NoFacts,
    Reason.no_profile: NoFacts,
}
# Exceptions to REFUSAL_FACTS, per action.
_REFUSAL_FACTS_OF: dict[tuple[Action, Reason], type[Facts]] = {
    (Action.delete_account, Reason.needs_confirmation): NoFacts,  # "you want your account deleted?"
    (Action.change_shipping_address, Reason.missing_address): OrderRef,
}


def outcomes(action: Action) -> list[Outcome]:
    return [DONE, *REFUSALS.get(action, ())]


def facts_types(action: Action, outcome: Outcome) -> tuple[type[Facts], ...]:
    if outcome == DONE:
        return DONE_FACTS[action]
    reason = Reason(outcome)
    if reason not in REFUSALS.get(action, ()):
        raise ContractError(f"{action} has no refusal {reason!r}")
    return (_REFUSAL_FACTS_OF.get((action, reason), REFUSAL_FACTS[reason]),)


def check(action: Action, outcome: Outcome, facts: Facts) -> None:
    allowed = facts_types(action, outcome)
    if type(facts) not in allowed:
        names = " or ".join(t.__name__ for t in allowed)
        raise ContractError(f"{action} {outcome}: facts are {type(facts).__name__}, the contract says {names}")


def all_outcomes() -> list[tuple[Action, Outcome]]:
    return [(action, outcome) for action in Action for outcome in outcomes(action)]


def brief_text(value: OrderBrief | ProductBrief, language: Language, spoken: Any) -> str:
    """One order or product as the caller hears it, with `spoken` rendering dates and money."""
    if isinstance(value, OrderBrief):
        when = spoken(value.placed_on, language)
        return f"{when}的{value.item}订单{value.number}" if language == "zh" else \
            f"{value.number}, the {value.item} from {when}"
    price = spoken(value.price, language)
    return f"{value.name}（{price}）" if language == "zh" else f"the {value.name} at {price}"


@dataclass(frozen=True)
class ActionResult:
    """What an action did. `facts` are the only things a reply may state as fact, and their type is fixed by
    (action, outcome): building a result with another record raises ContractError."""

    action: Action
    ok: bool
    facts: Facts = NoFacts()
    reason: Reason | None = None  # why not (ok is False exactly when there is a reason)
    changed: bool = False  # the database was changed (one transaction): the reply confirms it aloud
    handoff: bool = False
    ticket_id: str | None = None
    target: str | None = None  # what it ran on: "order:10046", "account:12" (QA names it in its report)
    as_of: date | None = None  # the shop's date when it ran: a delivery estimate before it is "late"
    voucher: Money | None = None  # goodwill given this turn: the reply always says so
    offer_human: bool = False  # the agent offers a person this turn: the reply always asks
    offer: Action | None = None  # the next step offered on `target` ("Shall I cancel order 10007?"): a yes runs it

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", Action(self.action))
        if self.reason is not None:
            object.__setattr__(self, "reason", Reason(self.reason))
        if self.offer is not None:
            object.__setattr__(self, "offer", Action(self.offer))
        if self.ok == (self.reason is not None):
            raise ContractError(f"{self.action}: ok={self.ok} with reason {self.reason!r}")
        check(self.action, self.outcome, self.facts)

    @property
    def outcome(self) -> Outcome:
        return DONE if self.reason is None else self.reason

    def record(self) -> dict[str, Any]:
        """JSON-ready, for the call record and QA."""
        return {"name": str(self.action), "ok": self.ok, "reason": self.reason and str(self.reason),
                "changed": self.changed, "handoff": self.handoff, "ticket": self.ticket_id, "target": self.target,
                "offer_human": self.offer_human,
                "offer": self.offer and str(self.offer), "voucher": float(self.voucher) if self.voucher else None}
