"""Understanding in context (dialog/nlu/context.py), both languages: the rules on their own (fast, exact),
then the real model reading the issue's turns with the context the agent would pass."""

from __future__ import annotations

import pytest

from dialog.nlu.context import DialogueContext, context_from_transcript, is_closing, resolve
from dialog.types import Slots, Understanding


def heard(text: str, language: str, intent: str, confidence: float = 0.6, **slots) -> Understanding:
    return Understanding(text, language, intent, confidence, slots=Slots(**slots))


ANYTHING_ELSE = DialogueContext(question="anything_else", topic="track_order", orders=("10023",))
CONFIRM_CANCEL = DialogueContext(question="confirm", pending_intent="cancel_order", topic="cancel_order",
                                 orders=("10023",))
REFUSED_RETURN = DialogueContext(last_action="get_refund", last_refused=True, topic="get_refund",
                                 orders=("10040",))


@pytest.mark.parametrize(("text", "language", "context", "intent", "act"), [
    ("no", "en", ANYTHING_ELSE, "goodbye", "closing"),
    ("不是", "zh", ANYTHING_ELSE, "goodbye", "closing"),
    ("没有", "zh", ANYTHING_ELSE, "goodbye", "closing"),
    ("no", "en", CONFIRM_CANCEL, "deny", "answer"),
    ("um no", "en", CONFIRM_CANCEL, "deny", "answer"),
    ("不是", "zh", CONFIRM_CANCEL, "deny", "answer"),
    ("no thanks", "en", CONFIRM_CANCEL, "deny", "answer"),
    ("不用了，谢谢", "zh", CONFIRM_CANCEL, "deny", "answer"),
    ("no", "en", None, "deny", "answer"),
])
def test_a_bare_no_is_read_by_the_pending_question(text, language, context, intent, act):
    u = resolve(heard(text, language, "deny"), context)
    assert (u.intent, u.act) == (intent, act)


@pytest.mark.parametrize(("text", "language"), [
    ("that's all, thanks", "en"), ("Okay, that's it, thank you so much, bye!", "en"), ("no that's all", "en"),
    ("great thanks have a nice day", "en"), ("I'm good, thanks", "en"),
    ("没有了，谢谢", "zh"), ("好的，没有了，谢谢", "zh"), ("行，就这样", "zh"), ("嗯，就这些，拜拜", "zh"),
    ("没事了，谢谢你", "zh"),
])
def test_closings_end_the_call(text, language):
    assert is_closing(text, language)
    for context in (None, ANYTHING_ELSE, REFUSED_RETURN):
        u = resolve(heard(text, language, "deny"), context)
        assert (u.intent, u.act) == ("goodbye", "closing")


@pytest.mark.parametrize(("text", "language"), [
    ("thanks, and where is my order", "en"), ("ok", "en"), ("no", "en"), ("谢谢，我的快递到哪了", "zh"),
    ("好的", "zh"), ("不是", "zh"),
])
def test_requests_and_bare_answers_are_not_closings(text, language):
    assert not is_closing(text, language)


@pytest.mark.parametrize(("text", "language"), [
    ("but I've barely used it, is there really nothing you can do?", "en"),
    ("come on, can't you make an exception?", "en"),
    ("可是我才用了一次，真的没有别的办法吗？", "zh"),
    ("就不能通融一下吗", "zh"),
])
def test_pushback_after_a_refusal_is_an_objection(text, language):
    u = resolve(heard(text, language, "deny", 0.4), REFUSED_RETURN)
    assert (u.intent, u.act) == ("get_refund", "objection")
    same = resolve(heard(text, language, "deny", 0.4), DialogueContext(topic="get_refund"))
    assert same.act != "objection"  # nothing was refused: no objection


def test_asking_for_a_person_after_a_refusal_stays_a_request_for_a_person():
    u = resolve(heard("can't you just put me through to someone", "en", "contact_human_agent", 0.9), REFUSED_RETURN)
    assert (u.intent, u.act) == ("contact_human_agent", "request")


@pytest.mark.parametrize(("text", "language", "order"), [
    ("no, you misheard, it's 10042", "en", "10042"),
    ("no it's one oh oh four two", "en", "10042"),
    ("不是，是一零零四二", "zh", "10042"),
    ("你听错了，我说的是10042", "zh", "10042"),
])
def test_a_correction_is_the_pending_request_with_the_new_value(text, language, order):
    u = resolve(heard(text, language, "deny", 0.5, order_number=order), CONFIRM_CANCEL)
    assert (u.intent, u.act, u.slots.order_number) == ("cancel_order", "correction", order)


def test_a_correction_by_reference_takes_the_other_order():
    ctx = DialogueContext(question="confirm", pending_intent="cancel_order", orders=("10061", "10062"))
    for text, language in (("no, I meant the other order", "en"), ("不是，我说的是另一个订单", "zh")):
        u = resolve(heard(text, language, "deny", 0.5), ctx)
        assert (u.intent, u.act, u.slots.order_number, u.from_context) == ("cancel_order", "correction", "10061",
                                                                           ("order_number",)), text


