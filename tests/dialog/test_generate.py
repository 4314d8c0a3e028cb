"""Reply generation without a model: templates, sentence splitting, the fact check, and every fallback path."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from dialog.contract import (
    ActionResult,
    CancellationFee,
    ContractError,
    DeliveryTimes,
    Money,
    NoFacts,
    OrderCancelled,
    OrderDetails,
    OrderState,
    OrderStatus,
    PaymentMethods,
    ReturnOpened,
)
from dialog.generate import BackendError, ReplyWriter, WriterSettings
from dialog.generate.check import check_sentence, language_ok
from dialog.generate.prompt import facts_block
from dialog.generate.sentences import SentenceSplitter, split_sentences
from dialog.generate.templates import TemplateError, load, template_reply

TODAY = date(2026, 11, 28)
TRACK = ActionResult("track_order", True, OrderDetails(
    "10023", OrderStatus.shipped, date(2026, 11, 24), Money(259), ("desk lamp",), "SF Express", "SF123456789012",
    date(2026, 11, 26), date(2026, 12, 1)), as_of=TODAY)
HAN = re.compile(r"[\u4e00-\u9fff]")

# A few outcomes with the facts they carry (every real action's output is checked in test_contract.py).
OUTCOMES = [
    TRACK,
    ActionResult("cancel_order", True, OrderCancelled("10031", TODAY, Money(259), "Alipay", "3-7"), changed=True),
    ActionResult("cancel_order", False, OrderState("10031", OrderStatus.shipped, 7), reason="already_shipped"),
    ActionResult("get_refund", True, ReturnOpened("10050", "R7", Money(88), "card", "3-7", date(2026, 12, 2)),
                 changed=True),
    ActionResult("check_payment_methods", True, PaymentMethods("We take these.", ("Alipay", "WeChat Pay"))),
    ActionResult("track_order", False, reason="not_verified"),
    ActionResult("greeting", True),
]


@pytest.mark.parametrize("result", OUTCOMES, ids=lambda r: f"{r.action}-{r.reason or 'ok'}")
@pytest.mark.parametrize("language", ["en", "zh"])
def test_templates_pass_their_own_check_in_both_languages(result, language):
    sentences = template_reply(result, language)
    assert sentences and all(s.strip() for s in sentences)
    for sentence in sentences:
        assert "{" not in sentence
        assert check_sentence(sentence, result, language) == [], sentence
        assert bool(HAN.search(sentence)) == (language == "zh"), sentence


def test_a_result_with_the_wrong_record_does_not_build():
    with pytest.raises(ContractError, match="OrderCancelled"):
        ActionResult("cancel_order", True, OrderState("10031", OrderStatus.paid))
    with pytest.raises(ContractError, match="no refusal"):
        ActionResult("track_order", False, reason="already_refunded")
    with pytest.raises(ValueError):
        ActionResult("teleport_order", True)
    with pytest.raises(ContractError):
        ActionResult("track_order", False)  # a refusal names its reason


@pytest.mark.parametrize(("edit", "message"), [
    (("{refund_to}", "{to_account}"), "['to_account'] not a field of OrderCancelled"),
    (("  already_cancelled:\n    en:", "  already_canceled:\n    en:"), "has no outcome 'already_canceled'"),
    (("[!refund_amount]Nothing", "[!refunded]Nothing"), "['refunded'] not a field"),
])
def test_the_reply_file_is_checked_against_the_contract_when_it_loads(tmp_path: Path, edit, message):
    source = Path("dialog/generate/replies.yaml").read_text(encoding="utf-8")
    assert edit[0] in source
    broken = tmp_path / "replies.yaml"
    broken.write_text(source.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(TemplateError, match=re.escape(message)) as e:
        load(broken)
    assert re.search(r"replies\.yaml:\d+", str(e.value))  # it names the line


def test_a_missing_reply_is_caught_when_the_file_loads(tmp_path: Path):
    source = Path("dialog/generate/replies.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "replies.yaml"
    gone = source.replace('  not_verified:\n    en: ["To protect', '  not_verified_gone:\n    en: ["To protect')
    broken.write_text(gone, encoding="utf-8")
    with pytest.raises(TemplateError, match="unknown reason 'not_verified_gone'"):
        load(broken)


def test_dates_money_and_statuses_are_spoken_in_the_callers_language():
    assert template_reply(TRACK, "zh") == ["您的订单10023已发货。", "承运商是SF Express，运单号SF123456789012。",
                                           "预计12月1日前送达。"]
    assert template_reply(TRACK, "en")[-1] == "It should arrive by December 1."
    refund = OUTCOMES[1]
    assert "259元会在3-7天内原路退回您的Alipay。" in template_reply(refund, "zh")
    assert template_reply(TRACK, "en", negative=True)[0] == "I'm sorry for the trouble."


def test_a_past_delivery_estimate_is_said_as_late():
    late = ActionResult("track_order", True, OrderDetails(
        "10023", OrderStatus.shipped, date(2026, 11, 14), Money(259), ("desk lamp",), "SF Express", "SF1234567890",
        date(2026, 11, 15), date(2026, 11, 20), late=True), as_of=TODAY)
    en, zh = " ".join(template_reply(late, "en")), "".join(template_reply(late, "zh"))
    assert "was due by November 20, so it's running late" in en and "should arrive" not in en
    assert "原定11月20日前送达，现在已经晚了" in zh and "预计" not in zh


def test_the_latest_order_is_named_as_such():
    latest = ActionResult("track_order", True, OrderDetails(
        "10046", OrderStatus.paid, date(2026, 11, 20), Money(399), ("air fryer",), latest=True))
    assert template_reply(latest, "en")[0] == \
        "Your most recent order, 10046 from November 20, is paid and being prepared."
    assert template_reply(latest, "zh")[0] == "您最近的一笔订单是11月20日下的10046，已付款，正在备货。"


@pytest.mark.parametrize(("text", "expected"), [
    ("Your order 10023 has shipped. It costs 25.50 yuan! Is that all? Yes.",
     ["Your order 10023 has shipped.", "It costs 25.50 yuan!", "Is that all?", "Yes."]),
    ("您的订单10023已发货。预计12月1日送达！还有什么可以帮您的吗？",
     ["您的订单10023已发货。", "预计12月1日送达！", "还有什么可以帮您的吗？"]),
    ("It cost 1,299 yuan. Dr. Lee signed for it at 12 Market St. on Monday",
     ["It cost 1,299 yuan.", "Dr. Lee signed for it at 12 Market St. on Monday"]),
    ("您好，您的订单10023已经发货了，承运商是顺丰速运，运单号是SF123456789012，预计明天送达",
     ["您好，您的订单10023已经发货了，承运商是顺丰速运，", "运单号是SF123456789012，预计明天送达"]),
])
def test_sentence_splitting_both_languages(text, expected):
    assert list(split_sentences(text)) == expected
    # the same result when the text arrives a few characters at a time
    assert list(split_sentences([text[i:i + 3] for i in range(0, len(text), 3)])) == expected


def test_first_clause_is_cut_at_its_comma_for_early_speech():
    splitter = SentenceSplitter(first_clause=True)
    assert splitter.feed("好的，您的订单") == ["好的，"]
    assert splitter.feed("10023已发货，预计12月1日送达。") == ["您的订单10023已发货，预计12月1日送达。"]
    assert list(split_sentences("Sure, your order 10023 has shipped.", first_clause=True)) == [
        "Sure,", "your order 10023 has shipped."]


@pytest.mark.parametrize(("sentence", "language", "problem"), [
    ("Your order 10024 has shipped.", "en", "number 10024"),
    ("It should arrive by December 3.", "en", "date 'December 3'"),
    ("预计12月3日送达。", "zh", "date '12月3日'"),
    ("The tracking number is SF999999999999.", "en", "code"),
    ("It will arrive tomorrow.", "en", "relative date"),
    ("预计三天送达。", "zh", "number '三'"),
    ("Your order 10023 has been delivered.", "en", "status"),
    ("您的订单10023已取消。", "zh", "status"),
    ("Please write to help@shop.com.", "en", "email"),
    ("您可以拨打13812345678联系我们。", "zh", "phone"),
    ("Your order 10023 has shipped.", "zh", "not in zh"),
    ("您的订单10023已发货。", "en", "not in en"),
    ("I'm sorry, but I can't assist with that.", "en", "refusal"),
    # a date the facts hold, told as another event's ("shipped on" the day the order was placed: a real reply)
    ("It was shipped on November 24.", "en", "as the shipping date"),
    ("I'm sorry, it went out on November 24 with SF Express.", "en", "as the shipping date"),
    ("It should arrive by November 26.", "en", "as the delivery due date"),
    ("Your order 10023 from November 26 has shipped.", "en", "as the order date"),
    ("It was delivered on November 26.", "en", "as the delivery date"),  # no delivery date at all
    ("已于11月24日发货。", "zh", "as the shipping date"),
    ("您的订单是11月26日下的。", "zh", "as the order date"),
    ("预计11月26日送达。", "zh", "as the delivery due date"),
    ("订单11月26日前送达。", "zh", "as the delivery due date"),
    # the prompt's facts line read out (a real unseen-call reply)
    ("I'm sorry for the trouble. order 10023; placed on November 24; total 259.", "en", "reads out the facts list"),
    ("order number: 10023, carrier: SF Express.", "en", "reads out the facts list"),
])
def test_check_rejects_what_the_facts_do_not_hold(sentence, language, problem):
    problems = check_sentence(sentence, TRACK, language)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(("sentence", "language"), [("您的订单10031是玻璃保鲜盒五件套。", "zh"),
                                                  ("Order 10031 is the Storage Box Set of Five.", "en")])
def test_a_number_inside_a_name_from_the_facts_is_the_name(sentence, language):
    """"五" in a product's name is not a quantity the reply made up; the same word outside the name still is."""
    boxes = "玻璃保鲜盒五件套" if language == "zh" else "Storage Box Set of Five"
    result = ActionResult("track_order", True, OrderDetails(
        "10031", OrderStatus.shipped, date(2026, 11, 24), Money(59), (boxes,), "SF Express", "SF123456789012",
        date(2026, 11, 26), date(2026, 12, 1)), as_of=TODAY)
    assert check_sentence(sentence, result, language) == []
    stray = "预计五天送达。" if language == "zh" else "It takes five days."
    assert any("number" in p for p in check_sentence(stray, result, language))


