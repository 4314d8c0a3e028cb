"""The dialogue brain for one call: understand the turn, track the mood, act, write the reply.

The policy is plain code a reviewer can follow:
- a turn that only brings what an earlier request was waiting for (an order number, the last four
  phone digits, an email) continues that request;
- a person is offered when frustration persists, and the call is handed over when the caller
  asks (and understanding is sure of it) or accepts; an offer is accepted only by a yes to the
  assistant's turn just before, and a closing "OK, thanks" / "好的，谢谢" is not a yes; VIP and
  at-risk customers get a priority ticket (the action layer decides);
- a complaint is always logged (ticket kind "complaint"), also when the same turn hands over;
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
from dialog.generate.writer import Reply, ReplyWriter
from dialog.nlu.clarify import clarifying_question
from dialog.nlu.understander import Understander
from dialog.security import identify_caller, redact
from dialog.sentiment.prosody import ProsodyTracker
from dialog.sentiment.tracker import Customer, MoodSignals, SentimentTracker, TurnMood
from dialog.shop.db import Shop
from dialog.types import ActionResult, CallerTurn, CallState, Language, ReplyPart, Slots, Understanding

CONTINUING_SLOTS = ("order_number", "phone_last4", "email", "phone", "address")
CONTINUABLE = {"out_of_scope", "affirm", "deny"}  # intents a bare answer ("10023", "5678") is often taken for
HUMAN_INTENTS = {"contact_human_agent", "contact_customer_service"}
SMALL_TALK = {"greeting", "goodbye"}
GOODWILL_FOR = {"complaint", "payment_issue", "contact_human_agent"}  # outcomes where the shop let the caller down
KEEPS_PENDING = ("not_verified", "missing_order_number", "missing_address")  # the request waits for this answer
# "OK, thanks" closes a topic; it answers "shall I put you through?" only when it names the transfer.
_CLOSING = re.compile(r"\b(?:thanks?|thank you|cheers|bye|goodbye)\b|谢谢|多谢|感谢|再见|拜拜", re.I)
_TRANSFER = re.compile(r"\b(?:transfer|put me through|connect me|person|human|agent|someone|somebody)\b"
                       r"|转|人工|真人|接过去", re.I)
# Words that ask for a person outright: the request stands even when the classifier hesitates (complaint?).
_ASKS_FOR_PERSON = re.compile(r"\b(?:real person|human|agent|representative|operator|manager|supervisor)\b"
                              r"|人工|真人|转接|经理|主管", re.I)
_COMPLAINT = re.compile(r"\bcomplain(?:t|ts|ing)?\b|投诉", re.I)


@dataclass
class Call:
    """One conversation: its state (persisted by the session) and the trackers that live beside it."""

    state: CallState
    mood: SentimentTracker = field(default_factory=SentimentTracker)
    voice: ProsodyTracker = field(default_factory=ProsodyTracker)
    offered_human: bool = False  # a person was offered in the assistant's last turn (only that turn's offer stands)


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
            "action": {"name": self.result.action, "ok": self.result.ok, "reason": self.result.reason,
                       "changed": self.result.changed, "handoff": self.result.handoff,
                       "ticket": self.result.ticket_id},
            "facts": self.result.facts, "reply": meta.text, "reply_source": meta.source,
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

    def turn(self, call: Call, turn: CallerTurn) -> TurnOutcome:
        state = call.state
        started = time.perf_counter()
        u = self.understander.understand(turn.text, turn.language)
        state.language = u.language
        state.history.append(("caller", turn.text))
        prosody = call.voice.observe(turn.audio_16k, turn.text, u.language) if turn.audio_16k is not None else None
        mood = call.mood.update(turn.turn_id, u.sentiment, prosody, asked_for_human=asks_for_person(u))
        understood = time.perf_counter()

        intent, slots, continued = self._resolve(call, u)
        identify_caller(self.shop, state)  # a caller ID that is a customer's: the segment shapes this turn already
        self._know_customer(call)
        signals = call.mood.signals()
        result = self._act(call, intent, slots, u, signals, continued)
        acted = time.perf_counter()
        earlier = replace(state, history=state.history[:-1])  # this turn's words are in the prompt already
        reply = self.writer.write_for(replace(u, intent=intent), result, earlier)
        return TurnOutcome(u, intent, result, mood, signals, self._remember(state, reply),
                           understood - started, acted - understood)

    async def reply(self, turn: CallerTurn, call: Call) -> AsyncIterator[ReplyPart]:
        """The `Agent` seam of the architecture: the reply, sentence by sentence."""
        outcome = self.turn(call, turn)
        async for part in outcome.reply.parts_async():
            yield part

    # --- policy -------------------------------------------------------------------------------
    def _resolve(self, call: Call, u: Understanding) -> tuple[str, Slots, bool]:
        """The intent to act on, the slots gathered so far, and whether this continues a pending request."""
        state = call.state
        brought = {k: v for k, v in vars(u.slots).items() if v is not None and k in CONTINUING_SLOTS}
        slots = replace(state.pending_slots, **{k: v for k, v in vars(u.slots).items() if v is not None})
        offered, call.offered_human = call.offered_human, False  # an offer stands for one turn only
        if offered and u.intent == "affirm" and accepts_offer(u.text):
            return "contact_human_agent", slots, True
        if u.intent == "affirm" and not accepts_offer(u.text):  # "OK, thanks" with nothing asked: a closing
            return "goodbye", slots, False
        likely = {u.intent, *(name for name, _ in u.alternatives)}
        if state.pending_intent and (u.intent == state.pending_intent
                                     or (brought and (u.intent in CONTINUABLE or u.confidence < 0.8))
                                     or (u.clarify and state.pending_intent in likely)):
            return state.pending_intent, slots, True
        if state.pending_intent and u.intent == "deny":
            state.pending_intent, state.pending_slots = None, Slots()
        return u.intent, slots, False

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

    def _act(self, call: Call, intent: str, slots: Slots, u: Understanding, signals: MoodSignals,
             continued: bool) -> ActionResult:
        result = self._decide(call, intent, slots, u, signals, continued)
        if signals.goodwill_allowed and result.ok and result.action in GOODWILL_FOR:
            # A VIP or at-risk customer the shop let down: a voucher, where policy allows (once a call).
            given = goodwill.grant_voucher(self.shop, call.state, result.action, u.language)
            if given:
                result = replace(result, changed=True, facts={**result.facts, **given})
        return result

    def _decide(self, call: Call, intent: str, slots: Slots, u: Understanding, signals: MoodSignals,
                continued: bool) -> ActionResult:
        state = call.state
        sure = continued or not u.clarify or asks_for_person(u)
        asked_before = call.mood.asked_for_human  # they asked for a person earlier in the call
        if (intent in HUMAN_INTENTS and sure) or (intent == "complaint" and (asks_for_person(u)
                                                                           or (sure and asked_before))):
            call.offered_human = False
            complaint = None
            if intent == "complaint" or _COMPLAINT.search(u.text):  # handed over, and still on the record
                complaint = handoff.complaint(self.shop, state, slots, u.language, signals.label)
            summary = f"{intent}: {redact(u.text)} (mood {signals.label}, trend {signals.trend})"
            state.pending_intent, state.pending_slots = None, Slots()
            result = handoff.contact_human_agent(self.shop, state, slots, u.language, signals.label, summary)
            if complaint is not None:
                result = replace(result, facts={**result.facts, "complaint_ticket_id": complaint.ticket_id or ""})
            return result
        if u.clarify and not continued and intent not in SMALL_TALK:
            return ActionResult("clarify", ok=True)
        if intent in ("affirm", "deny") or (intent == "out_of_scope" and not state.pending_intent):
            question = clarifying_question(u.language, [])
            return ActionResult("clarify", ok=True, facts={"question": question}) if intent != "out_of_scope" \
                else ActionResult("out_of_scope", ok=True)
        result = actions.run(intent, self.shop, state, slots, u.language)
        if result is None:  # greeting, goodbye: the agent's own words
            result = ActionResult(intent, ok=True)
        if not result.ok and result.reason in KEEPS_PENDING:
            state.pending_intent, state.pending_slots = intent, slots
        else:  # the order talked about stays the subject: "cancel it" means this one
            order = str(result.facts.get("order_number") or slots.order_number or "") or None
            state.pending_intent, state.pending_slots = None, Slots(order_number=order)
        locked = result.reason == "verification_locked"  # too many wrong proofs: a person, not another guess
        if (signals.offer_human or locked) and not result.handoff and not state.handed_off:
            call.offered_human = True
            result = replace(result, facts={**result.facts, "offer_human": "yes"})
        return result

    @staticmethod
    def _remember(state: CallState, reply: Reply) -> Reply:
        """Record what the assistant said in the history once the reply has been spoken."""

        def parts() -> Iterator[ReplyPart]:
            yield from reply
            state.history.append(("assistant", reply.meta.text))

        return Reply(parts(), reply.meta)


def accepts_offer(text: str) -> bool:
    """Whether a yes answers the offer of a person: "yes", "好的", "OK, put me through" do; a closing
    "OK, thanks" / "好的，谢谢" does not (it ends the topic, it does not ask to be transferred)."""
    return not _CLOSING.search(text) or bool(_TRANSFER.search(text))


def asks_for_person(u: Understanding) -> bool:
    """The caller asks for a person: understood so with confidence, or said outright ("转人工", "a
    manager") while the classifier hesitates between that and a complaint ("I want to complain, get me
    a manager": both are done, the complaint logged and the call handed over)."""
    if u.intent in HUMAN_INTENTS and not u.clarify:
        return True
    runner_up = u.alternatives[0][0] if u.alternatives else None
    human_reading = u.intent in HUMAN_INTENTS or (u.intent == "complaint" and runner_up in HUMAN_INTENTS)
    return human_reading and bool(_ASKS_FOR_PERSON.search(u.text))
