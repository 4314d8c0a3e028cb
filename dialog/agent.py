"""The dialogue brain for one call: understand the turn, track the mood, act, write the reply.

The policy is plain code a reviewer can follow:
- a turn that only brings what an earlier request was waiting for (an order number, the last four
  phone digits, an email) continues that request;
- a person is offered when frustration persists, and the call is handed over when the caller
  asks (and understanding is sure of it) or accepts; an offer is accepted only by a yes to the
  assistant's turn just before, and a closing "OK, thanks" / "好的，谢谢" is not a yes; VIP and
  at-risk customers get a priority ticket (the action layer decides);
- a complaint is always logged (ticket kind "complaint"), also when the same turn hands over;
- a change to an order or account runs only on what the caller named or confirmed: an order it had to
  pick or match is read back first, "yes" carries the change out once, a bare "no" changes nothing and
  asks which order was meant, and "no, you misheard, it's 10052" runs the request again on 10052;
- when unsure of the intent, ask (the clarifying question comes from understanding);
- the action layer, not this file, decides what may be told to whom (verification).
The session (voice/) owns audio, timing and barge-in; the agent only decides what to say and do.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from dialog import actions
from dialog.actions import goodwill, handoff
from dialog.actions.facts import policy_result, products_of, recent_orders
from dialog.contract import ActionResult, ConfirmOrder, Question, WhichOrder
from dialog.generate.writer import Reply, ReplyWriter
from dialog.nlu.clarify import after_no, clarifying_question
from dialog.nlu.context import DialogueContext, cues, is_closing, plain
from dialog.nlu.understander import Understander
from dialog.security import identify_caller, redact
from dialog.sentiment.prosody import ProsodyTracker
from dialog.sentiment.tracker import Customer, MoodSignals, SentimentTracker, TurnMood
from dialog.shop.db import Shop
from dialog.types import Action, CallerTurn, CallState, Intent, Language, Reason, ReplyPart, Slots, Understanding

CONTINUING_SLOTS = ("order_number", "phone_last4", "email", "phone", "address")
CONTINUABLE = {Intent.out_of_scope, Intent.affirm, Intent.deny}  # what a bare "10023" or "5678" is often taken for
HUMAN_INTENTS = {Intent.contact_human_agent, Intent.contact_customer_service}
SMALL_TALK = {Intent.greeting, Intent.goodbye}
GOODWILL_FOR = {Action.complaint, Action.payment_issue, Action.contact_human_agent}  # where the shop let them down
MONEY_BACK = {"cancelled", "return_requested", "refunded"}  # order states whose money goes back to the caller
KEEPS_PENDING = (Reason.not_verified, Reason.verification_locked, Reason.missing_address)  # waits for the answer
# "No, no, you misheard, it's ..." / "不是不是，是...": a correction of what the last request ran on.
_CORRECTION = re.compile(r"^\W*(?:no|nope|not|wrong|that's not|that is not|you misheard|sorry,? no|i said)\b"
                         r"|\b(?:you misheard|misheard|i said|i meant|not that one|wrong (?:order|number))\b"
                         r"|^\W*(?:不是|不对|错了|搞错)|听错|说错|我说的是|我是说", re.I)
# "OK, thanks" closes a topic; it answers "shall I put you through?" only when it names the transfer.
_CLOSING = re.compile(r"\b(?:thanks?|thank you|cheers|bye|goodbye)\b|谢谢|多谢|感谢|再见|拜拜", re.I)
_TRANSFER = re.compile(r"\b(?:transfer|put me through|connect me|person|human|agent|someone|somebody)\b"
                       r"|转|人工|真人|接过去", re.I)
# Words that ask for a person outright: the request stands even when the classifier hesitates (complaint?).
_ASKS_FOR_PERSON = re.compile(r"\b(?:real person|human|agent|representative|operator|manager|supervisor)\b"
                              r"|人工|真人|转接|经理|主管", re.I)
# A question about the change waiting for its yes ("how long does that take?", "那要多久？"), not a new request.
_ASKS_ABOUT_IT = re.compile(r"\b(?:that|it|this)\b.*\?|\?.*\b(?:right|is it|does it)\b"
                            r"|(?:那|这|它).*(?:吗|呢|多久|[?？])", re.I)
_COMPLAINT = re.compile(r"\bcomplain(?:t|ts|ing)?\b|投诉", re.I)
# "What time are your agents in? I'll call back": a question about reaching the shop, answered (hours, how to reach
# it) with the offer of a person, unless the caller asks to be put through outright (`_PUT_THROUGH`: stricter than
# `_TRANSFER`, which takes "人工" or "agent" alone as naming the transfer).
_ASKS_ABOUT_SERVICE = re.compile(r"\b(?:what time|when|hours|open|opening|phone number|e-?mail|"
                                 r"how (?:do|can) i (?:reach|contact|call))\b"
                                 r"|几点|什么时候|时间|上班|营业|电话是多少|邮箱|怎么联系", re.I)
_PUT_THROUGH = re.compile(r"\b(?:put me through|transfer me|connect me|speak (?:to|with)|talk (?:to|with)|get me)\b"
                          r"|转人工|转接|帮我转|给我转|接人工|找人工|我要人工", re.I)


@dataclass
class Call:
    """One conversation: its state (persisted by the session) and the trackers that live beside it."""

    state: CallState
    mood: SentimentTracker = field(default_factory=SentimentTracker)
    voice: ProsodyTracker = field(default_factory=ProsodyTracker)
    offered_human: bool = False  # a person was offered in the assistant's last turn (only that turn's offer stands)
    declined_offer: bool = False  # this turn said no to that offer
    asked_anything_else: bool = False  # the assistant's last turn asked "anything else?"
    offered: Action | None = None  # the next step the assistant's last turn offered ("Shall I cancel it?")
    last: ActionResult | None = None  # what the assistant did last turn
    choices: tuple[str, ...] = ()  # the intents a "this or that?" question offered
    orders: list[str] = field(default_factory=list)  # order numbers said or told so far, oldest first
    products: list[str] = field(default_factory=list)

    def context(self) -> DialogueContext:
        """What understanding needs of the call so far (dialog/nlu/context.py)."""
        state, last = self.state, self.last
        question = "confirm" if state.awaiting_confirmation else "offer_human" if self.offered_human else \
            "slot" if state.pending_intent else "choice" if self.choices else \
            "anything_else" if self.asked_anything_else else None
        topic = state.last_request[0] if state.last_request else None
        return DialogueContext(question=question, pending_intent=state.pending_intent or state.awaiting_confirmation
                               or (self.choices[0] if self.choices else None), options=self.choices,
                               last_action=str(last.action) if last else None,
                               last_refused=bool(last and not last.ok and last.reason not in KEEPS_PENDING
                                                 and last.reason != Reason.needs_confirmation),
                               orders=tuple(self.orders), products=tuple(self.products), topic=topic,
                               money_back=str(last.facts.values().get("status", "")) in MONEY_BACK if last else False)

    # --- the history, as the session tells it (what the caller heard, not what we meant to say) ---------
    def said(self, text: str) -> None:
        """The assistant said this line itself, outside a turn (a greeting, "are you still there?")."""
        self.state.history.append(("assistant", text))

    def heard(self, meant: str | None, heard: str) -> None:
        """The caller cut the reply `meant` short and heard only `heard` of it: the history keeps that, marked
        as cut off ("…"), or nothing when they heard no word."""
        history = self.state.history
        if history and history[-1] == ("assistant", meant):
            history.pop()
        if heard:
            history.append(("assistant", heard + " …"))

    def retract(self, caller_text: str) -> None:
        """The caller's last turn is answered together with the next one (one thought in two breaths): its
        words leave the history, to come back joined to the next turn's."""
        history = self.state.history
        if history and history[-1] == ("caller", caller_text):
            history.pop()

    def remember(self, u: Understanding, result: ActionResult) -> None:
        self.last, self.offered = result, result.offer
        self.choices = tuple(name for name, _ in ((u.intent, 1.0), *u.alternatives))[:2] \
            if result.action == Action.clarify and u.clarify_kind == "choice" else ()
        said = u.slots.order_number if result.reason != Reason.unknown_order else None  # no order of theirs
        for number in (said, result.target.removeprefix("order:")
                       if (result.target or "").startswith("order:") else None):
            if number and number not in self.orders[-1:]:
                self.orders.append(number)
        if u.slots.product and u.slots.product not in self.products:
            self.products.append(u.slots.product)