DELIVERED = ActionResult("track_order", True, OrderDetails(
    "10046", OrderStatus.delivered, date(2026, 11, 1), Money(399), ("air fryer",), "SF Express", "SF1234567890",
    date(2026, 11, 3), delivered_on=date(2026, 11, 7)), as_of=TODAY)
CANCELLED = OUTCOMES[1]
REFUSED = OUTCOMES[2]


@pytest.mark.parametrize(("sentence", "language", "result", "problem"), [
    # the deed: only what ran, and only when it ran
    ("I've placed an order for 10031.", "en", CANCELLED, "claims 'place'"),
    ("I've cancelled order 10031.", "en", REFUSED, "claims 'cancel'"),
    ("已为您取消订单10031。", "zh", REFUSED, "claims 'cancel'"),
    ("I've opened a return for order 10031.", "en", CANCELLED, "claims 'return'"),
    ("已为您办理退货，订单10031。", "zh", CANCELLED, "claims 'return'"),
    # the outcome
    ("Sorry, I couldn't do that just now.", "en", CANCELLED, "says it failed"),
    ("抱歉，这个操作暂时没能完成。", "zh", CANCELLED, "says it failed"),
    ("Done, that's sorted.", "en", REFUSED, "says it was done"),
    ("好的，已经办好了。", "zh", REFUSED, "says it was done"),
    # the status and its tense
    ("会在11月7日发货。", "zh", DELIVERED, "will ship"),
    ("Order 10046 will ship on November 7.", "en", DELIVERED, "will ship"),
    ("It should arrive by November 7.", "en", DELIVERED, "still coming"),
    ("预计11月7日送达。", "zh", DELIVERED, "still coming"),
    ("It should arrive by November 20.", "en", ActionResult("track_order", True, OrderDetails(
        "10023", OrderStatus.shipped, date(2026, 11, 14), Money(259), ("lamp",), "SF Express", "SF1234567890",
        date(2026, 11, 15), date(2026, 11, 20), late=True), as_of=TODAY), "as still to come"),
])
def test_check_rejects_a_reply_that_contradicts_its_action(sentence, language, result, problem):
    problems = check_sentence(sentence, result, language)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(("sentence", "language", "result"), [
    ("Done, order 10031 is cancelled.", "en", CANCELLED),
    ("好的，订单10031已经取消了，259元会原路退回。", "zh", CANCELLED),
    ("Order 10031 has already shipped, so it can't be cancelled.", "en", REFUSED),
    ("如果不想要了，我可以帮您取消订单。", "zh", REFUSED),  # an offer, not a claim
    ("It was delivered on November 7.", "en", DELIVERED),
    ("已于11月7日签收。", "zh", DELIVERED),
])
def test_check_accepts_what_the_action_did(sentence, language, result):
    assert check_sentence(sentence, result, language) == []


