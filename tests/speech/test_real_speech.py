"""Real human speech on the phone line: Asterisk's English prompts (Debian `asterisk-core-sounds-en-wav`,
a US voice recorded at 8 kHz, installed by `make setup`). Menus are long and read without a pause, the
kind of speech that lost words at window edges and whose repeated phrases fooled the loop filter."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from speech.asr.whisper import WhisperTranscriber
from speech.audio import read_audio
from speech.scoring import error_rate, normalize

SOUNDS = Path("/usr/share/asterisk/sounds/en_US_f_Allison")  # where the Debian package puts them
PROMPTS = Path("/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz")

pytestmark = pytest.mark.slow


def prompt(name: str) -> tuple[np.ndarray, str]:
    """The prompt's audio at 8 kHz, as a line delivers it, and its words from the package's prompt list."""
    if not SOUNDS.exists() or not PROMPTS.exists():
        pytest.fail("Debian's asterisk-core-sounds-en-wav and asterisk-core-sounds-en are missing: run `make setup`")
    lines = gzip.decompress(PROMPTS.read_bytes()).decode("utf-8", "replace").splitlines()
    text = next(line.split(":", 1)[1].strip() for line in lines if line.startswith(name + ":"))
    return read_audio(SOUNDS / f"{name}.wav", sample_rate=8000).pcm, text


def test_the_last_words_of_a_prompt_are_kept(transcriber):
    """"...or press 2 to erase your temporary greeting": the last three words were lost."""
    pcm, text = prompt("vm-tempgreeting2")
    heard = transcriber.transcribe(read_audio_16k(pcm), "en").text
    assert normalize(heard, "en").endswith("erase your temporary greeting")
    assert error_rate([text], [heard], "en") <= 0.1


def test_a_menu_read_without_a_pause_is_decoded_whole_across_windows(engine):
    """16 s of menu in 8 s windows: cut in its short pauses or overlapped, every item comes out once."""
    pcm, text = prompt("vm-options")
    heard = WhisperTranscriber(engine, window_s=8.0).transcribe(read_audio_16k(pcm), "en").text
    words = normalize(heard, "en")
    for item in ("press one", "press two", "press three", "press four", "press five", "press star"):
        assert words.count(item) == 1, f"{item!r} in {heard!r}"
    assert error_rate([text], [heard], "en") <= 0.1


def test_the_streamed_path_keeps_the_last_words_too(engine):
    from speech.asr.streaming import LiveTranscriber

    pcm, text = prompt("vm-tempgreeting2")
    finals: list[str] = []
    live = LiveTranscriber(engine, lambda e: e.kind == "final" and finals.append(e.text), language="en",
                           sample_rate=8000, realtime=False)
    stream = np.concatenate([pcm, np.zeros(8000 * 2, np.float32)])
    for i in range(0, len(stream), 160):
        live.feed(stream[i:i + 160])
    live.close()
    heard = " ".join(finals)
    assert normalize(heard, "en").endswith("erase your temporary greeting")
    assert error_rate([text], [heard], "en") <= 0.1


def read_audio_16k(pcm: np.ndarray) -> np.ndarray:
    from speech.audio import resample

    return resample(pcm, 8000, 16000)