@dataclass
class TurnOutcome:
    """Everything decided in one turn; `reply` streams the words. Timings in seconds."""

    understanding: Understanding
    intent: str  # after the policy (a continued request, a hand-off...)
    result: ActionResult
    mood: TurnMood
    signals: MoodSignals
    reply: Reply
    understand_s: float
    action_s: float

    def record(self) -> dict[str, Any]:
        """A JSON-ready account of the turn (call for it once the reply is consumed)."""
        u, meta = self.understanding, self.reply.meta
        return {
            "text": redact(u.text), "language": u.language, "intent": self.intent,
            "understood_intent": u.intent, "confidence": u.confidence,
            "slots": {k: v for k, v in vars(u.slots).items() if v is not None},
            "sentiment": {"label": u.sentiment.label, "score": round(u.sentiment.score, 3)},
            "mood": {"turn": self.mood.fused, "call": self.signals.mood, "trend": self.signals.trend,
                     "segment": self.signals.segment},
            "action": self.result.record(), "facts": self.result.facts.as_dict(),
            "reply": meta.text, "reply_source": meta.source,
            "fallback": meta.fallback_reason, "check_failures": meta.check_failures,
            "latency_ms": {"understand": round(self.understand_s * 1000, 1), "action": round(self.action_s * 1000, 1),
                           "first_sentence": round((meta.first_sentence_s or 0) * 1000, 1),
                           "reply_total": round((meta.total_s or 0) * 1000, 1)},
        }