@pytest.mark.parametrize(("sentence", "language"), [
    ("Sure, your order 10023 has shipped with SF Express.", "en"),
    ("The tracking number is SF123456789012, and it should arrive by December 1st.", "en"),
    ("好的，您的订单10023已经发货了，运单号SF123456789012。", "zh"),
    ("预计12月1日送达，请您留意。", "zh"),
])
def test_check_accepts_faithful_sentences(sentence, language):
    assert check_sentence(sentence, TRACK, language) == []


@pytest.mark.parametrize(("sentence", "language"), [
    ("Order 10023, placed on November 24, shipped on November 26 and should arrive by December 1.", "en"),
    ("Your most recent order, 10023 from November 24, is shipped.", "en"),
    ("您的订单11月24日下单，11月26日已发货，预计12月1日前送达。", "zh"),
    ("您最近的一笔订单是11月24日下的10023，已发货。", "zh"),
])
def test_check_accepts_each_date_told_as_its_own_event(sentence, language):
    assert check_sentence(sentence, TRACK, language) == []


def test_language_check_allows_names_from_the_facts():
    assert language_ok("承运商是SF Express。", "zh", "SF Express")
    assert not language_ok("The carrier is SF Express.", "zh", "SF Express")


class StubBackend:
    """Streams fixed deltas, optionally after a delay or raising part way."""

    def __init__(self, deltas: list[str], delay_s: float = 0.0, error: Exception | None = None) -> None:
        self.deltas, self.delay_s, self.error = deltas, delay_s, error
        self.messages: list[dict[str, str]] = []

    def stream(self, messages: list[dict[str, str]], max_tokens: int = 96) -> Iterator[str]:
        self.messages = messages
        time.sleep(self.delay_s)
        yield from self.deltas
        if self.error:
            raise self.error


