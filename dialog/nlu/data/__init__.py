"""The understanding's data files, their schemas and loaders, and the one list of what it trains on.

Files here (see README.md for where each came from):
- `paraphrases.yaml`: paraphrase families per intent and language, filled by `dataset.py` (training).
- `paraphrases-from-calls.yaml`: families written from the sample calls' failures (training; makes the
  sample-call figures in-sample).
- `handwritten.jsonl`: 340 utterances written by the project, scored only.
- `dev.jsonl`, `test.jsonl`: written by an independent writer; dev chooses models and thresholds, test is
  sealed (scored once, at the end). Never trained on.
- `context.yaml`: the cue phrases of context-aware understanding (`nlu/context.py`).
- `clarify.yaml`: how each intent is named in a clarifying question (`nlu/clarify.py`).
- `shop-words.yaml`: shop words heard with same-sounding characters, put back (`nlu/homophones.py`).

`EVALUATION_SOURCES` (here) and `dialog.nlu.dataset.TRAINING_SOURCES` name every text the models are
scored on and learn from;
`overlap_key` is the one normalisation both sides are compared under (tests/dialog/test_data_overlap.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel

from dialog.data import read_jsonl, read_yaml
from dialog.types import INTENTS, Language

HERE = Path(__file__).resolve().parent
SLOT_FILLERS = ("order", "product", "email", "phone", "address", "qty")


def _known_intent(name: str) -> str:
    if name not in INTENTS:
        raise ValueError(f"unknown intent {name!r}")
    return name


def _template(text: str) -> str:
    """A family string: balanced [alternatives] (not nested) and only known {fillers}."""
    depth = 0
    for ch in text:
        depth += {"[": 1, "]": -1}.get(ch, 0)
        if depth not in (0, 1):
            raise ValueError(f"unbalanced or nested [ ] in {text!r}")
    if depth:
        raise ValueError(f"unclosed [ in {text!r}")
    for name in re.findall(r"\{(\w*)\}", text):
        if name not in SLOT_FILLERS:
            raise ValueError(f"unknown filler {{{name}}} in {text!r} (known: {', '.join(SLOT_FILLERS)})")
    return text


Intent = Annotated[str, AfterValidator(_known_intent)]
Template = Annotated[str, AfterValidator(_template)]


class Paraphrases(RootModel[dict[Intent, dict[Language, list[Template]]]]):
    """intent -> language -> family strings."""


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    who: Literal["caller", "assistant"]
    text: str = Field(min_length=1)


class Utterance(BaseModel):
    """One evaluation line: what the caller said last (`text`), what it wants (`intent`), and optionally the
    turns just before it in the same call (`context`, oldest first)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str = Field(min_length=1)
    language: Language
    intent: Intent
    form: Literal["spoken", "typed"] = "spoken"
    context: tuple[Turn, ...] = ()
    slots: dict[Literal["order_number", "phone_last4", "email", "phone"], str] = Field(default_factory=dict)


@cache
def paraphrases(name: str = "paraphrases.yaml") -> dict[str, dict[str, list[str]]]:
    return read_yaml(HERE / name, Paraphrases).root


@cache
def utterances(name: str) -> tuple[Utterance, ...]:
    """`handwritten`, `dev` or `test` (the sealed set: only the final bench reads it)."""
    return tuple(read_jsonl(HERE / f"{name}.jsonl", Utterance))


def overlap_key(text: str) -> str:
    """How training and evaluation lines are compared: NFKC, lower case, letters and digits only
    ("Cancel it. The whole order." == "cancel it the whole order")."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


def _evaluation(name: str) -> Callable[[], Iterable[str]]:
    return lambda: (u.text for u in utterances(name))


def _sentiment_labelled() -> Iterable[str]:
    from dialog.sentiment.data import labelled

    return (row.text for row in labelled())


# Every text a figure is measured on.
EVALUATION_SOURCES: dict[str, Callable[[], Iterable[str]]] = {
    "intent hand-written set": _evaluation("handwritten"),
    "intent independent dev set": _evaluation("dev"),
    "intent sealed test set": _evaluation("test"),
    "sentiment labelled turns": _sentiment_labelled,
}


@cache
def evaluation_keys() -> frozenset[str]:
    """The `overlap_key` of every evaluation line: training rows equal to one are dropped."""
    return frozenset(overlap_key(text) for texts in EVALUATION_SOURCES.values() for text in texts())
