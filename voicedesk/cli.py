"""`voicedesk`: the command line. Every failure is one line on stderr and a non-zero exit."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from voicedesk.settings import Settings, SettingsError, load

log = logging.getLogger("voicedesk")


class UsageError(Exception):
    """Bad arguments found after parsing (missing file, wrong combination)."""


def settings_with(args: argparse.Namespace) -> Settings:
    """The settings tree from the environment, with what the command line says on top."""
    settings = load()
    if getattr(args, "llm", None):
        settings.llm.backend = args.llm
    if getattr(args, "llm_model", None):
        settings.llm.server_model = args.llm_model
    if getattr(args, "adapter", None):
        settings.llm.adapter = args.adapter
    return settings


def _language(value: str) -> str | None:
    return None if value == "auto" else value


def cmd_transcribe(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from speech.asr import make_transcriber
    from speech.audio import AudioError, read_audio

    transcriber = make_transcriber(args.backend, args.threads, args.beam_size)
    failures = 0
    for file in args.files:
        started = time.monotonic()
        try:
            audio = read_audio(file)
        except AudioError as e:
            print(f"error: {e}", file=sys.stderr)
            failures += 1
            continue
        bar = tqdm(total=round(audio.duration_s, 1), unit="s", desc=Path(file).name, leave=False,
                   disable=audio.duration_s < 60 or not sys.stderr.isatty() and not args.progress)

        def progress(done: float, total: float, bar: tqdm = bar) -> None:
            bar.update(round(done, 1) - bar.n)

        kwargs = {"progress": progress} if hasattr(transcriber, "engine") else {}
        t = transcriber.transcribe(audio.pcm, _language(args.language), **kwargs)
        bar.close()
        elapsed = time.monotonic() - started
        if args.json:
            print(json.dumps({
                "file": file, "text": t.text, "language": t.language, "duration_s": round(t.duration_s, 3),
                "processing_s": round(elapsed, 3),
                "segments": [{"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text} for s in t.segments],
            }, ensure_ascii=False), flush=True)
        else:
            print(f"{file}\t[{t.language}] {t.text}", flush=True)
    return 1 if failures else 0


def cmd_say(args: argparse.Namespace) -> int:
    import numpy as np

    from speech.audio import write_wav
    from speech.tts import BilingualVoice

    text = args.text.strip()
    if not text:
        raise UsageError("nothing to say: TEXT is empty")
    language = args.language or ("zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en")
    chunks = list(BilingualVoice().stream(text, language))
    if not chunks:
        raise UsageError(f"nothing to say: {text!r} has no words")
    rate = chunks[0].sample_rate
    gap = np.zeros(int(rate * 0.15), np.float32)
    pcm = np.concatenate([p for c in chunks for p in (c.pcm, gap)])
    write_wav(args.output, pcm, rate)
    print(f"{args.output}: {len(pcm) / rate:.1f} s of {language} speech, {len(chunks)} sentence(s)")
    return 0


def cmd_listen(args: argparse.Namespace) -> int:
    import numpy as np

    from speech.asr.streaming import AsrEvent, LiveTranscriber
    from speech.asr.whisper import DecodeOptions, WhisperEngine
    from speech.audio import read_audio, resample

    audio = read_audio(args.file, sample_rate=None)  # phone-rate audio stays at 8 kHz, as a line delivers it
    rate = audio.sample_rate if audio.sample_rate in (8000, 16000) else 16000
    pcm = resample(audio.pcm, audio.sample_rate, rate)
    engine = WhisperEngine(threads=args.threads, options=DecodeOptions(beam_size=args.beam_size))
    started = time.monotonic()

    def show(e: AsrEvent) -> None:
        stamp = f"{e.audio_t:7.2f}s"
        if e.kind == "partial":
            unstable = e.text[len(e.stable):].strip()
            print(f"{stamp} partial  {e.stable}" + (f" [{unstable}]" if unstable else ""))
        elif e.kind == "final":
            lag = (e.wall_t - started) - (e.speech_end_t or 0) if not args.fast else e.asr_s
            print(f"{stamp} FINAL    {e.text}   ({'decode' if args.fast else 'after speech end'} {lag * 1000:.0f} ms)")
        elif e.kind != "draft":
            print(f"{stamp} {e.kind.replace('_', ' ')}")
        sys.stdout.flush()

    live = LiveTranscriber(engine, show, language=_language(args.language), sample_rate=rate, realtime=not args.fast)
    frame = rate // 50  # 20 ms, as a phone line delivers it
    tail = np.zeros(rate, np.float32)  # a second of silence, so the last turn can end
    stream = np.concatenate([pcm, tail])
    for i in range(0, len(stream), frame):
        live.feed(stream[i:i + frame])
        if not args.fast:
            time.sleep(max(0.0, started + (i + frame) / rate - time.monotonic()))
    live.close()
    return 0


def cmd_understand(args: argparse.Namespace) -> int:
    from dialog.nlu.understander import Understander

    if args.input:
        texts = [line.strip() for line in Path(args.input).read_text(encoding="utf-8").splitlines() if line.strip()]
    elif args.text:
        texts = [args.text]
    else:
        raise UsageError("give TEXT or --input FILE")
    understander = Understander()
    for text in texts:
        u = understander.understand(text, _language(args.language))
        row = {"text": u.text, "language": u.language, "intent": u.intent, "confidence": u.confidence,
               "slots": {k: v for k, v in vars(u.slots).items() if v is not None},
               "sentiment": {"label": u.sentiment.label, "score": round(u.sentiment.score, 3)}}
        if u.clarify:
            row["clarify"] = u.clarify
        if args.json:
            print(json.dumps(row, ensure_ascii=False), flush=True)
        else:
            slots = " ".join(f"{k}={v}" for k, v in row["slots"].items())
            print(f"[{u.language}] {u.intent} ({u.confidence:.2f}) {slots} mood={u.sentiment.label}"
                  f"({u.sentiment.score:+.2f})  {u.text}")
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    import uuid

    from dialog.types import CallerTurn
    from voicedesk.build import build_agent

    agent = build_agent(settings_with(args))
    call = agent.start_call(uuid.uuid4().hex[:8], caller_id=args.caller_id)
    if args.script:
        lines = [ln.strip() for ln in Path(args.script).read_text(encoding="utf-8").splitlines()]
        turns = [ln for ln in lines if ln and not ln.startswith("#")]
    else:
        print("Talk to the shop (Chinese or English); an empty line or Ctrl-D ends the call.")
        turns = None
    i = 0
    while True:
        if turns is not None:
            if i >= len(turns):
                break
            text = turns[i]
        else:
            try:
                text = input("you> ").strip()
            except EOFError:
                break
            if not text:
                break
        outcome = agent.turn(call, CallerTurn(text, turn_id=str(i)))
        if args.json:
            outcome.reply.text()
            print(json.dumps({"turn": i, **outcome.record()}, ensure_ascii=False), flush=True)
        else:
            if turns is not None:
                print(f"you> {text}")
            print("shop> ", end="", flush=True)
            for part in outcome.reply:
                print(part.text, end=" " if part.language == "en" else "", flush=True)
            r = outcome.record()
            print(f"\n      [{r['intent']} {r['confidence']:.2f} | {r['action']['name']} "
                  f"{'ok' if r['action']['ok'] else r['action']['reason']} | mood {r['mood']['call']:+.2f} "
                  f"| {r['reply_source']} {r['latency_ms']['first_sentence']:.0f} ms]")
        i += 1
        if call.state.handed_off and turns is None:
            print("(handed to a person: the call ends here)")
            break
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from dialog.train.__main__ import main as train_main

    return train_main(args.train_args)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from voicedesk.build import build_app

    settings = settings_with(args)
    server = settings.server
    for field, value in (("host", args.host), ("port", args.port), ("audiosocket_port", args.audiosocket_port)):
        if value is not None:
            setattr(server, field, value)
    if args.sip_port is not None:
        settings.sip.port = args.sip_port
    for name in ("voicedesk", "telephony"):  # a server says what happens to calls: one line each
        logging.getLogger(name).setLevel(logging.INFO)
    uvicorn.run(build_app(settings), host=server.host, port=server.port, log_level="info", ws_max_size=1 << 20)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import asyncio

    from voice.local import run_files, run_microphone
    from voicedesk.build import build_services

    settings = settings_with(args)
    language = None if args.language == "auto" else args.language
    if bool(args.input) != bool(args.output):
        raise UsageError("--input and --output go together")
    if not args.input:
        import sounddevice as sd

        try:
            sd.check_input_settings(channels=1, samplerate=16000, dtype="int16")
            sd.check_output_settings(channels=1, samplerate=16000, dtype="int16")
        except Exception as e:  # noqa: BLE001 - PortAudio says many things; the user needs one line
            print(f"no audio device ({e}); run the same call on files: voicedesk demo --input CALLER.wav "
                  "--output REPLY.wav", file=sys.stderr)
            return 2
    services = build_services(settings)
    if args.input:
        session = asyncio.run(run_files(services, args.input, args.output, realtime=args.realtime,
                                        caller_id=args.caller_id, language=language, options=settings.session))
        print(f"{len(session.turns)} turn(s); what the caller heard: {args.output}")
    else:
        asyncio.run(run_microphone(services, caller_id=args.caller_id, language=language, options=settings.session))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    import asyncio
    import tempfile

    from tqdm import tqdm

    from voice.replay.report import write_report
    from voice.replay.runner import replay_call, scratch_shop
    from voice.replay.scenario import ScenarioError, find_calls
    from voice.replay.score import summarize
    from voicedesk.build import build_services

    try:
        calls = find_calls(args.paths)
    except ScenarioError as e:
        raise UsageError(str(e)) from None
    report = Path(args.report)
    settings = settings_with(args)
    if args.rescore:
        return _rescore(args, calls, report)
    with tempfile.TemporaryDirectory(prefix="voicedesk-replay-") as scratch:
        settings.calls.records_url = f"sqlite:///{Path(scratch) / 'calls.db'}"
        services = build_services(settings, shop_url=scratch_shop(Path(scratch)))
        bar = tqdm(total=sum(len(c.turns) for c in calls), unit="turn", desc="replaying", disable=args.quiet)
        results = []

        async def run() -> None:
            for call in calls:
                bar.set_postfix_str(call.id)
                results.append(await replay_call(services, call, fast=args.fast, audio_dir=report / "audio",
                                                 on_turn=lambda: bar.update(1), session=settings.session))

        asyncio.run(run())
        bar.close()
    write_report(report, summarize(results), results, {"fast": args.fast, "llm": settings.llm.backend,
                                                       "paths": [str(p) for p in args.paths]})
    return _print_replay(args, results, report)


def _rescore(args: argparse.Namespace, calls: list, report: Path) -> int:
    """Score the replay stored in REPORT/report.json again, against the scenarios, with the current scoring."""
    from voice.replay.report import write_report
    from voice.replay.runner import rescore
    from voice.replay.score import summarize

    try:
        data = json.loads((report / "report.json").read_text(encoding="utf-8"))
        stored = {c["call"]: c for c in data["calls"]}
        results = [rescore(stored[call.id], call) for call in calls]
    except (OSError, ValueError, KeyError) as e:
        raise UsageError(f"cannot rescore {report / 'report.json'}: {type(e).__name__}: {e}") from None
    meta = {k: v for k, v in data.items() if k not in ("generated", "summary", "calls")}
    write_report(report, summarize(results), results, {**meta, "rescored": True})
    return _print_replay(args, results, report)


def _print_replay(args: argparse.Namespace, results: list[dict], report: Path) -> int:
    from voice.replay.report import summary_table
    from voice.replay.score import summarize

    summary = summarize(results)
    print(f"== {', '.join(map(str, args.paths))}: {len(results)} calls ==")
    print(summary_table(summary))
    print()
    for r in results:
        verdict = "task success" if r["score"]["task_success"] else "task FAILED"
        print(f"{r['call']}: {verdict}; what the caller heard: {report / r['audio']['assistant']}")
        for why in r["score"]["failed_because"] if args.why else []:
            print(f"    {why}")
    print(f"\nreport: {report / 'report.html'} (data: {report / 'report.json'})")
    if args.min_success is not None and summary["task_success"] < args.min_success:
        print(f"task success {summary['task_success']:.3f} is below --min-success {args.min_success}", file=sys.stderr)
        return 3
    return 0


def build_parser() -> argparse.ArgumentParser:
    s = load()
    p = argparse.ArgumentParser(prog="voicedesk", description="VoiceDesk: a voice customer-service assistant.")
    p.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    t = sub.add_parser("transcribe", help="transcribe audio files (wav, flac, mp3, ogg, raw PCM, G.711)")
    t.add_argument("files", nargs="+", metavar="FILE")
    t.add_argument("--language", choices=["zh", "en", "auto"], default=s.session.language or "auto")
    t.add_argument("--backend", choices=["faster-whisper", "openai-whisper"], default=s.asr.backend)
    t.add_argument("--beam-size", type=int, default=s.asr.beam_size)
    t.add_argument("--json", action="store_true", help="one JSON object per line")
    t.add_argument("--progress", action="store_true", help="show progress even when stderr is not a terminal")
    t.set_defaults(func=cmd_transcribe)

    y = sub.add_parser("say", help="speak TEXT into a WAV file")
    y.add_argument("text", metavar="TEXT")
    y.add_argument("--language", choices=["zh", "en"], help="default: guessed from the text")
    y.add_argument("-o", "--output", required=True, metavar="OUT.wav")
    y.set_defaults(func=cmd_say)

    li = sub.add_parser("listen", help="stream FILE through VAD and live ASR as if it were a call")
    li.add_argument("file", metavar="FILE")
    li.add_argument("--language", choices=["zh", "en", "auto"], default=s.session.language or "auto")
    li.add_argument("--beam-size", type=int, default=s.asr.beam_size)
    li.add_argument("--fast", action="store_true", help="as fast as possible instead of real time")
    li.set_defaults(func=cmd_listen)

    for command in (t, li):
        command.add_argument("--threads", type=int, default=s.asr.threads)

    u = sub.add_parser("understand", help="intent, slots and sentiment of caller text")
    u.add_argument("text", nargs="?", metavar="TEXT")
    u.add_argument("--input", metavar="FILE", help="one text a line")
    u.add_argument("--language", choices=["zh", "en", "auto"], default="auto")
    u.add_argument("--json", action="store_true", help="one JSON object per line")
    u.set_defaults(func=cmd_understand)

    c = sub.add_parser("chat", help="a text conversation with the shop")
    c.add_argument("--script", metavar="FILE", help="caller turns, one a line (# comments)")
    c.add_argument("--json", action="store_true", help="each turn as JSON: intent, action, facts, latency")
    c.add_argument("--caller-id", metavar="PHONE", help="the caller's number, as the phone line would give it")
    c.add_argument("--llm", default=s.llm.backend,
                   help="local (default), none (templates only), or an OpenAI-compatible URL")
    c.add_argument("--llm-model", default=s.llm.server_model, help="model name for an OpenAI-compatible server")
    c.add_argument("--adapter", default=s.llm.adapter, help="default (shipped LoRA), none, or a GGUF LoRA path")
    c.set_defaults(func=cmd_chat)

    sv = sub.add_parser("serve", help="the call server: Twilio, AudioSocket, SIP, the browser page, call records")
    sv.add_argument("--host")
    sv.add_argument("--port", type=int)
    sv.add_argument("--audiosocket-port", type=int, help="listen for Asterisk AudioSocket on this TCP port")
    sv.add_argument("--sip-port", type=int, help="answer SIP calls on this UDP port")
    sv.add_argument("--llm", help="local, none, or an OpenAI-compatible URL")
    sv.set_defaults(func=cmd_serve)

    d = sub.add_parser("demo", help="talk to VoiceDesk through the microphone, or run a call on files")
    d.add_argument("--input", metavar="CALLER.wav", help="the caller's audio (instead of the microphone)")
    d.add_argument("--output", metavar="REPLY.wav", help="what the caller would hear")
    d.add_argument("--realtime", action="store_true", help="with --input: at the pace of a real call")
    d.add_argument("--caller-id", metavar="PHONE")
    d.add_argument("--language", choices=["zh", "en", "auto"], default="auto")
    d.add_argument("--llm", help="local, none, or an OpenAI-compatible URL")
    d.set_defaults(func=cmd_demo)

    rp = sub.add_parser("replay", help="replay recorded calls through the call session; write a scored report")
    rp.add_argument("paths", nargs="+", metavar="PATH", help="a call folder, or a folder of them (samples/calls)")
    rp.add_argument("--report", required=True, metavar="DIR", help="where report.json, report.html and audio go")
    rp.add_argument("--fast", action="store_true", help="as fast as possible instead of real time")
    rp.add_argument("--min-success", type=float, metavar="X", help="exit 3 when task success is below X (0..1)")
    rp.add_argument("--llm", help="local, none, or an OpenAI-compatible URL")
    rp.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    rp.add_argument("--why", action="store_true", help="list why each failed call failed")
    rp.add_argument("--rescore", action="store_true", help="score the replay already in --report again (no replay)")
    rp.set_defaults(func=cmd_replay)

    tr = sub.add_parser("train", help="fine-tune the reply model (LoRA) and compare it with the base")
    tr.add_argument("train_args", nargs=argparse.REMAINDER, help="passed to `python -m dialog.train`")
    tr.set_defaults(func=cmd_train)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()  # its defaults come from the settings
    except SettingsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    from dialog.security import install_log_redaction

    install_log_redaction()  # no phone number, email, card or address in any log line
    from speech.audio import AudioError
    from speech.models import ModelError
    from voice.services import ServiceError

    try:
        return args.func(args)
    except (AudioError, ModelError, ServiceError, UsageError, SettingsError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
