"""No evaluation line is in any training source, both sides normalised the same way (`overlap_key`).

The generator drops a row that equals an evaluation line (short answers such as "yes" or "不是" are
bound to come out of some family); this checks that, and that the sentiment sets stay apart too.
"""

from __future__ import annotations

import pytest

from dialog.nlu.data import EVALUATION_SOURCES, overlap_key
from dialog.nlu.dataset import TRAINING_SOURCES


@pytest.fixture(scope="module")
def evaluation() -> dict[str, str]:
    """overlap key -> the name of the evaluation set it comes from."""
    return {overlap_key(text): name for name, texts in EVALUATION_SOURCES.items() for text in texts()}


@pytest.mark.parametrize("source", list(TRAINING_SOURCES))
def test_no_evaluation_line_is_trained_on(source, evaluation):
    found = sorted({(evaluation[overlap_key(t)], t) for t in TRAINING_SOURCES[source]()
                    if overlap_key(t) in evaluation})
    assert not found, f"{len(found)} evaluation lines in {source}: {found[:10]}"


def test_the_key_ignores_case_punctuation_and_spaces():
    assert overlap_key("Cancel it. The whole order!") == overlap_key("cancel it the whole order")
    assert overlap_key("没有了，谢谢。") == overlap_key("没有了 谢谢")
    assert overlap_key("ｙｅｓ") == overlap_key("yes")
