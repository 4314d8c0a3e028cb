"""Replay a recorded call through the same session that serves live calls, and score it.

Each call runs on a freshly seeded demo shop (outcomes of one call never leak into the next), on a
phone-rate (8 kHz) or wideband (16 kHz) line as its scenario says, with the scenario's caller ID.
`fast`: computing takes no stream time (the session's clock is the audio fed), so a replay is the
call a live caller would have, without the waiting; latencies are still the measured compute times.
What the caller heard in each turn (the assistant's audio from the start of that caller turn to the start
of the next, `answer_windows`) is also transcribed by the product's recogniser, so the report can judge the replies as
heard, not only as written.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from dialog.shop.seed import seed
from speech.asr.whisper import WhisperTranscriber
from speech.audio import read_audio, resample, write_wav
from voice.local import Driver, MemoryChannel
from voice.replay.scenario import Call
from voice.replay.score import grounded_orders, outcome_problem, score_call, score_turn, snapshot
from voice.services import Services
from voice.session import CallSession, SessionOptions


def scratch_shop(folder: Path) -> str:
    """A demo shop of the replay's own (data/shop.db is never touched); its catalogue embeddings are reused."""
    from dialog.knowledge import cache_path_for
    from dialog.shop.db import Shop

    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'shop.db'}"
    shop = Shop(url)
    seed(shop, reset=True)
    kept = cache_path_for(Shop())
    if kept.exists():
        shutil.copy(kept, cache_path_for(shop))
    shop.close()
    return url


async def replay_call(services: Services, call: Call, *, fast: bool = True, audio_dir: Path | None = None,
                      on_turn: Callable[[], None] | None = None, session: SessionOptions | None = None
                      ) -> dict[str, Any]:
    options = replace(session or SessionOptions(), realtime=not fast, language=call.language)
    shop = services.agent.shop
    seed(shop, reset=True)
    phone = call.header["channel"] == "phone"
    rate = 8000 if phone else 16000
    channel = MemoryChannel(name="replay", sample_rate=rate, playback_lead_s=0.2 if phone else 0.15)
    # the scenario's caller ID stands for a trusted line (a carrier's), as on a real call it would
    session = CallSession(services, channel, caller_id=call.header["caller_id"], caller_id_trusted=True,
                          call_id=f"replay-{call.id}-{uuid.uuid4().hex[:6]}",
                          options=options)
    channel.clock = lambda: session.clock
    await session.start()
    driver = Driver(session, realtime=not fast)
    await driver.settle()  # the greeting
    starts, states, spans = [], [], []
    for i, turn in enumerate(call.turns):
        pcm = read_audio(call.folder / turn["audio"], sample_rate=rate).pcm
        starts.append(session.turn_count)
        spans.append((session.clock, session.clock + len(pcm)))  # the caller talks, then the answer follows
        before = snapshot(turn.get("outcome", {}), shop)
        upcoming = call.turns[i + 1].get("barge_in_after_s") if i + 1 < len(call.turns) else None
        await driver.turn(pcm, upcoming)
        states.append((before, snapshot(turn.get("outcome", {}), shop)))
        if on_turn:
            on_turn()
    await driver.settle()
    await session.close("end of replay")
    starts.append(session.turn_count)

    output = channel.output()
    windows = answer_windows(spans, call.turns, rate, len(output))
    heard = transcribe_answers(services, output, rate, windows, call.language)
    records = [[r for r in session.turns if starts[i] < r["idx"] <= starts[i + 1]] for i in range(len(call.turns))]
    result: dict[str, Any] = {
        "call": call.id, "language": call.language, "channel": call.header["channel"],
        "caller_id": call.header["caller_id"], "description": call.header["description"],
        "voice": call.header["voice"], "transforms": call.header["transforms"], "call_id": session.call_id,
        "end_reason": session.end_reason, **score_replayed(call, records, states, heard),
        "answer_windows_s": [(round(a / rate, 2), round(b / rate, 2)) for a, b in windows],
        "events": [e for e in channel.events if e["type"] in ("barge_in", "barge_in_pause", "backchannel",
                                                                 "reprompt", "error", "hangup")],
    }
    if audio_dir is not None:
        folder = audio_dir / call.id
        folder.mkdir(parents=True, exist_ok=True)
        write_wav(folder / "assistant.wav", output.astype("float32") / 32768.0, rate)
        for t in call.turns:
            shutil.copy(call.folder / t["audio"], folder / f"caller-{t['audio']}")
        rel = f"{audio_dir.name}/{call.id}"  # relative to the report, which sits beside the audio folder
        result["audio"] = {"assistant": f"{rel}/assistant.wav",
                           "caller": [f"{rel}/caller-{t['audio']}" for t in call.turns]}
    return result


def score_replayed(call: Call, records: list[list[dict[str, Any]]], states: list[tuple[dict, dict]],
                   heard: list[str | None]) -> dict[str, Any]:
    """Score what a replay recorded (turn records, database snapshots, transcripts of the answers); kept in
    the report so `voicedesk replay --rescore` can score a replay again after the scoring changes."""
    turns = []
    for i, (want, grounded) in enumerate(zip(call.turns, grounded_orders(call.turns), strict=True)):
        problem = outcome_problem(want["outcome"], records[i], *states[i]) if "outcome" in want else None
        turn = score_turn(want, records[i], call.language, problem, grounded, heard[i])
        turns.append({**turn, "records": records[i], "snapshots": list(states[i])})
    return {"score": score_call(call, turns), "turns": turns}


def rescore(stored: dict[str, Any], call: Call) -> dict[str, Any]:
    """A stored call result scored again against its scenario (same replay, current scoring)."""
    turns = stored["turns"]
    if len(turns) != len(call.turns):
        raise ValueError(f"{call.id}: the report has {len(turns)} turns, the scenario {len(call.turns)}")
    return {**stored, **score_replayed(call, [t["records"] for t in turns], [tuple(t["snapshots"]) for t in turns],
                                       [t.get("heard_audio") for t in turns])}


def answer_windows(spans: list[tuple[int, int]], turns: list[dict[str, Any]], rate: int, length: int
                   ) -> list[tuple[int, int]]:
    """Where each caller turn's answer lies in the assistant's audio: from the start of the caller's turn (the
    answer often starts in the recording's trailing silence) to the start of the next one. A caller who
    barges in talks over the end of the previous answer for a moment: their window starts a second later."""
    windows = []
    for i, (start, _) in enumerate(spans):
        begin = start + (rate if turns[i].get("barge_in_after_s") else 0)
        windows.append((begin, spans[i + 1][0] if i + 1 < len(spans) else length))
    return windows


def transcribe_answers(services: Services, output: np.ndarray, rate: int, windows: list[tuple[int, int]],
                       language: str) -> list[str]:
    """The product ASR's text of the assistant's audio in each caller turn's answer window."""
    transcriber = WhisperTranscriber(services.engine)
    audio = output.astype(np.float32) / 32768.0
    texts = []
    for begin, stop in windows:
        piece = audio[begin:stop]
        texts.append(transcriber.transcribe(resample(piece, rate, 16000), language).text if piece.any() else "")
    return texts
