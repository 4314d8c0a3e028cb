"""Live transcription: partials that only grow, finals at end of turn, both languages, 8 and 16 kHz."""

import threading
import time

import numpy as np
import pytest

from speech import smart_turn
from speech.asr.streaming import LiveTranscriber, agreed_prefix, units
from speech.scoring import error_rate
from speech.turn import EndOfTurnDetector, TurnOptions
from tests.conftest import manifest, sample_pcm, silence


def run_live(engine, pcm: np.ndarray, language: str | None, rate: int = 16000, realtime: bool = False,
             turn: EndOfTurnDetector | None = None):
    events = []
    live = LiveTranscriber(engine, events.append, language=language, sample_rate=rate, realtime=realtime,
                           turn=turn)
    frame = rate // 50
    started = time.monotonic()
    for i in range(0, len(pcm), frame):
        live.feed(pcm[i:i + frame])
        if realtime:
            time.sleep(max(0.0, started + (i + frame) / rate - time.monotonic()))
    live.close()
    return events


def turns(events):
    """Split events into turns, each ending with its final."""
    out, current = [], []
    for e in events:
        current.append(e)
        if e.kind == "final":
            out.append(current)
            current = []
    return out


@pytest.mark.parametrize("language", ["en", "zh"])
def test_partials_stabilise_into_the_final(engine, language):
    a, b = manifest(language)[3], manifest(language)[7]
    pcm = np.concatenate([silence(0.5), sample_pcm(a), silence(1.5), sample_pcm(b), silence(1.5)])
    events = run_live(engine, pcm, language)
    got = turns(events)
    assert len(got) == 2
    for turn, item in zip(got, (a, b), strict=True):
        assert turn[0].kind == "speech_start"
        partials = [e for e in turn if e.kind == "partial"]
        final = turn[-1]
        assert partials, "no partial while the caller talked"
        committed = [units(p.stable) for p in partials]  # the final is decoded afresh and may correct them
        for earlier, later in zip(committed, committed[1:], strict=False):
            assert agreed_prefix(earlier, later) == later[: len(earlier)], "committed words were revised"
        assert error_rate([item["text"]], [final.text], language) <= 0.2
        assert final.speech_end_t is not None and final.transcript.language == language


@pytest.mark.parametrize("language", ["en", "zh"])
def test_phone_line_audio_at_8k(engine, language):
    item = manifest(language)[8]  # recorded as 8 kHz G.711 mu-law
    assert item["channel"] == "phone-8k-mulaw"
    pcm = np.concatenate([silence(0.3, 8000), sample_pcm(item, 8000), silence(1.5, 8000)])
    finals = [e for e in run_live(engine, pcm, language, rate=8000) if e.kind == "final"]
    assert len(finals) == 1
    assert error_rate([item["text"]], [finals[0].text], language) <= 0.2


def test_real_time_run_reports_the_final_with_its_timing(engine):
    item = manifest("zh")[5]
    pcm = np.concatenate([silence(0.3), sample_pcm(item), silence(1.2)])
    events = run_live(engine, pcm, "zh", realtime=True)
    finals = [e for e in events if e.kind == "final"]
    assert len(finals) == 1 and finals[0].asr_s > 0
    assert error_rate([item["text"]], [finals[0].text], "zh") <= 0.2
    ends = [e for e in events if e.kind == "speech_end"]
    assert ends and finals[0].wall_t >= ends[-1].wall_t


def test_silence_gives_no_turn(engine):
    assert run_live(engine, silence(3), "en") == []


@pytest.mark.parametrize("full_window", [False, True])
def test_live_finals_use_the_trimmed_encoder_unless_told(engine, monkeypatch, full_window):
    """The turn ends ~200 ms after the caller stops: a 30 s-window final (~0.9 s on two cores) would hold the
    reply back, so live finals are encoded on the audio + pad; files keep the whole window (engine default)."""
    from speech.asr.streaming import StreamingOptions

    whole_window = {"partial": set(), "final": set()}  # was each decode on Whisper's whole 30 s window?
    real_decode = engine.decode

    def spy(pcm, language, *, prefix="", beam_size=None, full_window=None, hints=None):
        kind = "partial" if beam_size == 1 else "final"  # partials decode greedily, finals with the beam
        whole_window[kind].add(engine.options.full_window if full_window is None else full_window)
        return real_decode(pcm, language, prefix=prefix, beam_size=beam_size, full_window=full_window, hints=hints)

    monkeypatch.setattr(engine, "decode", spy)
    item = manifest("en")[6]
    pcm = np.concatenate([silence(0.3), sample_pcm(item), silence(1.5)])
    events = []
    live = LiveTranscriber(engine, events.append, language="en", realtime=False,
                           options=StreamingOptions(final_full_window=full_window))
    for i in range(0, len(pcm), 320):
        live.feed(pcm[i:i + 320])
    live.close()
    finals = [e for e in events if e.kind == "final"]
    assert len(finals) == 1 and error_rate([item["text"]], [finals[0].text], "en") <= 0.2
    assert whole_window["final"] == {full_window} and whole_window["partial"] <= {False}
    assert engine.options.full_window  # files (`transcribe`) keep Whisper's whole window

