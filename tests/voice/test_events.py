"""The session's events and their observers, without a call or a model: the record is written before anyone
else is told, and an observer that fails logs one line and stops nothing."""

from __future__ import annotations

import asyncio
import logging

from voice.events import BargeIn, CallEnded, CallStarted, Events, TurnRecorded
from voice.local import MemoryChannel
from voice.observers import MetricsObserver, PageObserver, RecordObserver
from voice.records import CallRecords

RECORD = {"idx": 1, "text": "where is my order 10003", "language": "en", "interrupted": False,
          "latency_ms": {"endpoint": 500.0, "first_audio": None}}


def test_the_record_is_stored_before_the_page_hears_of_it(tmp_path):
    records = CallRecords(f"sqlite:///{tmp_path / 'calls.db'}")
    records.open_call("c1", "file", None, "en")
    seen: list[tuple[str, int]] = []

    class Page(MemoryChannel):
        async def send_event(self, event):  # what the page is told, and what the record holds by then
            seen.append((event["type"], len(records.get_call("c1")["turns"]) + len(records.get_call("c1")["events"])))

    events = Events("c1")
    for observer in (RecordObserver(records, "c1"), MetricsObserver("file"), PageObserver(Page())):
        events.subscribe(observer)

    async def run():
        await events.publish(TurnRecorded(1, RECORD))
        await events.publish(BargeIn("我想取消", "We accept Alipay", 120.0))
        await events.publish(CallEnded("test over", None, 1))

    asyncio.run(run())
    assert seen == [("turn", 1), ("barge_in", 2)]
    call = records.get_call("c1")
    assert call["end_reason"] == "test over" and call["events"][0]["kind"] == "barge_in"
    assert call["events"][0]["heard"] == "We accept Alipay"


def test_a_failing_observer_logs_one_line_and_the_others_still_hear(caplog):
    heard = []

    async def broken(event):
        raise RuntimeError("the database is gone")

    async def page(event):
        heard.append(type(event).__name__)

    events = Events("c2")
    events.subscribe(broken)
    events.subscribe(page)
    with caplog.at_level(logging.ERROR, "voicedesk.session"):
        asyncio.run(events.publish(CallStarted("c2", "file", None, False, "zh", None)))
    assert heard == ["CallStarted"]
    (line,) = [r.getMessage() for r in caplog.records]
    assert "c2" in line and "broken" in line and "CallStarted" in line and "the database is gone" in line


def test_noted_events_go_to_the_page_with_their_fields():
    assert PageObserver.page(BargeIn("等一下", "好的，您的订单", 80.0)) == {
        "type": "barge_in", "why": "等一下", "heard": "好的，您的订单", "clear_after_ms": 80.0}
    assert PageObserver.page(TurnRecorded(1, RECORD)) == {
        "type": "turn", "idx": 1, "latency_ms": RECORD["latency_ms"], "interrupted": False}
