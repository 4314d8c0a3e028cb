import warnings

import numpy as np
import pytest

from speech import g711

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # the CPython implementation of the ITU reference, until 3.13

ALL_PCM = np.arange(-32768, 32768, dtype="<i2")
ALL_CODES = bytes(range(256))


@pytest.mark.parametrize(("encode", "reference"), [(g711.ulaw_encode, audioop.lin2ulaw),
                                                   (g711.alaw_encode, audioop.lin2alaw)])
def test_encode_is_bit_exact_for_every_16_bit_sample(encode, reference):
    assert encode(ALL_PCM.tobytes()) == reference(ALL_PCM.tobytes(), 2)


@pytest.mark.parametrize(("decode", "reference"), [(g711.ulaw_decode, audioop.ulaw2lin),
                                                   (g711.alaw_decode, audioop.alaw2lin)])
def test_decode_is_bit_exact_for_every_code(decode, reference):
    assert decode(ALL_CODES).tobytes() == reference(ALL_CODES, 2)


def test_known_codes_from_the_standard():
    assert g711.ulaw_encode(np.array([0], np.int16)) == b"\xff"  # mu-law silence
    assert g711.alaw_encode(np.array([0], np.int16)) == b"\xd5"  # A-law silence
    assert g711.ulaw_decode(b"\x00")[0] == -32124 and g711.ulaw_decode(b"\x80")[0] == 32124
    assert g711.alaw_decode(b"\x2a")[0] == -32256 and g711.alaw_decode(b"\xaa")[0] == 32256


@pytest.mark.parametrize(("encode", "decode"), [(g711.ulaw_encode, g711.ulaw_decode),
                                                (g711.alaw_encode, g711.alaw_decode)])
def test_round_trip_keeps_codes_and_bounds_the_error(encode, decode):
    back = encode(decode(ALL_CODES))
    changed = [c for c in range(256) if back[c] != c]
    assert changed == ([0x7F] if encode is g711.ulaw_encode else [])  # mu-law's "negative zero" reads as +0
    tone = (np.sin(np.arange(8000) * 2 * np.pi * 440 / 8000) * 12000).astype(np.int16)
    back = decode(encode(tone)).astype(np.int32)
    snr = 10 * np.log10(np.sum(tone.astype(float) ** 2) / np.sum((back - tone) ** 2))
    assert snr > 30  # G.711 gives ~38 dB on a loud tone


def test_accepts_int16_arrays_and_bytes_alike():
    pcm = np.array([-1000, 0, 1000], np.int16)
    assert g711.ulaw_encode(pcm) == g711.ulaw_encode(pcm.tobytes())
