"""openai-whisper, on weights converted from the embedded CTranslate2 model, gives the same text.

In reference mode (float32, full 30 s window, as openai-whisper decodes) the CTranslate2 engine
and the openai-whisper engine must agree word for word; the default int8, trimmed-window mode is
compared by `make bench` (agreement figure in the README).
"""

import pytest

from speech.asr import make_engine
from speech.asr.whisper import DecodeOptions, WhisperTranscriber
from tests.conftest import manifest, sample_pcm

pytestmark = pytest.mark.models


@pytest.fixture(scope="module")
def pair():
    reference = WhisperTranscriber(make_engine("faster-whisper",
                                               options=DecodeOptions(compute_type="float32", full_window=True)))
    return reference, WhisperTranscriber(make_engine("openai-whisper"))


@pytest.mark.parametrize("language", ["en", "zh"])
def test_same_text_on_the_same_files(pair, language):
    reference, openai = pair
    for item in manifest(language)[:4]:
        pcm = sample_pcm(item)
        a, b = reference.transcribe(pcm, language), openai.transcribe(pcm, language)
        assert a.text == b.text and a.text
        assert [round(s.start, 1) for s in a.segments] == [round(s.start, 1) for s in b.segments]
