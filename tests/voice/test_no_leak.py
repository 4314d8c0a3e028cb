"""No sentence of a sample set appears in a training or template source (`voice/replay/leakage.py` has the list).

The collisions found when the check was written are pinned below, each one named, so a new one fails at
once and a fixed one fails until it is taken off the list. They are findings for the training data's
owners, not something QA may fix by editing a caller's words.
"""

from __future__ import annotations

import json

from voice.replay import leakage

KNOWN: set[tuple[str, str]] = set()  # (sentence, source) pinned while a collision waits for its fix; none now


def test_no_sample_sentence_is_in_a_training_or_template_source():
    found = {(leak.sentence, leak.source) for leak in leakage.leaks()}
    new = sorted(found - KNOWN)
    assert not new, f"sample sentences found in training or template sources: {new}"
    fixed = sorted(KNOWN - found)
    assert not fixed, f"no longer in any source (take them off KNOWN): {fixed}"


def test_the_check_reads_every_kind_of_source_and_every_sample_set(tmp_path):
    (tmp_path / "dialog" / "nlu").mkdir(parents=True)
    (tmp_path / "dialog" / "nlu" / "templates.py").write_text(
        'T = ["i [want|need] to cancel order {order} [now|]", "{order} {status}"]\n', encoding="utf-8")
    (tmp_path / "dialog" / "data").mkdir()
    (tmp_path / "dialog" / "data" / "rows.jsonl").write_text(
        json.dumps({"text": "我想退货，订单号幺零零二三，谢谢"}, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "dialog" / "data" / "more.yaml").write_text("rows:\n  - text: Where is my parcel right now please\n",
                                                            encoding="utf-8")
    calls = {"samples/calls/en-a": ["I need to cancel order one zero zero two three now.", "Yes."],
             "samples/calls-unseen/zh-b": ["我想退货，订单号幺零零二三。"],
             "samples/calls-sealed/en-c": ["Hello. Where is my parcel right now?", "Where is my parcel today?"]}
    for folder, says in calls.items():
        (tmp_path / folder).mkdir(parents=True)
        lines = [json.dumps({"call": folder})] + [json.dumps({"say": s}, ensure_ascii=False) for s in says]
        (tmp_path / folder / "scenario.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = {(leak.sentence, leak.source) for leak in leakage.leaks(tmp_path)}
    assert found == {("I need to cancel order one zero zero two three now.", "dialog/nlu/templates.py"),
                     ("我想退货，订单号幺零零二三。", "dialog/data/rows.jsonl"),
                     ("Where is my parcel right now?", "dialog/data/more.yaml")}
