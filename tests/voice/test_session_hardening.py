"""The call session hardened: caller ID counts only from a trusted line; a message right after a turn
ends does not record that turn twice; keypad entries are recorded once each, redacted."""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
import pytest

from voice.local import Driver, MemoryChannel
from voice.session import CallSession, SessionOptions

OWNER_OF_10003 = "16254930309"  # the demo shop's customer 14 (order 10003), as a line presents the number


def _session(services, **kw) -> tuple[CallSession, MemoryChannel]:
    channel = MemoryChannel(sample_rate=16000)
    session = CallSession(services, channel, options=SessionOptions(realtime=False, greeting=False, language="en"),
                          **kw)
    channel.clock = lambda: session.clock
    return session, channel


@pytest.mark.parametrize("trusted", [False, True])
def test_caller_id_identifies_the_caller_only_on_a_trusted_line(call_services, trusted):
    async def run():
        session, _ = _session(call_services, caller_id=OWNER_OF_10003, caller_id_trusted=trusted)
        await session.start()
        state = session.call.state
        await session.close("test over")
        return session, state

    session, state = asyncio.run(run())
    assert state.caller_id == (OWNER_OF_10003 if trusted else None)
    record = call_services.records.get_call(session.call_id)
    assert record["caller"] == "*******0309"  # kept, redacted, either way
    assert [(e["kind"], e["trusted"]) for e in record["events"] if e["kind"] == "caller_id"] == [("caller_id", trusted)]


@pytest.mark.parametrize("question, then", [("Where is my order?", "thanks"), ("我的订单到哪了？", "谢谢")])
def test_a_message_right_after_a_turn_ends_does_not_record_it_twice(call_services, monkeypatch, question, then):
    """The issue: a message that came while the finished turn's record was being written cancelled the reply
    and recorded the turn again, as interrupted."""
    records = call_services.records
    writing, original = threading.Event(), records.add_turn

    def slow_add_turn(call_id, idx, record):
        writing.set()
        time.sleep(0.3)  # a busy database
        original(call_id, idx, record)

    monkeypatch.setattr(records, "add_turn", slow_add_turn)

    async def run():
        session, _ = _session(call_services)
        await session.start()
        driver = Driver(session)
        silence = np.zeros(320, np.float32)
        await session.text(question)
        while not writing.is_set():
            await driver.feed(silence)
        await session.text(then)  # right after the turn ended, while its record is written
        await driver.settle()
        await asyncio.sleep(0.5)
        await session.close("test over")
        return session

    session = asyncio.run(run())
    turns = call_services.records.get_call(session.call_id)["turns"]
    assert [t["idx"] for t in turns] == [1, 2], [(t["idx"], t["text"], t["interrupted"]) for t in turns]
    assert not turns[0]["interrupted"] and turns[0]["text"] == question


def test_keypad_entries_are_recorded_once_each_and_redacted(call_services):
    async def run():
        session, _ = _session(call_services)
        await session.start()
        for digit in "4111111111111111#10003#":
            await session.dtmf(digit)
        await Driver(session).settle()
        await session.close("test over")
        return session

    session = asyncio.run(run())
    record = call_services.records.get_call(session.call_id)
    assert [e["digits"] for e in record["events"] if e["kind"] == "dtmf"] == ["************1111#", "10003#"]
    assert "4111111111111111" not in str(record)
