"""The `voicedesk` command as a user runs it: real models, real files, one-line errors."""

import json
import subprocess
import sys

import pytest
import soundfile as sf

from speech.scoring import error_rate
from tests.conftest import SAMPLES, manifest

pytestmark = pytest.mark.models  # each runs the CLI, which loads its models


def voicedesk(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voicedesk", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_transcribe_json_in_both_languages():
    en, zh = manifest("en")[1], manifest("zh")[2]
    run = voicedesk("transcribe", str(SAMPLES / en["file"]), str(SAMPLES / zh["file"]), "--json")
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["language"] for r in rows] == ["en", "zh"]  # detected: --language defaults to auto
    for row in rows:
        assert set(row) == {"file", "text", "language", "duration_s", "processing_s", "segments"}
        assert row["text"] and row["segments"] and row["duration_s"] > 1 and row["processing_s"] > 0
    assert "package" in rows[0]["text"] and "耳机" in rows[1]["text"]


def test_transcribe_with_the_openai_whisper_backend():
    item = manifest("en")[5]
    run = voicedesk("transcribe", str(SAMPLES / item["file"]), "--backend", "openai-whisper", "--language", "en")
    assert run.returncode == 0, run.stderr
    assert "cancel my order" in run.stdout


@pytest.mark.parametrize(("text", "language", "rate"), [("Your order 10023 has shipped.", "en", 22050),
                                                       ("您的订单已经发货。", "zh", 24000)])
def test_say_writes_a_wav(tmp_path, text, language, rate):
    out = tmp_path / "reply.wav"
    run = voicedesk("say", text, "-o", str(out))
    assert run.returncode == 0, run.stderr
    info = sf.info(out)
    assert info.samplerate == rate and info.channels == 1 and info.duration > 1
    assert f"of {language} speech" in run.stdout


def test_listen_prints_partials_and_the_final():
    item = manifest("zh")[3]
    run = voicedesk("listen", str(SAMPLES / item["file"]), "--fast", "--language", "zh")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert any("speech start" in line for line in lines)
    finals = [line for line in lines if " FINAL " in line]
    assert len(finals) == 1
    heard = finals[0].split(" FINAL ")[1].rsplit("(decode", 1)[0].strip()
    assert error_rate([item["text"]], [heard], "zh") <= 0.2  # how well is the bench's business (docs/speech.md)


def test_bad_input_is_one_clear_line_and_a_non_zero_exit(tmp_path):
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "junk.mp3").write_bytes(b"\x00\x01garbage" * 100)
    good = SAMPLES / manifest("en")[1]["file"]
    run = voicedesk("transcribe", str(tmp_path / "empty.wav"), str(tmp_path / "junk.mp3"), str(good))
    assert run.returncode == 1
    errors = run.stderr.strip().splitlines()
    assert errors == [f"error: {tmp_path / 'empty.wav'}: empty file (0 bytes)",
                      f"error: {tmp_path / 'junk.mp3'}: not a readable audio file (format not recognised)"]
    assert "package" in run.stdout  # the good file is still transcribed
    assert "Traceback" not in run.stderr


def test_usage_errors():
    assert voicedesk("transcribe", "x.wav", "--backend", "nope").returncode == 2
    run = voicedesk("say", "   ", "-o", "out/x.wav")
    assert run.returncode == 1 and run.stderr.strip() == "error: nothing to say: TEXT is empty"
    run = voicedesk("listen", "/no/such/file.wav")
    assert run.returncode == 1 and run.stderr.strip() == "error: /no/such/file.wav: no such file"
