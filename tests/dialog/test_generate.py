"""Reply generation without a model: templates, sentence splitting, the fact check, and every fallback path."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from dialog.generate import BackendError, ReplyWriter, WriterSettings
from dialog.generate.check import check_sentence, language_ok
from dialog.generate.prompt import facts_block
from dialog.generate.sentences import SentenceSplitter, split_sentences
from dialog.generate.templates import TEMPLATES, template_key, template_reply
from dialog.types import ActionResult

TRACK = ActionResult("track_order", True, {"order_number": "10023", "status": "shipped", "carrier": "SF Express",
                                           "tracking_number": "SF123456789012", "eta": "2026-12-01"})
HAN = re.compile(r"[\u4e00-\u9fff]")

# Every action outcome and refusal the agent can produce, with the facts it carries.
OUTCOMES = [
    TRACK,
    ActionResult("cancel_order", True, {"order_number": "10031", "refund_amount": 259.0, "to_account": "Alipay",
                                        "refund_days": "3-7"}, changed=True),
    ActionResult("cancel_order", False, {"order_number": "10031", "return_window_days": 7}, reason="already_shipped"),
    ActionResult("cancel_order", False, {"order_number": "10031"}, reason="needs_confirmation"),
    ActionResult("change_shipping_address", True, {"order_number": "10040", "address": "9 Elm Road"}, changed=True),
    ActionResult("get_refund", True, {"order_number": "10050", "refund_amount": 88.0, "to_account": "card",
                                      "refund_days": "3-7"}, changed=True),
    ActionResult("get_refund", False, {"order_number": "10050", "delivered_on": "2026-10-01",
                                       "return_window_days": 7}, reason="outside_window"),
    ActionResult("track_refund", True, {"order_number": "10060", "refund_status": "pending", "refund_amount": 59.5,
                                        "to_account": "WeChat Pay", "refund_days": "3-7"}),
    ActionResult("get_invoice", True, {"order_number": "10070", "issued_on": "2026-11-20", "emailed": True}),
    ActionResult("check_payment_methods", True, {"methods_en": "Alipay and cards", "methods_zh": "支付宝和银行卡"}),
    ActionResult("payment_issue", True, {"order_number": "10080", "duplicate_amount": 199.0, "refund_days": "3-5"},
                 ticket_id="T1234"),
    ActionResult("delivery_options", True, {"options_en": "standard and express delivery",
                                            "options_zh": "普通快递和加急快递"}),
    ActionResult("delivery_period", True, {"method_en": "standard delivery", "method_zh": "普通快递", "days_min": 3,
                                           "days_max": 5}),
    ActionResult("recover_password", True, {"answer_en": "Tap Forgot password on the login page.",
                                            "answer_zh": "在登录页点击忘记密码即可重置。"}),
    ActionResult("product_question", True, {"name_en": "desk lamp", "name_zh": "台灯", "price": 99.0,
                                            "in_stock": True}),
    ActionResult("recommend_product", True, {"name_en": "yoga mat", "name_zh": "瑜伽垫", "price": 49.9}),
    ActionResult("complaint", True, {"order_number": "10090", "response_hours": 24}, ticket_id="T2222"),
    ActionResult("contact_human_agent", True, {}, handoff=True, ticket_id="T3333"),
    ActionResult("track_order", False, {}, reason="not_verified"),
    ActionResult("track_order", False, {"order_number": "99999"}, reason="unknown_order"),
    ActionResult("clarify", True, {}),
    ActionResult("greeting", True, {}),
    ActionResult("goodbye", True, {}),
    ActionResult("out_of_scope", True, {}),
    ActionResult("teleport_order", False, {}, reason="something_new"),
]


@pytest.mark.parametrize("result", OUTCOMES, ids=lambda r: f"{r.action}-{r.reason or 'ok'}")
@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_outcome_has_a_checked_template_in_both_languages(result, language):
    sentences = template_reply(result, language)
    assert sentences and all(s.strip() for s in sentences)
    for sentence in sentences:
        assert "{" not in sentence
        assert check_sentence(sentence, result, language) == [], sentence
    text = "".join(sentences)
    for value in ("10023", "SF123456789012", "T1234", "T3333", "99999"):
        if value in map(str, result.facts.values()) or value == result.ticket_id:
            assert value in text


def test_template_table_is_complete_and_bilingual():
    needed = {"track_order", "cancel_order", "change_shipping_address", "return_order", "track_refund", "invoice",
              "check_payment_methods", "payment_issue", "delivery_options", "delivery_period", "account_help",
              "product_question", "recommend_product", "complaint", "handoff", "verification_needed",
              "unknown_order", "clarify", "greeting", "goodbye", "out_of_scope", "not_verified", "already_shipped",
              "outside_window", "failed"}
    assert needed <= set(TEMPLATES)
    for key, pieces in TEMPLATES.items():
        assert set(pieces) == {"en", "zh"}, key
        assert all(HAN.search(p) for p in pieces["zh"] if not p.startswith("{")), key
        assert not any(HAN.search(p) for p in pieces["en"]), key


def test_refusal_reason_picks_its_template():
    assert template_key(ActionResult("cancel_order", False, reason="already_shipped")) == "cancel_order:already_shipped"
    assert template_key(ActionResult("get_refund", False, reason="outside_window")) == "outside_window"
    assert template_key(ActionResult("anything", False, reason="never_heard_of")) == "failed"
    assert template_key(ActionResult("cancel_order", True, handoff=True)) == "handoff"


def test_dates_money_and_statuses_are_spoken_in_the_callers_language():
    assert template_reply(TRACK, "zh") == ["您的订单10023已发货。", "承运商是SF Express，运单号SF123456789012。",
                                           "预计12月1日前送达。"]
    assert template_reply(TRACK, "en")[-1] == "It should arrive by December 1."
    refund = OUTCOMES[1]
    assert "259元会在3-7天内退回您的Alipay。" in template_reply(refund, "zh")
    assert template_reply(TRACK, "en", negative=True)[0] == "I'm sorry for the trouble."


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
])
def test_check_rejects_what_the_facts_do_not_hold(sentence, language, problem):
    problems = check_sentence(sentence, TRACK, language)
    assert any(problem in p for p in problems), problems


@pytest.mark.parametrize(("sentence", "language"), [
    ("Sure, your order 10023 has shipped with SF Express.", "en"),
    ("The tracking number is SF123456789012, and it should arrive by December 1st.", "en"),
    ("好的，您的订单10023已经发货了，运单号SF123456789012。", "zh"),
    ("预计12月1日送达，请您留意。", "zh"),
])
def test_check_accepts_faithful_sentences(sentence, language):
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
    assert meta.first_sentence_s is not None and meta.first_sentence_s < 0.5


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
def test_a_policy_answer_prompts_with_the_policy_text_alone(language, policy):
    """Every prompt token is ~10 ms before the first word: the figures restating the text stay out."""
    result = ActionResult("delivery_period", True, {
        "policy": policy, "currency": "CNY", "option_1": "Standard", "option_1_days": "3-5",
        "option_1_cost": 10.0})
    assert facts_block(result, language) == f"policy: {policy}"
    with_order = ActionResult("delivery_period", True, {**result.facts, "order_number": "10003", "eta": "2026-11-26"})
    assert "10003" in facts_block(with_order, language) and "policy" not in facts_block(with_order, language)


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
    result = ActionResult("check_payment_methods", True, {f"method_{i}": m for i, m in enumerate(methods, 1)})
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
    parts, meta = _write(StubBackend(["Hi!"]), result=ActionResult("track_order", False, reason="not_verified"))
    assert meta.fallback_reason == "scripted" and "last four digits" in parts[-1].text
    reply = ReplyWriter(None).write(TRACK, "zh")
    assert reply.text() == "".join(template_reply(TRACK, "zh")) and reply.meta.fallback_reason == "no backend"


def test_async_parts():
    import asyncio

    async def collect():
        result = ActionResult("track_order", True, {"order_number": "10023", "status": "shipped"})
        reply = ReplyWriter(StubBackend(["Your order 10023 has shipped."])).write(result, "en")
        return [p async for p in reply.parts_async()], reply.meta

    parts, meta = asyncio.run(collect())
    assert [p.text for p in parts if p.text] == ["Your order 10023 has shipped."] and parts[-1].last
    assert meta.facts_added == [] and meta.source == "llm"
