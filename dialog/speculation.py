"""A reply started before the caller is done (LiveKit's preemptive generation, made safe for a shop).

When the caller first pauses, the recogniser already has their words (the speculative final) while the
end-of-turn detector is still listening. If those words ask something that only reads (a policy, a
product, delivery times), the agent can understand them, run the read-only action and start the reply
model on a copy of the call, so that when the turn does end the reply is already under way. When the
final text means the same (same intent and slots), the copy becomes the call and its reply is spoken;
otherwise it is discarded: the model stops at its next token, and nothing of it is spoken or recorded,
because everything it touched was the copy.

Never speculated: anything that changes an order or an account, verification (a wrong guess counts as an
attempt), hand-offs and tickets, and any turn that answers a question the call is waiting on ("yes" to a
read-back, a missing order number): what those do depends on the final words, so they wait for them.
"""

from __future__ import annotations

import copy
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, fields

from dialog.agent import CONTINUING_SLOTS, Call, ShopAgent, TurnOutcome, asks_for_person
from dialog.types import CallerTurn, Intent, ReplyPart, Understanding

# Intents whose actions only read shop-wide data (no caller's order, no verification, no write).
READ_ONLY: frozenset[Intent] = frozenset({
    Intent.check_cancellation_fee, Intent.check_payment_methods, Intent.check_refund_policy,
    Intent.delivery_options, Intent.delivery_period, Intent.product_question, Intent.recommend_product,
})

_DONE = object()


@dataclass
class Speculation:
    """A turn answered on a copy of the call; its reply parts are written ahead into a buffer."""

    text: str
    understanding: Understanding
    call: Call  # the copy the turn ran on
    outcome: TurnOutcome
    _buffer: queue.Queue[object] = field(default_factory=queue.Queue)
    _closed: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        threading.Thread(target=self._write_ahead, daemon=True, name="speculation").start()

    def _write_ahead(self) -> None:
        parts = iter(self.outcome.reply)
        try:
            for part in parts:
                self._buffer.put(part)
                if self._closed.is_set():
                    break
        except Exception as e:  # noqa: BLE001 - handed to whoever reads the parts
            self._buffer.put(e)
        finally:
            close = getattr(parts, "close", None)
            if close is not None and self._closed.is_set():
                close()  # this thread runs the generator: it may close it
            self._buffer.put(_DONE)

    def parts(self) -> Iterator[ReplyPart]:
        """The reply's parts, as written (waits for the ones not written yet); closing it discards the rest."""
        try:
            while (item := self._buffer.get()) is not _DONE:
                if isinstance(item, Exception):
                    raise item
                assert isinstance(item, ReplyPart)
                yield item
        finally:
            if not self.outcome.reply.meta.total_s:
                self.discard()

    def discard(self) -> None:
        """Stop the reply model now (at its next token); the copy of the call is dropped with this object."""
        self._closed.set()
        self.outcome.reply.stop()


def speculate(agent: ShopAgent, call: Call, turn: CallerTurn) -> Speculation | None:
    """Answer `turn` (the words at the caller's first pause) on a copy of the call, if that is safe; None if the
    turn must wait for its final words."""
    state = call.state
    if state.awaiting_confirmation or state.pending_intent or call.offered_human or call.choices:
        return None  # the call waits on an answer: what it does depends on the final words
    u = agent.understander.understand(turn.text, turn.language, context=call.context(), typed=turn.typed)
    if u.intent not in READ_ONLY or u.clarify or asks_for_person(u):
        return None
    if any(getattr(u.slots, name) for name in CONTINUING_SLOTS):  # an order number or proof: it may correct or
        return None  # continue an earlier request, and proofs are counted
    shadow = copy.deepcopy(call)
    outcome = agent.turn(shadow, turn)
    if outcome.intent not in READ_ONLY:  # the policy made something else of it (it only read: drop it)
        outcome.reply.stop()
        return None
    return Speculation(turn.text, u, shadow, outcome)


def adopt(agent: ShopAgent, call: Call, speculation: Speculation, final: CallerTurn) -> TurnOutcome | None:
    """The speculation's outcome if the final words mean the same (the copy then becomes the call), else None
    (discarded: nothing of it was spoken or recorded)."""
    same = final.text.strip() == speculation.text.strip()
    if not same:
        u = agent.understander.understand(final.text, final.language, context=call.context(), typed=final.typed)
        first = speculation.understanding
        same = (u.intent, u.slots, u.language) == (first.intent, first.slots, first.language) and not u.clarify
    if not same:
        speculation.discard()
        return None
    for f in fields(Call):
        setattr(call, f.name, getattr(speculation.call, f.name))
    history = call.state.history
    for i in range(len(history) - 1, -1, -1):  # the caller's words as finally heard
        if history[i] == ("caller", speculation.text):
            history[i] = ("caller", final.text)
            break
    return speculation.outcome
