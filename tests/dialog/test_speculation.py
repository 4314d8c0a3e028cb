"""Replies started on the words at the caller's first pause: only for read-only requests, on a copy of the call;
kept when the final words mean the same, discarded (the model stopped, nothing recorded) when they do not."""

import time

import pytest

from dialog.agent import ShopAgent
from dialog.generate import ReplyWriter
from dialog.generate.backends import local_backend
from dialog.speculation import adopt, speculate
from dialog.types import CallerTurn, Intent
from tests.dialog.conftest import talk

QUESTION = {"en": ("how long does delivery take", "how long does delivery take?"),
            "zh": ("快递一般几天能到", "快递一般几天能到？")}
OTHER = {"en": "what payment methods do you take", "zh": "你们支持哪些付款方式"}
CHANGE = {"en": "please cancel my order one zero zero two three", "zh": "帮我取消订单一零零二三"}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_read_only_question_is_answered_ahead_and_kept_when_the_final_means_the_same(agent, language):
    call = agent.start_call("spec", None, language)
    draft, final = QUESTION[language]
    spec = speculate(agent, call, CallerTurn(draft, language))
    assert spec is not None and spec.understanding.intent == Intent.delivery_period
    assert call.state.history == [], "the real call is untouched until the final"
    outcome = adopt(agent, call, spec, CallerTurn(final, language))
    assert outcome is not None and outcome.result.action == "delivery_period"
    text = "".join(p.text for p in spec.parts())
    assert text and call.state.history == [("caller", final), ("assistant", outcome.reply.meta.text)]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_final_that_means_something_else_discards_the_start(agent, language):
    call, _ = talk(agent, ["hello"])
    before = list(call.state.history)
    spec = speculate(agent, call, CallerTurn(QUESTION[language][0], language))
    assert spec is not None
    assert adopt(agent, call, spec, CallerTurn(OTHER[language], language)) is None
    assert call.state.history == before and (call.last is None or call.last.action != "delivery_period")
    assert spec.outcome.reply.cancel.is_set()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_changes_and_answers_the_call_waits_on_are_never_started_early(agent, language):
    call = agent.start_call("spec", None, language)
    assert speculate(agent, call, CallerTurn(CHANGE[language], language)) is None
    call.state.awaiting_confirmation = Intent.cancel_order  # "shall I cancel 10046?": the answer waits
    assert speculate(agent, call, CallerTurn(QUESTION[language][0], language)) is None
    call.state.awaiting_confirmation = None
    call.state.pending_intent = Intent.track_order  # an order number is awaited
    assert speculate(agent, call, CallerTurn(QUESTION[language][0], language)) is None


class CountingBackend:
    """The real reply model, counting the tokens it produced and when."""

    def __init__(self, backend):
        self.backend, self.at = backend, []

    def warm(self, system_prompt: str) -> None:
        self.backend.warm(system_prompt)

    def stream(self, messages, max_tokens=96):
        for delta in self.backend.stream(messages, max_tokens):
            self.at.append(time.monotonic())
            yield delta


@pytest.fixture(scope="module")
def real_model():
    return local_backend()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_discard_stops_the_reply_model_at_its_next_token(shop, understander, real_model, language):
    counting = CountingBackend(real_model)
    agent = ShopAgent(shop, understander, ReplyWriter(counting))
    call = agent.start_call("spec", None, language)
    spec = speculate(agent, call, CallerTurn(QUESTION[language][0], language))
    assert spec is not None
    while not counting.at:  # the model is writing
        time.sleep(0.01)
    assert adopt(agent, call, spec, CallerTurn(OTHER[language], language)) is None
    stopped = time.monotonic()
    assert real_model._lock.acquire(timeout=30), "the model was never released"  # free for the real turn
    real_model._lock.release()
    assert len([t for t in counting.at if t > stopped]) <= 1, "the model went on writing after the discard"
    assert call.state.history == []

