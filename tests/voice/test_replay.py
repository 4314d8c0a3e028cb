"""QA replay: scenario errors name file and line; known answers score exactly; the report renders in Chromium."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from speech.audio import resample
from tests.conftest import CHROMIUM, need
from voice.replay.scenario import ScenarioError, find_calls, load_call
from voice.replay.score import score_call, score_turn, summarize
from voicedesk.cli import main

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = ROOT / "out" / "test-artifacts"


def _write_call(folder: Path, header: dict, turns: list[dict], voice=None) -> Path:
    folder.mkdir(parents=True)
    lines = [json.dumps(header, ensure_ascii=False)] + [json.dumps(t, ensure_ascii=False) for t in turns]
    (folder / "scenario.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for t in turns:
        if voice is not None:
            chunks = list(voice.stream(t["say"], header["language"]))
            pcm = resample(np.concatenate([c.pcm for c in chunks]), chunks[0].sample_rate, 16000)
            sf.write(folder / t["audio"], np.concatenate([pcm, np.zeros(4000, np.float32)]), 16000,
                     format="OGG", subtype="VORBIS")
        else:
            (folder / t["audio"]).write_bytes(b"")
    return folder


HEADER = {"call": "en-test", "language": "en", "caller_id": "14266674749", "channel": "wideband",
          "voice": "piper en_US-joe-medium", "transforms": ["ogg-16k"], "description": "a test call"}


@pytest.mark.parametrize("line, text, message", [
    (2, '{"say": "hi", "audio": "1.ogg", "intent": "greting", "mood": "neutral"}', "unknown intent 'greting'"),
    (3, '{"say": "hi", "audio": "2.ogg", "intent": "greeting", "mood": "neutral"', "not JSON"),
    (2, '{"say": "hi", "audio": "1.ogg", "intent": "greeting", "mood": "angry"}', "mood 'angry'"),
    (2, '{"say": "hi", "audio": "1.ogg", "intent": "greeting", "mood": "neutral", "outcome": {"won": 1}}', "outcome"),
    (2, '{"say": "hi", "audio": "9.ogg", "intent": "greeting", "mood": "neutral"}', "9.ogg is missing"),
])
def test_a_broken_scenario_names_its_file_and_line(tmp_path, line, text, message):
    folder = _write_call(tmp_path / "en-test", HEADER, [
        {"say": "hi", "audio": "1.ogg", "intent": "greeting", "mood": "neutral"},
        {"say": "bye", "audio": "2.ogg", "intent": "goodbye", "mood": "neutral"}])
    lines = (folder / "scenario.jsonl").read_text().splitlines()
    lines[line - 1] = text
    (folder / "scenario.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError, match=message) as error:
        load_call(folder)
    assert f"{folder / 'scenario.jsonl'}:{line}:" in str(error.value)


def test_the_cli_reports_a_broken_scenario_in_one_line(tmp_path):
    folder = _write_call(tmp_path / "en-test", HEADER, [
        {"say": "hi", "audio": "1.ogg", "intent": "greeting", "mood": "sad"}])
    done = subprocess.run([sys.executable, "-m", "voicedesk", "replay", str(folder), "--report", str(tmp_path / "r")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    expected = f"error: {folder / 'scenario.jsonl'}:2: mood 'sad' (one of negative, neutral, positive)"
    assert done.stderr.strip() == expected


def test_shipped_sample_calls_are_well_formed():
    calls = find_calls([ROOT / "samples" / "calls"])
    assert len(calls) >= 24
    assert sum(c.language == "en" for c in calls) >= 12 and sum(c.language == "zh" for c in calls) >= 12
    assert any(t.get("barge_in_after_s") for c in calls for t in c.turns)


def test_scores_of_known_records_are_exact():
    record = {"text": "what payment methods do you take", "intent": "check_payment_methods",
              "slots": {"order_number": "10003"}, "mood": {"turn": 0.5}, "action": {"name": "x", "handoff": False},
              "reply": "We take PayPal.", "heard": "We take PayPal.", "latency_ms": {"voice_to_voice": 900.0}}
    want = {"say": "What payment methods do you accept?", "intent": "check_payment_methods",
            "slots": {"order_number": "10003", "email": "a@b.c"}, "mood": "positive"}
    turn = score_turn(want, [record], "en", None)
    assert turn["error_rate"] == round(1 / 6, 4)  # "take" for "accept", in six words
    assert turn["intent_ok"] and turn["slots_ok"] == 1 and turn["slots_total"] == 2 and turn["mood_ok"]
    wrong = score_turn({**want, "intent": "track_order", "mood": "negative"}, [record], "en", "no")
    call = score_call(type("C", (), {"language": "en"})(), [turn, {**wrong, "outcome": {"handoff": True},
                                                                  "outcome_ok": False}])
    assert call["intent_accuracy"] == 0.5 and call["slot_accuracy"] == 0.5 and call["mood_agreement"] == 0.5
    assert call["outcomes_met"] == 0.0 and call["task_success"] is False
    summary = summarize([{"language": "en", "score": call, "turns": [turn, wrong]}])
    assert summary["latency_ms"]["voice_to_voice"] == {"median": 900.0, "p90": 900.0, "n": 2}
    assert summary["task_success"] == 0.0 and summary["by_language"]["en"]["calls"] == 1


def test_replay_scores_known_answers_and_the_report_renders(tmp_path, voice):
    _write_call(tmp_path / "calls" / "en-known", {**HEADER, "call": "en-known"}, [
        {"say": "What payment methods do you accept?", "audio": "1.ogg", "intent": "check_payment_methods",
         "mood": "neutral", "outcome": {"action": "check_payment_methods", "ok": True}},
        {"say": "Where is my latest order?", "audio": "2.ogg", "intent": "cancel_order",  # wrong on purpose
         "mood": "neutral", "outcome": {"action": "track_order", "ok": True}},
    ], voice)
    _write_call(tmp_path / "calls" / "en-fails", {**HEADER, "call": "en-fails"}, [
        {"say": "Please cancel my latest order.", "audio": "1.ogg", "intent": "cancel_order", "mood": "neutral",
         "outcome": {"order_status": {"order": "10003", "status": "cancelled"}}},  # it has shipped: refused
    ], voice)
    _write_call(tmp_path / "calls" / "zh-known", {**HEADER, "call": "zh-known", "language": "zh",
                                                  "caller_id": "19850490387"}, [
        {"say": "你们支持哪些付款方式？", "audio": "1.ogg", "intent": "check_payment_methods", "mood": "neutral",
         "outcome": {"action": "check_payment_methods", "ok": True}, "says": [["支付宝", "微信"]],
         "must_not_say": [["已为您取消"]]},
    ], voice)
    report = tmp_path / "report"
    code = main(["replay", str(tmp_path / "calls"), "--report", str(report), "--fast", "--min-success", "0.9", "-q"])
    assert code == 3, "task success 2/3 is below --min-success 0.9"
    data = json.loads((report / "report.json").read_text())
    known = next(c for c in data["calls"] if c["call"] == "en-known")
    assert known["score"]["intent_accuracy"] == 0.5 and known["score"]["outcomes_met"] == 1.0
    assert known["score"]["task_success"] is True and known["score"]["slot_accuracy"] is None
    fails = next(c for c in data["calls"] if c["call"] == "en-fails")
    assert fails["score"]["task_success"] is False and "shipped" in fails["turns"][0]["outcome_problem"]
    assert fails["score"]["intent_accuracy"] == 1.0
    zh = next(c for c in data["calls"] if c["call"] == "zh-known")
    assert zh["turns"][0]["reply_ok"] and zh["score"]["task_success"] is True, zh["score"]["failed_because"]
    assert zh["turns"][0]["actions"][0]["name"] == "check_payment_methods"
    # what the caller heard, transcribed by the product's recogniser, is judged too
    assert "pay" in known["turns"][0]["heard_audio"].lower() and zh["turns"][0]["heard_ok"] is not None
    assert data["summary"]["task_success"] == round(2 / 3, 4) and data["summary"]["calls"] == 3
    assert (report / known["audio"]["assistant"]).stat().st_size > 16000
    assert main(["replay", str(tmp_path / "calls"), "--report", str(report), "--rescore", "-q"]) == 0
    rescored = json.loads((report / "report.json").read_text())
    assert rescored["summary"] == data["summary"] and rescored["rescored"] is True
    _render_in_chromium(report / "report.html")


def _render_in_chromium(page_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    need(CHROMIUM.exists(), f"Chromium ({CHROMIUM})", "chromium")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(page_path.as_uri())
        assert page.locator("#summary tr").count() >= 8
        assert page.locator("#chart-latency svg rect.bar").count() >= 1
        assert page.locator("svg.chart-mood circle").count() == 4  # one point per turn
        assert page.locator("svg.chart-waterfall rect.segment").count() >= 8
        assert page.locator("audio").count() == 7  # 3 assistant + 4 caller turns
        assert page.locator("div.action").count() >= 4  # what each action did, per turn
        page.screenshot(path=str(ARTEFACTS / "replay-report.png"), full_page=True)
        browser.close()
