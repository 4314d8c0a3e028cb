"""The data-file loader: every shipped file loads, and a slip is reported with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from dialog.data import DataError, read_jsonl, read_yaml
from dialog.nlu.data import Paraphrases, Utterance, paraphrases, utterances
from dialog.sentiment.data import Cues, cues, labelled, training


def test_the_shipped_files_load():
    assert len(utterances("handwritten")) == 340
    assert {"en", "zh"} <= set(paraphrases()["track_refund"])
    assert len(training()) >= 260 and {r.half for r in labelled()} == {"dev", "test"}
    assert isinstance(cues(), Cues)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_jsonl_errors_name_the_line(tmp_path: Path):
    good = '{"text": "where is my order", "language": "en", "intent": "track_order"}\n'
    path = write(tmp_path, "set.jsonl", "# header\n" + good + "\n" +
                 '{"text": "我的订单呢", "language": "zh", "intent": "trak_order"}\n')
    with pytest.raises(DataError, match=r"set\.jsonl:4: intent: .*unknown intent 'trak_order'"):
        read_jsonl(path, Utterance)
    path = write(tmp_path, "broken.jsonl", good + '{"text": "hi", "language": "en",\n')
    with pytest.raises(DataError, match=r"broken\.jsonl:2: not JSON"):
        read_jsonl(path, Utterance)
    path = write(tmp_path, "extra.jsonl", '{"text": "hi", "language": "en", "intent": "greeting", "mood": 1}\n')
    with pytest.raises(DataError, match=r"extra\.jsonl:1: mood: Extra inputs"):
        read_jsonl(path, Utterance)
    assert read_jsonl(write(tmp_path, "ok.jsonl", good), Utterance)[0].intent == "track_order"


def test_yaml_errors_name_the_line(tmp_path: Path):
    path = write(tmp_path, "p.yaml", "track_order:\n  en:\n  - where is my {order}\n  - where is my {parcel}\n")
    with pytest.raises(DataError, match=r"p\.yaml:4: .*unknown filler \{parcel\}"):
        read_yaml(path, Paraphrases)
    path = write(tmp_path, "q.yaml", "track_order:\n  en:\n  - 'where [is|are my order'\n")
    with pytest.raises(DataError, match=r"q\.yaml:3: .*unclosed \["):
        read_yaml(path, Paraphrases)
    path = write(tmp_path, "d.yaml", "track_order:\n  en: [a]\n  en: [b]\n")
    with pytest.raises(DataError, match=r"d\.yaml:3: duplicate key 'en'"):
        read_yaml(path, Paraphrases)
    path = write(tmp_path, "s.yaml", "track_order:\n  en: [a\n")
    with pytest.raises(DataError, match=r"s\.yaml:\d+: not YAML"):
        read_yaml(path, Paraphrases)


def test_yaml_validates_nested_models(tmp_path: Path):
    class Line(BaseModel):
        model_config = ConfigDict(extra="forbid")
        en: str
        zh: str

    class Lines(BaseModel):
        model_config = ConfigDict(extra="forbid")
        error: Line
        goodbye: Line

    path = write(tmp_path, "lines.yaml", "error:\n  en: Sorry.\n  zh: 抱歉。\ngoodbye:\n  en: Bye.\n")
    with pytest.raises(DataError, match=r"lines\.yaml:4: goodbye\.zh: Field required"):
        read_yaml(path, Lines)
    with pytest.raises(DataError, match=r"missing\.yaml:\?: cannot read"):
        read_yaml(tmp_path / "missing.yaml", Lines)