class ShopAgent:
    def __init__(self, shop: Shop, understander: Understander, writer: ReplyWriter) -> None:
        self.shop, self.understander, self.writer = shop, understander, writer

    def start_call(self, call_id: str, caller_id: str | None = None, language: Language = "en") -> Call:
        return Call(CallState(call_id=call_id, caller_id=caller_id, language=language))

    def vocabulary(self, call: Call) -> dict[Language, list[str]]:
        """Words the recogniser should expect from this caller: the products of their latest orders, once a
        trusted line or verification has identified them (nothing before). The call session hands them to
        Whisper's prompt (`LiveTranscriber.hints`)."""
        return products_of(self.shop, identify_caller(self.shop, call.state))

    def turn(self, call: Call, turn: CallerTurn) -> TurnOutcome:
        state = call.state
        started = time.perf_counter()
        u = self.understander.understand(turn.text, turn.language, context=call.context(), typed=turn.typed)
        state.language = u.language
        state.history.append(("caller", turn.text))
        prosody = call.voice.observe(turn.audio_16k, turn.text, u.language) if turn.audio_16k is not None else None
        mood = call.mood.update(turn.turn_id, u.sentiment, prosody, asked_for_human=asks_for_person(u))
        understood = time.perf_counter()

        identify_caller(self.shop, state)  # a caller ID that is a customer's: the segment shapes this turn already
        self._know_customer(call)
        signals = call.mood.signals()
        if u.slots.order_number and "order_number" not in u.from_context:  # said, not inferred ("the other
            state.named_orders.add(u.slots.order_number)  # one"): it names that order, a change may run on it
        answered = self._answer_read_back(call, u)
        if answered is not None:
            intent, result = answered
        else:
            intent, slots, continued = self._resolve(call, u)
            result = self._act(call, intent, slots, u, signals, continued)
        state.confirmed = False
        call.remember(u, result)
        acted = time.perf_counter()
        earlier = replace(state, history=state.history[:-1])  # this turn's words are in the prompt already
        reply = self.writer.write_for(u, result, earlier)
        return TurnOutcome(u, intent, result, mood, signals, self._remember(state, reply),
                           understood - started, acted - understood)

    async def reply(self, turn: CallerTurn, call: Call) -> AsyncIterator[ReplyPart]:
        """The `Agent` seam of the architecture: the reply, sentence by sentence."""
        outcome = self.turn(call, turn)
        async for part in outcome.reply.parts_async():
            yield part

    # --- policy -------------------------------------------------------------------------------
    def _answer_read_back(self, call: Call, u: Understanding) -> tuple[Intent, ActionResult] | None:
        """The caller's answer to "Your most recent order is 10046 ... shall I cancel it?": yes carries the change
        out (once), a bare no changes nothing, another number runs it on that number. None: not an answer."""
        state = call.state
        intent, slots = state.awaiting_confirmation, state.pending_slots
        if intent is None:
            return None
        if u.intent == Intent.goodbye and not is_closing(u.text, u.language):
            # "Thank you guys." (heard for "Yes." on an unseen call) hung up on a change waiting for its answer: a
            # goodbye the words do not make whole keeps the read-back and asks again
            return intent, ActionResult(Action.clarify, ok=True,
                                        facts=Question(clarifying_question(u.language, [str(intent)])))
        if intent == Intent.delete_account and _ASKS_ABOUT_IT.search(u.text) and u.intent not in (
                Intent.affirm, Intent.deny, Intent.goodbye) and not u.slots.order_number:
            # "How long does that take? And it's permanent, right?": how deletion works, and the question again
            return intent, replace(policy_result(self.shop, intent, "account", u.language), offer=intent)
        state.awaiting_confirmation, state.pending_intent, state.pending_slots = None, None, Slots()
        if call.offered:  # "Shall I cancel order 10007 for you?": only a plain yes takes it ("OK, thanks" does not)
            if u.intent == Intent.affirm and u.act == "answer" and not _CLOSING.search(u.text):
                if slots.order_number:
                    state.named_orders.add(slots.order_number)
                state.confirmed = True
                return intent, self._run(call, intent, slots, u.language)
            if u.intent == Intent.deny:  # "no": fine, anything else?
                call.asked_anything_else = True
                return Intent.deny, ActionResult(Action.clarify, ok=True, facts=Question(after_no(u.language)))
            state.pending_slots = Slots(order_number=slots.order_number)
            return None  # anything else (another number, "OK, thanks"): the offer lapses, the turn is taken as it comes
        another = u.intent not in (intent, Intent.affirm, Intent.deny, Intent.out_of_scope) and u.act != "correction"
        if u.slots.order_number and u.slots.order_number != slots.order_number and not another:
            slots = replace(slots, order_number=u.slots.order_number)  # "no, 10052": the change on that order
        elif u.act != "correction" and (u.intent == Intent.affirm or (u.intent == intent and not u.slots.order_number)):
            if slots.order_number:  # ("no, that's the wrong order" is a correction: it never confirms)
                state.named_orders.add(slots.order_number)
            state.confirmed = True
        elif u.intent == Intent.deny or u.act == "correction" or (
                _CORRECTION.search(u.text) and u.intent != Intent.goodbye):
            return intent, self._ask_which_order(state, u.language)
        else:  # something else entirely: the read-back lapses and the turn is taken as it comes (on the same order)
            state.pending_slots = Slots(order_number=slots.order_number)
            return None
        merged = replace(slots, **{k: v for k, v in vars(u.slots).items() if v is not None and k != "order_number"})
        return intent, self._run(call, intent, merged, u.language)

    def _resolve(self, call: Call, u: Understanding) -> tuple[Intent, Slots, bool]:
        """The intent to act on, the slots gathered so far, and whether this continues a pending request."""
        state = call.state
        brought = {k: v for k, v in vars(u.slots).items() if v is not None and k in CONTINUING_SLOTS}
        slots = replace(state.pending_slots, **{k: v for k, v in vars(u.slots).items() if v is not None})
        if slots.order_number and not u.slots.order_number and self._describes_another_order(u, slots.order_number):
            slots = replace(slots, order_number=None)  # "my latest order", "the one with the robot vacuum"
        elif slots.order_number and not u.slots.order_number and not u.slots.product and state.customer_id and \
                cues(u.language)["refers_other"].search(plain(u.text, u.language)):
            # "the other order" with one order said so far: the caller's latest other one (a change reads it back)
            mine = self.shop.orders_of(state.customer_id)
            slots = replace(slots, order_number=next((o["number"] for o in mine if o["number"] != slots.order_number),
                                                     None))
        offered, call.offered_human = call.offered_human, False  # an offer stands for one turn only
        call.declined_offer, call.asked_anything_else = offered and u.intent == Intent.deny, False
        if offered and u.intent == Intent.affirm and accepts_offer(u.text):
            return Intent.contact_human_agent, slots, True
        if u.intent == Intent.affirm and not accepts_offer(u.text):  # "OK, thanks" with nothing asked: a closing
            return Intent.goodbye, slots, False
        if (brought.get("order_number") or brought.get("phone_last4")) and state.last_request and (
                u.act == "correction" or _CORRECTION.search(u.text) and u.intent in (*CONTINUABLE,
                                                                                     state.last_request[0])):
            last, last_slots = state.last_request  # "no, you misheard, it's 10052": the same request, corrected
            return last, replace(last_slots, **brought), True
        likely = {u.intent, *(name for name, _ in u.alternatives)}
        if state.pending_intent and (u.intent == state.pending_intent
                                     or (brought and (u.intent in CONTINUABLE or u.confidence < 0.8))
                                     or (u.clarify and state.pending_intent in likely)):
            return state.pending_intent, slots, True
        if state.pending_intent and u.intent == Intent.deny:
            state.pending_intent, state.pending_slots = None, Slots()
        if asks_about_service(u.intent, u.text):  # "what time are your agents in?" asks about the service
            return Intent.contact_customer_service, slots, False
        return Intent(u.intent), slots, False

    def _ask_which_order(self, state: CallState, language: Language) -> ActionResult:
        """Nothing changed, and no guess: the caller's recent orders and "which order did you mean?"."""
        return ActionResult(Action.keep_as_is, ok=True, facts=WhichOrder(recent_orders(self.shop, state.customer_id,
                                                                                        language)))

    def _describes_another_order(self, u: Understanding, carried: str) -> bool:
        """No number said, but an order described that is not the one the call carries over: "my latest order",
        or a product the carried order does not have in it ("那另一个订单呢？扫地机器人那个")."""
        if cues(u.language)["latest"].search(plain(u.text, u.language)):
            return True
        return bool(u.slots.product) and all(i["sku"] != u.slots.product for i in self.shop.order_items(carried))

    def _know_customer(self, call: Call) -> None:
        """Once the caller is verified, their segment (VIP, at risk...) shapes the service."""
        state = call.state
        if state.customer_id is None or call.mood.customer is not None:
            return
        row = self.shop.customer(state.customer_id)
        if row is None:
            return
        orders = self.shop.orders_of(state.customer_id)
        returns = sum(o["status"] in ("return_requested", "refunded") for o in orders)
        # The shop flags customers at risk after complaints; the tracker counts them the same way.
        call.mood.customer = Customer(tier=row["tier"], orders=len(orders), complaints=2 if row["at_risk"] else 0,
                                      returns=returns)

    def _act(self, call: Call, intent: Intent, slots: Slots, u: Understanding, signals: MoodSignals,
             continued: bool) -> ActionResult:
        result = self._decide(call, intent, slots, u, signals, continued)
        if signals.goodwill_allowed and result.ok and result.action in GOODWILL_FOR:
            # A VIP or at-risk customer the shop let down: a voucher, where policy allows (once a call).
            voucher = goodwill.grant_voucher(self.shop, call.state, result.action)
            if voucher is not None:
                result = replace(result, changed=True, voucher=voucher)
        return result

    def _decide(self, call: Call, intent: Intent, slots: Slots, u: Understanding, signals: MoodSignals,
                continued: bool) -> ActionResult:
        state = call.state
        sure = continued or not u.clarify or asks_for_person(u)
        asked_before = call.mood.asked_for_human  # they asked for a person earlier in the call
        if (intent in HUMAN_INTENTS and sure and not asks_about_service(intent, u.text)) or (
                intent == Intent.complaint and (asks_for_person(u) or (sure and asked_before))):
            call.offered_human = False
            complaint = None
            if intent == Intent.complaint or _COMPLAINT.search(u.text):  # handed over, and still on the record
                complaint = handoff.complaint(self.shop, state, slots, u.language, signals.label)
            summary = f"{intent}: {redact(u.text)} (mood {signals.label}, trend {signals.trend})"
            state.pending_intent, state.pending_slots = None, Slots()
            return handoff.contact_human_agent(self.shop, state, slots, u.language, signals.label, summary,
                                               complaint.ticket_id if complaint else None)
        if u.act == "objection" and not state.handed_off:  # "is there really nothing you can do?" after a refusal:
            call.offered_human = True  # the options are a person who can look at an exception
            return ActionResult(Action.hear_out, ok=True, offer_human=True)
        if u.act == "correction" and not any(getattr(u.slots, k) for k in CONTINUING_SLOTS) and not u.from_context:
            # "you misheard, it's …" and the number lost again: no guess, the caller's orders and "which order?"
            return self._ask_which_order(state, u.language)
        if u.clarify and not continued and intent not in SMALL_TALK and not asks_about_service(intent, u.text):
            return ActionResult(Action.clarify, ok=True, facts=Question(u.clarify))
        if intent in (Intent.affirm, Intent.deny) or (intent == Intent.out_of_scope and not state.pending_intent):
            if intent == Intent.out_of_scope:
                return ActionResult(Action.out_of_scope, ok=True)
            if call.declined_offer:  # "no" to "shall I put you through?": fine, anything else?
                call.asked_anything_else = True
                return ActionResult(Action.clarify, ok=True, facts=Question(after_no(u.language)))
            return ActionResult(Action.clarify, ok=True, facts=Question(clarifying_question(u.language, [])))
        result = self._run(call, intent, slots, u.language)
        locked = result.reason == Reason.verification_locked  # too many wrong proofs: a person, not another guess
        asked_about_us = result.action == Action.contact_customer_service  # the hours, then "shall I put you through?"
        if (signals.offer_human or locked or asked_about_us) and not result.handoff and not state.handed_off and \
                intent != Intent.goodbye:  # "Goodbye! Would you like me to put you through?" (an unseen-call reply)
            call.offered_human = True
            if result.offer:  # one question at a time: the person, not the next step
                state.awaiting_confirmation, result = None, replace(result, offer=None)
            result = replace(result, offer_human=True)
        return result

    def _run(self, call: Call, intent: Intent, slots: Slots, language: Language) -> ActionResult:
        """Run the intent's action and keep what the next turn needs: a request waiting for an answer, a
        read-back waiting for a yes, the order talked about ("cancel it" means this one)."""
        state = call.state
        result = actions.run(intent, self.shop, state, slots, language)
        if result is None:  # greeting, goodbye: the agent's own words
            result = ActionResult(Action(intent), ok=True)
        state.last_request = (intent, slots)
        if result.reason == Reason.needs_confirmation:
            read_back = result.facts.order.number if isinstance(result.facts, ConfirmOrder) else None
            state.awaiting_confirmation = intent
            state.pending_intent, state.pending_slots = None, replace(slots, order_number=read_back)
        elif not result.ok and result.reason in KEEPS_PENDING:
            state.pending_intent, state.pending_slots = intent, slots
        else:  # the request is answered: the order talked about stays the subject ("cancel it" means this one),
            # but a change on it will read it back first: only what the caller names for a request, or confirms,
            # is named (dialog/actions/which_order.py)
            order = result.target.removeprefix("order:") if (result.target or "").startswith("order:") else None
            state.pending_intent, state.pending_slots = None, Slots(order_number=order or slots.order_number)
            state.named_orders.clear()
            state.awaiting_confirmation = result.offer  # "Shall I cancel order 10007 for you?": a yes runs it
        return result

    @staticmethod
    def _remember(state: CallState, reply: Reply) -> Reply:
        """Record what the assistant said in the history once the reply has been spoken."""

        def parts() -> Iterator[ReplyPart]:
            yield from reply
            state.history.append(("assistant", reply.meta.text))

        return Reply(parts(), reply.meta, reply.cancel)


