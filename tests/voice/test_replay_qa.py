"""QA that checks what was said, in both languages: facts matched by the documented rules (dates, amounts),
replies that contradict their action caught, false actions failing their call, known answers scored exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voice.replay.replies import contradictions, judge
from voice.replay.says import states
from voice.replay.scenario import Call, ScenarioError, load_call
from voice.replay.score import language_figures, outcome_problem, score_call, score_turn, summarize

SAYS = [  # (reply, element, language, stated?)
    ("Your order 10033 has shipped and should arrive on November 30.", "2026-11-30", "en", True),
    ("It should arrive on Nov. 30th, 2026.", "2026-11-30", "en", True),
    ("It should be with you on the thirtieth of November.", "2026-11-30", "en", True),
    ("It should arrive on December second, twenty twenty-six.", "2026-12-02", "en", True),
    ("It should arrive on 2026-11-30.", "2026-11-30", "en", True),
    ("It should arrive on December 2nd, 2025.", "2026-12-02", "en", False),  # the wrong year
    ("It should arrive on December 20.", "2026-12-02", "en", False),
    ("预计11月30日送达。", "2026-11-30", "zh", True),
    ("预计十一月三十号送达。", "2026-11-30", "zh", True),
    ("预计二零二六年十一月三十日送达。", "2026-11-30", "zh", True),
    ("预计11月3日送达。", "2026-11-30", "zh", False),
    ("A refund of ¥1,599 goes back to WeChat Pay.", "1599", "en", True),
    ("A refund of 1599.00 yuan.", "¥1599", "en", True),
    ("That is two hundred and ninety-nine yuan.", "299", "en", True),
    ("That comes to 1299 yuan.", "299", "en", False),  # a number inside a longer one is not that number
    ("Order one double-oh three three has shipped.", "10033", "en", True),
    ("Order 1 0 0 3 3 has shipped.", "10033", "en", True),
    ("退款299.00元会退回支付宝。", "299", "zh", True),
    ("退款二百九十九元。", "299元", "zh", True),
    ("订单幺零零三三已发货。", "10033", "zh", True),
    ("订单一万零三十三已发货。", "10033", "zh", True),
    ("It has SHIPPED!", "shipped", "en", True),
    ("It is unshipped.", "shipped", "en", False),  # a Latin word must stand alone
    ("您的订单已经发货了。", "已经发货", "zh", True),
    ("Refunds take 3-7 days.", ["3 to 7", "3-7"], "en", True),
    ("退款3到7个工作日到账。", ["3到7", "三到七"], "zh", True),
    ("预计3-7天内到账。", ["3到7", "3-7"], "zh", True),  # a digit next to a Chinese character ends a word
    ("预计13-7天内到账。", ["3-7"], "zh", False),
    ("款项预计3-7天内退回。", "7天内", "zh", True),
]


@pytest.mark.parametrize("reply, element, language, stated", SAYS)
def test_says_matches_dates_amounts_and_text_by_the_documented_rules(reply, element, language, stated):
    assert states(reply, element, language) is stated


ACTIONS = {
    "invoice_ok": {"name": "get_invoice", "ok": True, "reason": None, "changed": True},
    "cancel_refused": {"name": "cancel_order", "ok": False, "reason": "already_shipped", "changed": False},
    "return_ok": {"name": "get_refund", "ok": True, "reason": None, "changed": True},
    "track_ok": {"name": "track_order", "ok": True, "reason": None, "changed": False},
}
CONTRADICTIONS = [  # (reply, action, facts, language, what the check must report, or None)
    ("Sorry, I couldn't do that just now.", "invoice_ok", {}, "en", "failure line after get_invoice succeeded"),
    ("抱歉，暂时无法为您办理。", "invoice_ok", {}, "zh", "failure line after get_invoice succeeded"),
    ("抱歉，这个操作暂时没能完成。需要为您转接人工客服吗？", "invoice_ok", {}, "zh", "failure line after get_invoice"),
    ("I've cancelled order 10036 for you.", "cancel_refused", {"status": "shipped"}, "en",
     "success line after cancel_order was refused"),
    ("好的，已为您取消订单10036。", "cancel_refused", {"status": "shipped"}, "zh",
     "success line after cancel_order was refused"),
    ("Done: I've cancelled your order.", "return_ok", {}, "en", "claims cancel_order"),
    ("已为您取消订单。", "return_ok", {}, "zh", "claims cancel_order"),
    ("Your order will arrive on November 30.", "track_ok", {"status": "delivered"}, "en", "order is delivered"),
    ("您的订单预计11月30日送达。", "track_ok", {"status": "delivered"}, "zh", "order is delivered"),
    ("Order 10036 has already shipped, so I can't cancel it.", "cancel_refused", {"status": "shipped"}, "en", None),
    ("订单10036已经发货了，无法取消。", "cancel_refused", {"status": "shipped"}, "zh", None),
    ("I've sent the invoice to your email on file.", "invoice_ok", {}, "en", None),
    ("发票已发送到您账户的邮箱。", "invoice_ok", {}, "zh", None),
    ("It was delivered on November 20.", "track_ok", {"status": "delivered"}, "en", None),
]


@pytest.mark.parametrize("reply, action, facts, language, problem", CONTRADICTIONS)
def test_a_reply_that_contradicts_its_action_is_caught(reply, action, facts, language, problem):
    found = contradictions(reply, ACTIONS[action], facts, language)
    if problem is None:
        assert found == []
    else:
        assert len(found) >= 1 and problem in found[0]


def _record(intent: str, reply: str, action: dict, facts: dict | None = None, slots: dict | None = None,
            mood: float = 0.0) -> dict:
    return {"text": "", "intent": intent, "slots": slots or {}, "mood": {"turn": mood},
            "action": {"handoff": False, **action}, "facts": facts or {}, "reply": reply, "heard": reply,
            "latency_ms": {"voice_to_voice": 1000.0}}


CALLS = {  # a scenario with known answers, per language: turn 1 right, turn 2's reply wrong, turn 3 a false action
    # (its reply is true to what it did: the reply check and the false action are separate findings)
    "en": {
        "turns": [
            {"say": "Where is order one oh oh three six?", "intent": "track_order", "slots": {"order_number": "10036"},
             "mood": "neutral", "outcome": {"action": "track_order", "ok": True},
             "says": ["10036", ["shipped", "on its way"], "2026-11-30"], "must_not_say": [["delivered"]]},
            {"say": "Can I cancel it?", "intent": "cancel_order", "mood": "neutral",
             "outcome": {"action": "cancel_order", "ok": False, "reason": "already_shipped"},
             "says": [["already shipped", "has shipped"]]},
            {"say": "Then what about my other order?", "intent": "cancel_order", "mood": "negative"},
        ],
        "records": [
            _record("track_order", "Order 10036 has shipped with SF Express and should arrive on November 30th.",
                    ACTIONS["track_ok"], {"order_number": "10036", "status": "shipped"}, {"order_number": "10036"}),
            _record("cancel_order", "Sorry, I've cancelled it for you.", ACTIONS["cancel_refused"],
                    {"order_number": "10036", "status": "shipped"}),
            _record("cancel_order", "I've cancelled order 10001.",
                    {"name": "cancel_order", "ok": True, "reason": None, "changed": True},
                    {"order_number": "10001", "status": "cancelled"}, mood=-0.6),
        ],
    },
    "zh": {
        "turns": [
            {"say": "订单幺零零三六到哪了？", "intent": "track_order", "slots": {"order_number": "10036"},
             "mood": "neutral", "outcome": {"action": "track_order", "ok": True},
             "says": ["10036", ["已发货", "已经发货"], "2026-11-30"], "must_not_say": [["已签收", "已送达"]]},
            {"say": "那能取消吗？", "intent": "cancel_order", "mood": "neutral",
             "outcome": {"action": "cancel_order", "ok": False, "reason": "already_shipped"},
             "says": [["已发货", "已经发货"]]},
            {"say": "那另一个订单呢？", "intent": "cancel_order", "mood": "negative"},
        ],
        "records": [
            _record("track_order", "订单10036已经发货，顺丰速运，预计11月30日送达。", ACTIONS["track_ok"],
                    {"order_number": "10036", "status": "shipped"}, {"order_number": "10036"}),
            _record("cancel_order", "好的，已为您取消。", ACTIONS["cancel_refused"],
                    {"order_number": "10036", "status": "shipped"}),
            _record("cancel_order", "已为您取消订单10001。",
                    {"name": "cancel_order", "ok": True, "reason": None, "changed": True},
                    {"order_number": "10001", "status": "cancelled"}, mood=-0.6),
        ],
    },
}


def _score(language: str) -> tuple[dict, list[dict]]:
    case = CALLS[language]
    call = Call(Path("x"), {"call": f"{language}-known", "language": language}, case["turns"])
    grounded = [{"10036"}, {"10036"}, {"10036"}]
    turns = []
    for want, record, g in zip(case["turns"], case["records"], grounded, strict=True):
        before = after = {"complaints": 0}
        problem = outcome_problem(want["outcome"], [record], before, after) if "outcome" in want else None
        turns.append(score_turn(want, [record], language, problem, g, heard_audio=record["reply"]))
    return score_call(call, turns), turns


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_scenario_with_known_answers_scores_exactly(language):
    score, turns = _score(language)
    assert [t["reply_ok"] for t in turns] == [True, False, True]
    assert turns[0]["reply_check"] == {"correct": True, "missing": [], "forbidden": [], "contradictions": []}
    assert "success line after cancel_order was refused" in turns[1]["reply_check"]["contradictions"][0]
    assert [t["outcome_ok"] for t in turns] == [True, True, None]  # the refusal itself was right
    assert score["outcomes_met"] == 1.0 and score["replies_correct"] == round(2 / 3, 4)
    assert score["false_actions"] == 1 and score["task_success"] is False
    assert turns[2]["false_actions"] == ["cancel_order on order:10001"]
    assert turns[2]["actions"] == [{"name": "cancel_order", "ok": True, "reason": None, "changed": True,
                                    "target": "order:10001", "facts": {"order_number": "10001",
                                                                        "status": "cancelled"}, "false": True}]
    assert score["heard_correct"] == round(2 / 3, 4)
    figures = language_figures([{"language": language, "score": score, "turns": turns}], language)
    assert figures["replies_correct"] == (2, 3) and figures["outcomes"] == (2, 2) and figures["tasks"] == (0, 1)
    assert figures["false_actions"] == 1 and figures["slots"] == (1, 1)
    assert figures["asked_back"] == (0, 3)
    asked = [turns[0], {**turns[1], "action": {**turns[1]["action"], "name": "clarify"}},
             {**turns[2], "intent_ok": False, "action": {**turns[2]["action"], "name": "clarify"}}]
    figures = language_figures([{"language": language, "score": score, "turns": asked}], language)
    assert figures["asked_back"] == (1, 2)  # understood and still asked back; a misread turn asked back is not counted
    assert figures["voice_to_voice"] == {"median": 1000.0, "p90": 1000.0}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_false_action_fails_its_call_and_a_confirmed_one_does_not(language):
    case = CALLS[language]
    cancel = case["records"][2]
    want = {"say": "…", "intent": "cancel_order", "mood": "neutral"}
    assert score_turn(want, [cancel], language, None, {"10036"})["false_actions"] == ["cancel_order on order:10001"]
    assert score_turn(want, [cancel], language, None, {"10036", "10001"})["false_actions"] == []
    explicit = {**cancel, "action": {**cancel["action"], "target": "order:10030"}}  # the record's own target wins
    assert score_turn(want, [explicit], language, None, {"10001"})["false_actions"] == ["cancel_order on order:10030"]
    # an outcome naming the order is held to it
    problem = outcome_problem({"action": "cancel_order", "ok": True, "order": "10030"}, [cancel], {}, {})
    assert problem == "cancel_order ran on order:10001, expected order:10030"


def test_the_summary_has_one_column_per_language():
    calls = []
    for language in ("en", "zh"):
        score, turns = _score(language)
        calls.append({"language": language, "score": score, "turns": turns})
    summary = summarize(calls)
    assert summary["by_language"]["en"]["replies_correct"] == (2, 3) == summary["by_language"]["zh"]["replies_correct"]
    assert summary["false_actions"] == 2 and summary["task_success"] == 0.0
    from voice.replay.report import summary_table

    table = summary_table(summary)
    assert "replies correct" in table and "2/3 0.67" in table and "false actions" in table
    assert "right intent, asked back" in table


def test_no_reply_is_never_correct():
    assert judge(None, {"says": ["10036"]}, [], "en")["correct"] is False
    assert judge("", {}, [], "zh")["correct"] is False


@pytest.mark.parametrize("turn, message", [
    ({"says": "10036"}, "says must be a list"),
    ({"says": [["shipped", 3]]}, "non-empty string"),
    ({"must_not_say": ["2026-02-30"]}, "'2026-02-30' is not a date"),
    ({"outcome": {"action": "cancel_order", "ok": True, "order": 10020}}, "order number as digits"),
])
def test_a_malformed_says_or_order_names_its_line(tmp_path, turn, message):
    folder = tmp_path / "en-bad"
    folder.mkdir()
    header = {"call": "en-bad", "language": "en", "caller_id": None, "channel": "phone", "voice": "flite slt",
              "transforms": [], "description": "x"}
    row = {"say": "hi", "audio": "1.wav", "intent": "greeting", "mood": "neutral", **turn}
    (folder / "scenario.jsonl").write_text(json.dumps(header) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=message) as error:
        load_call(folder, need_audio=False)
    assert f"{folder / 'scenario.jsonl'}:2:" in str(error.value)


def test_an_answer_window_runs_from_the_callers_turn_to_the_next_one():
    from voice.replay.runner import answer_windows

    spans = [(8000, 40000), (60000, 90000), (120000, 150000)]
    turns = [{}, {}, {"barge_in_after_s": 1.5}]  # the third caller talks over the second answer's end
    assert answer_windows(spans, turns, 8000, 200000) == [(8000, 60000), (60000, 120000), (128000, 200000)]


@pytest.mark.parametrize(("first", "rest", "language"), [
    ("Hi, my friend asked me to check on her order, it's 10037.", "Can you tell me where it is?", "en"),
    ("你好，我帮我老婆查个快递，", "订单号幺零零三七。", "zh"),
])
def test_a_turn_answered_with_the_next_is_heard_once(first, rest, language):
    """The caller went on before hearing the first reply: the session answers both parts as one turn, whose text
    begins with the first; the turn's recognised words count the first part once (an unseen call read 1.65 WER)."""
    from voice.turns import WENT_ON

    joined = f"{first} {rest}" if language == "en" else first + rest
    record = CALLS[language]["records"][0]
    records = [{**record, "text": first, "end": WENT_ON}, {**record, "text": joined, "end": None}]
    want = {"say": joined, "intent": record["intent"], "mood": "neutral"}
    assert score_turn(want, records, language, None)["recognised"] == joined
    apart = [{**record, "text": first, "end": None}, {**record, "text": rest, "end": None}]  # heard apart: both
    assert score_turn(want, apart, language, None)["recognised"] == joined