def test_a_refund_arrival_question_after_a_return_is_track_refund():
    for text, language in (("I haven't seen it on my card yet", "en"), ("when will I get the money back", "en"),
                           ("钱什么时候到账", "zh"), ("卡里还没看到钱", "zh")):
        u = resolve(heard(text, language, "track_order", 0.5), DialogueContext(topic="get_refund"))
        assert (u.intent, u.act) == ("track_refund", "follow_up"), text
        plain = resolve(heard(text, language, "track_order", 0.5), DialogueContext(topic="track_order"))
        assert plain.intent == "track_order"


@pytest.mark.parametrize(("text", "language"), [
    ("the other one", "en"), ("what about the other order?", "en"), ("另一个呢", "zh"), ("还有一个", "zh"),
])
def test_the_other_one_is_the_other_order_mentioned(text, language):
    ctx = DialogueContext(topic="track_order", orders=("10062", "10061"))
    u = resolve(heard(text, language, "out_of_scope", 0.3), ctx)
    assert (u.intent, u.act, u.slots.order_number, u.from_context) == ("track_order", "follow_up", "10062",
                                                                       ("order_number",))


def test_a_number_said_wins_over_the_context():
    ctx = DialogueContext(topic="track_order", orders=("10061",))
    u = resolve(heard("the other one, with the rice cookers, that's 1 0 0 6 2", "en", "out_of_scope", 0.3,
                      order_number="10062"), ctx)
    assert (u.intent, u.slots.order_number, u.from_context) == ("track_order", "10062", ())


def test_a_confident_new_request_is_not_bent_by_the_context():
    u = resolve(heard("and what is your refund policy", "en", "check_refund_policy", 0.9), ANYTHING_ELSE)
    assert (u.intent, u.act) == ("check_refund_policy", "request")


def test_context_read_from_a_transcript():
    seen = []

    def understand(text, language, ctx):
        seen.append(ctx)
        return heard(text, language, "get_refund", 0.9)

    ctx = context_from_transcript([("caller", "I want to return order 10040"),
                                   ("assistant", "Sorry, order 10040 is outside the 7-day return window.")],
                                  "en", understand)
    assert (ctx.topic, ctx.last_action, ctx.last_refused, ctx.orders) == ("get_refund", "get_refund", True,
                                                                          ("10040",))
    ctx = context_from_transcript([("caller", "我的订单10023到哪了"), ("assistant", "已经发货了。还有什么可以帮您？")],
                                  "zh", lambda t, lang, c: heard(t, lang, "track_order", 0.9))
    assert ctx.question == "anything_else" and ctx.orders == ("10023",)


# --- the real model, the issue's turns, the context the agent would pass ---------------------------------

@pytest.mark.parametrize(("text", "language", "context", "intent", "act", "order"), [
    ("the other one, with the rice cookers, that's 1 0 0 6 2", "en",
     DialogueContext(topic="track_order", orders=("10061",)), "track_order", "follow_up", "10062"),
    ("那另一个呢", "zh", DialogueContext(topic="track_order", orders=("10062", "10061")), "track_order", "follow_up",
     "10062"),
    ("but I've barely used it, is there really nothing you can do?", "en", REFUSED_RETURN, "get_refund",
     "objection", "10040"),
    ("可是我才用了一次，真的没有别的办法吗？", "zh", REFUSED_RETURN, "get_refund", "objection", None),
    ("好的，没有了，谢谢", "zh", None, "goodbye", "closing", None),
    ("ok that's all thanks", "en", ANYTHING_ELSE, "goodbye", "closing", None),
    ("no", "en", ANYTHING_ELSE, "goodbye", "closing", None),
    ("I haven't seen it on my card yet", "en", DialogueContext(topic="get_refund", orders=("10040",)),
     "track_refund", "follow_up", None),
    ("卡里还没看到退款", "zh", DialogueContext(topic="get_refund"), "track_refund", "follow_up", None),
    ("no, you misheard, it's one oh oh four two", "en", CONFIRM_CANCEL, "cancel_order", "correction", "10042"),
    ("不是，是一零零四二", "zh", CONFIRM_CANCEL, "cancel_order", "correction", "10042"),
])
def test_the_issue_turns_in_context(understander, text, language, context, intent, act, order):
    u = understander.understand(text, language, context=context)
    assert (u.intent, u.act) == (intent, act), (u.intent, u.act, u.confidence)
    if order and act != "objection":
        assert u.slots.order_number == order
    assert u.clarify is None


@pytest.mark.parametrize(("text", "language"), [
    ("but I've barely used it, is there really nothing you can do?", "en"),
    ("可是我才用了一次，真的没有别的办法吗？", "zh"),
])
def test_pushback_without_a_refusal_is_not_an_objection(understander, text, language):
    assert understander.understand(text, language).act != "objection"


@pytest.mark.parametrize(("text", "language", "intent"), [
    ("hw do i chnage my pasword", "en", "recover_password"),
    ("i wnat to cancle my ordr pls", "en", "cancel_order"),
    ("wheres my pakage its been a week", "en", "track_order"),
    ("我的定单到哪了", "zh", "track_order"),
    ("秘码忘了怎么办", "zh", "recover_password"),
    ("我想退火，东西坏了", "zh", "get_refund"),
])
def test_typed_text_with_typos(understander, text, language, intent):
    assert understander.understand(text, language, typed=True).intent == intent