def accepts_offer(text: str) -> bool:
    """Whether a yes answers the offer of a person: "yes", "好的", "OK, put me through" do; a closing
    "OK, thanks" / "好的，谢谢" does not (it ends the topic, it does not ask to be transferred)."""
    return not _CLOSING.search(text) or bool(_TRANSFER.search(text))


def asks_about_service(intent: str, text: str) -> bool:
    """A question about customer service (its hours, how to reach it: "那人工客服几点有人？"), not a request to be
    put through now."""
    return intent in HUMAN_INTENTS and bool(_ASKS_ABOUT_SERVICE.search(text)) and not _PUT_THROUGH.search(text)


def asks_for_person(u: Understanding) -> bool:
    """The caller asks for a person: understood so with confidence, or said outright ("转人工", "a
    manager") while the classifier hesitates between that and a complaint ("I want to complain, get me
    a manager": both are done, the complaint logged and the call handed over)."""
    if asks_about_service(u.intent, u.text):
        return False
    if u.intent in HUMAN_INTENTS and not u.clarify:
        return True
    runner_up = u.alternatives[0][0] if u.alternatives else None
    human_reading = u.intent in HUMAN_INTENTS or (u.intent == "complaint" and runner_up in HUMAN_INTENTS)
    return human_reading and bool(_ASKS_FOR_PERSON.search(u.text))