def _write(backend, language="en", result=TRACK, mood="neutral", deadline=1.0):
    reply = ReplyWriter(backend, WriterSettings(first_sentence_deadline_s=deadline)).write(
        result, language, caller_text="where is my order", mood=mood)
    parts = list(reply)
    return parts, reply.meta


def test_model_reply_is_streamed_when_it_checks_out():
    parts, meta = _write(StubBackend(["Sure, your order ", "10023 has shipped. ", "It should arrive by ",
                                      "December 1."]))
    assert [p.text for p in parts] == ["Sure,", "your order 10023 has shipped.", "It should arrive by December 1.",
                                       "It went out with SF Express, tracking number SF123456789012."]
    assert parts[-1].last and not any(p.last for p in parts[:-1])
    assert meta.source == "llm" and meta.check_failures == [] and meta.fallback_reason is None
    assert meta.facts_added == [parts[-1].text]  # the model left out the carrier: its template sentence follows
    assert set(meta.facts_used) >= {"order_number", "eta"}
    assert meta.first_sentence_s is not None  # measured (its speed: `make bench`, bench/results/dialog.md)


def test_prompt_carries_language_facts_and_mood():
    backend = StubBackend(["好的。"])
    _write(backend, language="zh", mood="negative")
    system, user = backend.messages[0]["content"], backend.messages[-1]["content"]
    assert "12月1日" in user and "SF123456789012" in user and "upset" in user and "请用中文回答" in user
    backend2 = StubBackend(["Sure."])
    _write(backend2, language="en")
    assert backend2.messages[0]["content"] == system  # fixed system prompt: its KV cache is reused


@pytest.mark.parametrize("language, policy", [
    ("en", "Standard delivery takes 3 to 5 days and costs 10 yuan."), ("zh", "普通快递3到5天送达，运费10元。")])