class _Spy:
    """The end-of-turn model a test gives the transcriber (the real Smart Turn unless a probability is fixed),
    noting the thread each call ran on."""

    def __init__(self, fixed: float | None = None, fail: bool = False):
        self.model = smart_turn.shared_model() if fixed is None else None
        self.fixed, self.fail, self.threads = fixed, fail, []

    def probability(self, pcm):
        self.threads.append(threading.current_thread().name)
        if self.fail:
            raise RuntimeError("model exploded")
        return self.fixed if self.model is None else self.model.probability(pcm)


def _finals(engine, language, realtime, spy, tail_s=2.5, options=None):
    """The finals of one sample recording (a model that hears "complete" may end it at an inner pause)."""
    item = manifest(language)[5]
    pcm = np.concatenate([silence(0.3), sample_pcm(item), silence(tail_s)])
    turn = EndOfTurnDetector(options, model=spy)
    finals = [e for e in run_live(engine, pcm, language, realtime=realtime, turn=turn) if e.kind == "final"]
    heard = " ".join(f.text for f in finals) if language == "en" else "".join(f.text for f in finals)
    assert finals and error_rate([item["text"]], [heard], language) <= 0.2
    return finals


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("realtime", [False, True])
def test_the_audio_model_decides_the_turn_and_its_verdict_rides_on_the_final(engine, language, realtime):
    """The real Smart Turn hears the pause; live, it runs on its own thread, never on the audio path. How often
    it is right is the bench's business (bench/turn.py): here, that the turn ended by its verdict, on time."""
    spy = _Spy()
    for final in _finals(engine, language, realtime, spy):
        verdict = final.verdict
        assert verdict is not None and verdict.model_calls >= 1 and verdict.probability is not None
        waited = final.turn_end_t - final.speech_end_t  # stream seconds
        if verdict.rule == "complete":  # at the score that said so (replayed, the stream waits for the model)
            assert verdict.probability > 0.7 and verdict.scored_at_s <= waited < 2.0
            assert realtime or waited <= verdict.scored_at_s + 0.021
        else:
            assert verdict.rule == "timeout" and waited >= 2.0
    assert set(spy.threads) == ({"end-of-turn"} if realtime else {"MainThread"})


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("realtime", [False, True])
def test_complete_ends_the_turn_at_a_short_silence_and_incomplete_waits(engine, language, realtime):
    # "complete" also needs the words; live, the stream runs on while they are decoded (how long is the bench's
    # business), so the longest wait is set beyond any decode here
    patient = TurnOptions(incomplete_silence_s=30.0)
    for final in _finals(engine, language, realtime, _Spy(fixed=0.95), tail_s=8.0, options=patient):
        assert final.verdict.rule == "complete"
        assert realtime or final.turn_end_t - final.speech_end_t <= 0.2 + 0.021  # the words alone wait 0.55 s
    (final,) = _finals(engine, language, realtime, _Spy(fixed=0.05))  # the sample's inner pauses are shorter
    assert final.verdict.rule == "timeout" and final.turn_end_t - final.speech_end_t >= 2.0


@pytest.mark.parametrize("realtime", [False, True])
def test_a_failing_audio_model_leaves_the_turn_to_the_words(engine, realtime, caplog):
    for final in _finals(engine, "en", realtime, _Spy(fail=True), tail_s=2.0):
        assert final.verdict.rule in ("finished-words", "max-silence")
        assert final.turn_end_t - final.speech_end_t >= 0.55
    assert [r for r in caplog.records if "end-of-turn model failed" in r.getMessage()]
