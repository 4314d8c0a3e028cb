"""Call figures: voice-to-voice latency per channel, concurrent calls, memory per call and over a long call.

`python -m bench.calls [--quick]` starts the real server (uvicorn, the embedded models, the fine-tuned
reply model) on loopback and calls it the way the real far ends do (telephony/peers.py): audio in real
time, 20 ms frames. Voice-to-voice is measured at the caller's end: from the last frame of their speech
to the first frame of the reply they receive. Results: bench/results/calls.{json,md}.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import websockets

from bench.common import machine, stats, write
from speech.audio import resample
from telephony.peers import AudioSocketPeer, TwilioPeer

QUESTIONS = {
    "en": ["What payment methods do you accept?", "How long does delivery take?", "Can I get an invoice?",
           "I forgot my password."],
    "zh": ["你们支持哪些付款方式？", "送货需要几天？", "能开发票吗？", "我忘记密码了。"],
}


def _free_port(kind: int) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(settings, services):
    import uvicorn

    from voicedesk.build import build_app

    settings = settings.model_copy(deep=True)
    settings.server.audiosocket_port = _free_port(socket.SOCK_STREAM)
    app = build_app(settings, services)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws_max_size=1 << 20))
    threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}", settings


def utterances(voice, rate: int) -> dict[str, list[tuple[np.ndarray, int]]]:
    """(audio at `rate` with 0.3 s of silence after, the sample where speech ends) per question."""
    out: dict[str, list[tuple[np.ndarray, int]]] = {}
    for language, texts in QUESTIONS.items():
        out[language] = []
        for text in texts:
            chunks = list(voice.stream(text, language))
            pcm = resample(np.concatenate([c.pcm for c in chunks]), chunks[0].sample_rate, rate)
            end = len(pcm) - int(np.argmax(np.abs(pcm[::-1]) > 0.02))
            out[language].append((np.concatenate([pcm, np.zeros(int(rate * 0.3), np.float32)]), end))
    return out


async def converse(peer, audio: list[tuple[np.ndarray, int]], rate: int) -> list[float]:
    """Ask each question once the previous answer has played; voice-to-voice seconds per answer."""
    await peer.connect()
    await peer.wait_reply()  # the greeting
    latencies = []
    for pcm, speech_end in audio:
        started = time.monotonic()
        await peer.say(pcm)
        spoke_until = started + speech_end / rate
        if not await peer.wait_reply(timeout=30):
            break
        first = next((t for t in peer.heard.received_at if t > spoke_until), None)
        if first is not None:
            latencies.append(first - spoke_until)
    await peer.hang_up()
    return latencies


async def browser_converse(base: str, token: str, audio: list[tuple[np.ndarray, int]]) -> list[float]:
    """The browser page's protocol: a per-call token bought with the talk token, then PCM16 16 kHz frames up,
    PCM16 frames and JSON events down."""
    import httpx

    url = base.replace("http", "ws", 1) + "/ws/browser?language="
    call_token = httpx.post(base + "/api/call-tokens", headers={"Authorization": f"Bearer {token}"}).json()["token"]
    received: list[float] = []
    latencies = []
    async with websockets.connect(url, max_size=1 << 20,
                                  subprotocols=["voicedesk", f"voicedesk.token.{call_token}"]) as ws:
        stop = asyncio.Event()
        outgoing: list[bytes] = []

        async def pace() -> None:
            silence = bytes(640)
            while not stop.is_set():
                await ws.send(outgoing.pop(0) if outgoing else silence)
                await asyncio.sleep(0.02)

        async def listen() -> None:
            async for message in ws:
                if isinstance(message, bytes):
                    received.append(time.monotonic())

        tasks = [asyncio.create_task(pace()), asyncio.create_task(listen())]

        async def quiet(after: float) -> None:
            while not received or received[-1] < after or time.monotonic() - received[-1] < 1.5:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(quiet(0), 30)
        for pcm, speech_end in audio:
            frames = (np.clip(pcm * 32768, -32768, 32767).astype("<i2")).tobytes()
            started = time.monotonic()
            outgoing.extend(frames[i:i + 640] for i in range(0, len(frames), 640))
            spoke_until = started + speech_end / 16000
            await asyncio.wait_for(quiet(spoke_until), 60)  # a long reply (policy text) plays ~15 s
            first = next((t for t in received if t > spoke_until), None)
            if first is not None:
                latencies.append(first - spoke_until)
        stop.set()
        for t in tasks:
            t.cancel()
    return latencies


def per_channel(base: str, settings, voice, rounds: int, channels=("twilio", "audiosocket", "browser")) -> dict:
    """Voice-to-voice per channel (both languages pooled), and per channel and language ("twilio en")."""
    phone, wide = utterances(voice, 8000), utterances(voice, 16000)
    result = {}
    for channel in channels:
        values: dict[str, list[float]] = {"en": [], "zh": []}
        first: list[float] = []  # each call's first answer (the greeting has just played)
        for _ in range(rounds):
            for language in ("en", "zh"):
                if channel == "twilio":
                    peer = TwilioPeer(base, settings.server.twilio_auth_token, language=language)
                    call = asyncio.run(converse(peer, phone[language], 8000))
                elif channel == "audiosocket":
                    call = asyncio.run(converse(
                        AudioSocketPeer("127.0.0.1", settings.server.audiosocket_port), phone[language], 8000))
                else:
                    call = asyncio.run(browser_converse(base, settings.server.api_token, wide[language]))
                values[language] += call
                first += call[:1]
        result[channel] = stats(values["en"] + values["zh"])
        for language in ("en", "zh"):
            result[f"{channel} {language}"] = stats(values[language])
        result[f"{channel} first turn"] = stats(first)
        print(f"{channel}: voice-to-voice {result[channel]}", flush=True)
    return result


STAGES = ("endpoint", "asr", "understand", "action", "first_token", "first_sentence", "tts_first", "first_audio",
          "voice_to_voice")


def stages(records_url: str) -> dict:
    """Where the time goes, per language, from the server's own turn records (voice/records.py): each stage's
    median in ms. `endpoint` is the silence waited after the caller's last word; the rest count from the end of
    the turn (`first_audio`: the first reply frame handed to the line)."""
    import json

    from sqlalchemy import select

    from voice.records import CallRecords, turns

    with CallRecords(records_url).engine.connect() as db:
        rows = [json.loads(r) for (r,) in db.execute(select(turns.c.record))]
    out: dict[str, dict] = {}
    for language in ("en", "zh"):
        ours = [r["latency_ms"] for r in rows if r.get("language") == language and not r.get("typed")]
        out[language] = {"n": len(ours)} | {
            k: float(np.median(v)) if (v := [x[k] for x in ours if x.get(k) is not None]) else None for k in STAGES}
    return out


def concurrency(base: str, settings, voice, max_calls: int) -> list[dict]:
    """k callers at once, each asking the English questions: does the reply still come in time?"""
    phone = utterances(voice, 8000)["en"]
    rows = []
    for k in range(1, max_calls + 1):
        async def run(k: int = k) -> list[list[float]]:
            peers = [TwilioPeer(base, settings.server.twilio_auth_token, language="en") for _ in range(k)]
            return await asyncio.gather(*(converse(p, phone, 8000) for p in peers))

        started = time.monotonic()
        per_call = asyncio.run(run())
        values = [v for call in per_call for v in call]
        rows.append({"calls": k, "voice_to_voice_s": stats(values), "answered": len(values),
                     "asked": k * len(phone), "wall_s": round(time.monotonic() - started, 1)})
        print(f"{k} concurrent calls: {rows[-1]}", flush=True)
    return rows


def long_call(services, minutes: float) -> dict:
    """One call of `minutes` of stream time (fast: computing takes no stream time): a question every 30 s.
    RSS is sampled each simulated minute; the growth is the slope after the first five minutes."""
    from voice.local import Driver, MemoryChannel
    from voice.session import CallSession, SessionOptions

    class Discard(MemoryChannel):  # a long call must not grow the bench's own buffers
        async def send_audio(self, pcm16: bytes) -> None:
            pass

        async def send_event(self, event: dict) -> None:
            pass

    phone = [pcm for pcm, _ in utterances(services.voice, 8000)["en"]]
    process = psutil.Process()
    samples: list[tuple[float, float]] = []

    async def run() -> None:
        channel = Discard(sample_rate=8000)
        session = CallSession(services, channel, options=SessionOptions(realtime=False, language="en",
                                                                       reprompt_after_s=1e9))
        await session.start()
        driver = Driver(session)
        await driver.settle()
        minute = 8000 * 60
        while session.clock < minutes * minute:
            await driver.turn(phone[len(session.turns) % len(phone)])
            silence = np.zeros(8000 * 30 - session.clock % (8000 * 30), np.float32)
            await driver.feed(silence)
            gc.collect()
            samples.append((session.clock / minute, process.memory_info().rss / 2**20))
        await session.close("bench over")

    asyncio.run(run())
    return long_call_summary(minutes, [(round(m, 1), round(r, 1)) for m, r in samples])


def long_call_summary(minutes: float, samples: list[tuple[float, float]]) -> dict:
    """RSS at a few points, and the slope over the second half of the call (allocator arenas settle in the
    first; a leak would show as a slope there)."""
    half = [(m, r) for m, r in samples if m >= minutes / 2]
    slope = float(np.polyfit([m for m, _ in half], [r for _, r in half], 1)[0]) if len(half) > 2 else 0.0
    at = {f"min_{p}": next((r for m, r in samples if m >= p), samples[-1][1]) for p in (1, 5, 10, 20, 30)
          if p <= minutes}
    return {"minutes": minutes, "turns": len(samples), "rss_mib": at, "rss_mib_end": samples[-1][1],
            "growth_mib_per_10_min_second_half": round(slope * 10, 2), "rss_by_minute": samples}


def memory_per_call(services, calls: int = 4) -> dict:
    """Memory a call adds (its recogniser, buffers, records), with the models shared: Python allocations traced
    by tracemalloc while `calls` calls are held open, each after a minute of audio and one turn."""
    import tracemalloc

    from voice.local import Driver, MemoryChannel
    from voice.session import CallSession, SessionOptions

    phone = utterances(services.voice, 8000)["en"][0][0]

    async def run() -> float:
        sessions = []
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(calls):
            session = CallSession(services, MemoryChannel(sample_rate=8000),
                                  options=SessionOptions(realtime=False, greeting=False, language="en"))
            await session.start()
            driver = Driver(session)
            await driver.turn(phone)
            await driver.feed(np.zeros(8000 * 60, np.float32))
            sessions.append(session)
        gc.collect()
        added = (tracemalloc.get_traced_memory()[0] - before) / 2**20 / calls
        tracemalloc.stop()
        for session in sessions:
            await session.close("bench over")
        return added

    return {"calls": calls, "mib_per_call": round(asyncio.run(run()), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and a 10-minute long call")
    parser.add_argument("--voice-only", action="store_true",
                        help="voice-to-voice over Twilio only, per language (bench/results/calls-voice.*)")
    parser.add_argument("--rounds", type=int, default=None, help="times each caller asks their questions")
    args = parser.parse_args()
    from voice.replay.runner import scratch_shop
    from voicedesk.build import build_services
    from voicedesk.settings import Settings

    folder = Path(tempfile.mkdtemp(prefix="voicedesk-bench-"))
    try:
        settings = Settings()
        settings.calls.records_url, settings.calls.max_calls = f"sqlite:///{folder / 'calls.db'}", 8
        settings.server.api_token = settings.server.twilio_auth_token = "bench"
        services = build_services(settings, shop_url=scratch_shop(folder))
        server, base, settings = start_server(settings, services)
        if args.voice_only:
            turn = settings.session
            result = {"machine": machine(), "cpu_threads": os.cpu_count(), "load_before": os.getloadavg()[0],
                      "early_replies": turn.early_replies, "audio_end_of_turn_model": turn.turn.audio_model,
                      "voice_to_voice_s": per_channel(base, settings, services.voice, args.rounds or 3, ("twilio",)),
                      "load_after": os.getloadavg()[0], "stages_ms": stages(settings.calls.records_url)}
            server.should_exit = True
            write("calls-voice", result, voice_markdown(result))
            return
        rounds = args.rounds or (1 if args.quick else 2)
        result = {"machine": machine(), "cpu_threads": os.cpu_count(),
                  "voice_to_voice_s": per_channel(base, settings, services.voice, rounds),
                  "concurrent": concurrency(base, settings, services.voice, 3 if args.quick else 4)}
        server.should_exit = True
        result["memory_per_call"] = memory_per_call(services)
        result["long_call"] = long_call(services, 10 if args.quick else 30)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    write("calls", result, markdown(result))


def _ms(v: dict) -> str:
    """Median / p90 in ms and the count, from `stats`."""
    return f"{v['median'] * 1000:.0f} / {v['p90'] * 1000:.0f} (n={v['n']})" if v.get("n") else "n/a"


def voice_markdown(r: dict) -> str:
    lines = [f"Machine: {r['machine']}; load average {r['load_before']:.1f} before, {r['load_after']:.1f} after.",
             f"Early replies: {r['early_replies']}; audio end-of-turn model: {r['audio_end_of_turn_model']}.", "",
             "| Twilio | voice-to-voice ms, median / p90 |", "|---|---|"]
    lines += [f"| {k} | {_ms(v)} |" for k, v in r["voice_to_voice_s"].items()]
    lines += ["", "Stage medians from the server's turn records (caller turns), ms:", "",
              "| language | turns | " + " | ".join(STAGES) + " |", "|---|---|" + "---|" * len(STAGES)]
    for language, v in r.get("stages_ms", {}).items():
        cells = ["-" if v[k] is None else f"{v[k]:.0f}" for k in STAGES]
        lines.append(f"| {language} | {v['n']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def markdown(r: dict) -> str:
    lines = [f"Machine: {r['machine']}", "", "| channel | voice-to-voice ms, median / p90 |", "|---|---|"]
    lines += [f"| {k} | {_ms(v)} |" for k, v in r["voice_to_voice_s"].items()]
    lines += ["", "| calls at once (Twilio) | voice-to-voice ms, median / p90 | answered |", "|---|---|---|"]
    lines += [f"| {c['calls']} | {_ms(c['voice_to_voice_s'])} | {c['answered']}/{c['asked']} |"
              for c in r["concurrent"]]
    m, lc = r["memory_per_call"], r["long_call"]
    lines += ["", f"Memory per open call: {m['mib_per_call']} MiB of Python allocations (tracemalloc, {m['calls']} "
              "calls held open, models shared; the MemoryChannel keeps each call's audio).",
              f"A {lc['minutes']:.0f}-minute call ({lc['turns']} turns, a question every 30 s, stream time): RSS MiB "
              + ", ".join(f"{k.replace('min_', 'minute ')}: {v:.0f}" for k, v in lc["rss_mib"].items())
              + f"; growth over the second half: {lc['growth_mib_per_10_min_second_half']} MiB per 10 minutes.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
