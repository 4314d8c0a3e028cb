"""Long audio is decoded in windows cut only at pauses; a stretch with no pause overlaps and its seam is merged."""

from __future__ import annotations

import numpy as np
import pytest

from speech.asr.base import Segment
from speech.asr.seams import splice
from speech.asr.whisper import plan_windows

FRAME = 0.032


def probabilities(speech: list[tuple[float, float]], duration: float) -> np.ndarray:
    t = np.arange(int(duration / FRAME)) * FRAME
    p = np.full(len(t), 0.02, np.float32)
    for start, end in speech:
        p[(t >= start) & (t < end)] = 0.95
    return p


def covered(windows: list[tuple[float, float]], start: float, end: float) -> bool:
    """Every moment of [start, end] lies in some window."""
    points = np.arange(start, end, 0.01)
    return all(any(a <= x <= b for a, b in windows) for x in points)


def test_a_long_stretch_is_cut_in_its_pauses_not_in_words():
    # 20 s of speech with short pauses at 6.0-6.3 s and 13.0-13.4 s, as a menu prompt reads
    speech = [(0.5, 6.0), (6.3, 13.0), (13.4, 20.0)]
    windows = plan_windows([(0.3, 20.2)], 8.0, probabilities(speech, 20.5))
    assert len(windows) == 3 and all(b - a <= 8.0 for a, b in windows)
    cuts = [b for _, b in windows[:-1]]
    assert 6.0 <= cuts[0] <= 6.3 and 13.0 <= cuts[1] <= 13.4
    assert covered(windows, 0.3, 20.2)


def test_speech_with_no_pause_is_decoded_with_overlap():
    windows = plan_windows([(0.0, 20.0)], 8.0, probabilities([(0.0, 20.0)], 20.0), overlap_s=2.0)
    assert all(b - a <= 8.0 for a, b in windows)
    assert all(nxt[0] == pytest.approx(prev[1] - 2.0) for prev, nxt in zip(windows, windows[1:], strict=False))
    assert covered(windows, 0.0, 20.0)


def test_nothing_between_two_nearby_regions_is_left_out():
    """The VAD heard speech at 0.5-5.5 s and 8.1-12 s: a quiet word between them is still decoded."""
    windows = plan_windows([(0.5, 5.5), (6.1, 12.0)], 16.0, probabilities([(0.5, 5.5), (6.1, 12.0)], 12.5))
    assert covered(windows, 0.5, 12.0)
    far_apart = plan_windows([(0.5, 2.0), (10.0, 12.0)], 16.0)
    assert far_apart == [(0.2, 2.0), (9.7, 12.0)]  # seconds of silence are skipped; a soft onset is not


def test_the_seam_keeps_each_word_once():
    first = [Segment(0.0, 4.0, "Press 1 to record your unavailable message,"),
             Segment(4.0, 8.0, "press 2 to record your busy")]
    second = [Segment(6.0, 9.5, "to record your busy message, press 3 to record your name.")]
    merged = " ".join(s.text for s in splice(first, second, (6.0, 8.0)))
    assert merged == ("Press 1 to record your unavailable message, "
                      "press 2 to record your busy message, press 3 to record your name.")


def test_the_seam_in_mandarin_compares_characters():
    first = [Segment(0.0, 8.0, "我想查一下我的订单什么时候")]
    second = [Segment(6.0, 12.0, "订单什么时候能送到")]
    assert "".join(s.text for s in splice(first, second, (6.0, 8.0))) == "我想查一下我的订单什么时候能送到"


def test_a_seam_the_windows_disagree_on_falls_in_the_middle_by_time():
    first = [Segment(0.0, 3.0, "one two three"), Segment(3.0, 7.9, "four five")]
    second = [Segment(6.0, 6.8, "fife"), Segment(7.2, 10.0, "six seven")]
    merged = [s.text for s in splice(first, second, (6.0, 8.0))]
    assert merged == ["one two three", "four five", "six seven"]


class EndsEarly:
    """A decoder that, like Whisper on long real prompts, sometimes stops before the audio does: the first
    decode of a window hears only its first 6 s; decoding from later on hears the rest."""

    def __init__(self, head: tuple[str, str], seam: str, tail: str) -> None:
        from speech.asr.whisper import DecodeOptions

        self.options, self.head, self.seam, self.tail, self.calls = DecodeOptions(), head, seam, tail, []

    def decode(self, pcm: np.ndarray, language: str | None, **_):
        from speech.asr.whisper import Decoded

        seconds = len(pcm) / 16000
        self.calls.append(seconds)
        if len(self.calls) == 1:
            segments = [Segment(0.0, 3.0, self.head[0]), Segment(3.0, 6.0, self.head[1])]
        else:  # started 2 s before the first decode's last stamp
            segments = [Segment(0.0, 1.0, self.seam), Segment(1.0, seconds, self.tail)]
        return Decoded(" ".join(s.text for s in segments), [], -0.2, 0.01, 1.2, segments), language or "en"


EN = (("Press 4 for the previous message.", "Press 0 to"), "press 0 to", "reach an operator.")
ZH = (("您的订单已经发货，", "如需帮助请按"), "帮助请按", "零转人工客服。")


@pytest.mark.parametrize("language,said", [("en", EN), ("zh", ZH)])
def test_speech_after_a_text_that_ended_early_is_decoded_again(language, said):
    from speech.asr.whisper import WhisperTranscriber

    engine = EndsEarly(*said)
    transcriber = WhisperTranscriber(engine)
    pcm = np.zeros(16000 * 9, np.float32)
    heard, _ = transcriber._decode_window(pcm, 0.0, 9.0, language, probabilities([(0.2, 8.8)], 9.0))
    assert engine.calls == [9.0, 5.0]  # the rest again, from 2 s before the last segment's end (6 s)
    assert [s.text for s in heard][-1] == said[2]
    glue = "" if language == "zh" else " "
    assert glue.join(s.text for s in heard) == glue.join([*said[0], said[2]])  # the seam heard twice, kept once


def test_a_window_whose_text_reaches_its_speech_is_decoded_once():
    from speech.asr.whisper import WhisperTranscriber

    engine = EndsEarly(*EN)
    transcriber = WhisperTranscriber(engine)
    pcm = np.zeros(16000 * 9, np.float32)
    transcriber._decode_window(pcm, 0.0, 9.0, "en", probabilities([(0.2, 6.5)], 9.0))  # silence after 6.5 s
    assert engine.calls == [9.0]