def test_a_policy_answer_prompts_with_what_the_caller_must_hear(language, policy):
    """Every prompt token is ~10 ms before the first word: only the facts the caller needs go in."""
    result = ActionResult("check_cancellation_fee", True, CancellationFee(policy, Money(0)))
    assert facts_block(result, language) == f"policy: {policy}"
    with_order = ActionResult("delivery_period", True, DeliveryTimes(policy, "10003", OrderStatus.shipped,
                                                                    date(2026, 11, 29)))
    block = facts_block(with_order, language)
    assert "10003" in block and ("11月29日" if language == "zh" else "November 29") in block
    refund = ActionResult("cancel_order", True, OrderCancelled("10031", TODAY, Money(259), "支付宝", "3-7"),
                          changed=True)
    assert "refund to: 支付宝" in facts_block(refund, language)  # where the money goes is always in the prompt


@pytest.mark.parametrize(("backend", "reason"), [
    (StubBackend(["Your order 10023 has shipped."], delay_s=0.6), "timeout"),
    (StubBackend([], error=BackendError("server down")), "backend error"),
    (StubBackend(["Half a sen"], error=RuntimeError("boom")), "backend error"),
    (StubBackend(["Your order 10023 will arrive on December 9."]), "check"),
    (StubBackend(["您的订单10023已发货。"]), "check"),
    (StubBackend(["I'm sorry, but I can't assist with that."]), "check"),
    (StubBackend([]), "empty"),
])
@pytest.mark.parametrize("language", ["en", "zh"])
def test_failures_fall_back_to_the_template_in_the_callers_language(backend, reason, language):
    if reason == "check" and language == "zh" and "已发货" in backend.deltas[0]:
        backend = StubBackend(["Your order 10023 has shipped."])  # English to a Mandarin caller
    parts, meta = _write(backend, language=language, deadline=0.3)
    template = template_reply(TRACK, language)
    assert meta.source == "template" and meta.fallback_reason.startswith(reason)
    # at most a checked opening clause ("I'm sorry,") was said before the model went wrong
    assert [p.text for p in parts][-len(template):] == template and len(parts) <= len(template) + 1
    assert parts[-1].last
    assert all(bool(HAN.search(p.text)) == (language == "zh") for p in parts)
    if reason == "check":
        assert meta.check_failures


@pytest.mark.parametrize("language, deltas", [
    ("en", ["We accept Alipay, ", "WeChat Pay and PayPal."]), ("zh", ["我们支持支付宝、", "微信支付和PayPal。"])])
def test_a_fact_split_by_the_first_clause_is_not_said_twice(language, deltas):
    methods = {"en": ("Alipay", "WeChat Pay", "PayPal"), "zh": ("支付宝", "微信支付", "PayPal")}[language]
    result = ActionResult("check_payment_methods", True, PaymentMethods("", methods))
    reply = ReplyWriter(StubBackend(deltas)).write(result, language)
    assert [p.text for p in reply if p.text] == [d.strip() for d in deltas] and reply.meta.facts_added == []


def test_a_bad_sentence_after_good_ones_is_replaced_by_the_template():
    parts, meta = _write(StubBackend(["Sure, your order 10023 has shipped. ", "It arrives on December 9. ", "Bye."]))
    texts = [p.text for p in parts]
    assert texts[:2] == ["Sure,", "your order 10023 has shipped."]
    assert texts[2:] == template_reply(TRACK, "en")
    assert "December 9" not in " ".join(texts) and parts[-1].last
    assert meta.check_failures and meta.fallback_reason.startswith("check")


def test_scripted_outcomes_and_no_backend_use_templates():
    parts, meta = _write(StubBackend(["Hi!"]), result=ActionResult("track_order", False, NoFacts(),
                                                                   reason="not_verified"))
    assert meta.fallback_reason == "scripted" and "last four digits" in parts[-1].text
    reply = ReplyWriter(None).write(TRACK, "zh")
    assert reply.text() == "".join(template_reply(TRACK, "zh")) and reply.meta.fallback_reason == "no backend"


def test_async_parts():
    import asyncio

    async def collect():
        result = ActionResult("track_order", True, OrderDetails("10023", OrderStatus.shipped, date(2026, 11, 24),
                                                                Money(259), ("desk lamp",)))
        reply = ReplyWriter(StubBackend(["Your order 10023 has shipped."])).write(result, "en")
        return [p async for p in reply.parts_async()], reply.meta

    parts, meta = asyncio.run(collect())
    assert [p.text for p in parts if p.text] == ["Your order 10023 has shipped."] and parts[-1].last
    assert meta.facts_added == [] and meta.source == "llm"
