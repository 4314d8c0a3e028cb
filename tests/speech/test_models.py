"""Model set-up: files rebuilt from registry packages and the reply model requantized, each checked by sha256."""

from __future__ import annotations

import dataclasses

import pytest

from speech import models


def test_every_checked_model_is_in_place_with_its_stamp():
    root = models.models_dir()
    for spec in [*models.FILES, *models.DERIVED]:
        assert (root / spec.target).exists(), spec.target
        if spec.sha256:
            assert models._stamp_ok(root / spec.target, spec.sha256), spec.target


@pytest.mark.models
def test_requantizing_is_a_no_op_when_done_and_reproducible(tmp_path):
    (tmp_path / "llm").mkdir()
    source = models.models_dir() / models.LLM
    (tmp_path / models.LLM).symlink_to(source)
    spec = models.DERIVED[0]
    assert models._requantize(spec, tmp_path)  # the same bytes as the pinned sha256, or it raises
    assert not models._requantize(spec, tmp_path)


@pytest.mark.models
def test_a_requantized_model_that_does_not_match_is_refused(tmp_path):
    (tmp_path / "llm").mkdir()
    (tmp_path / models.LLM).symlink_to(models.models_dir() / models.LLM)
    wrong = dataclasses.replace(models.DERIVED[0], sha256="0" * 64)
    with pytest.raises(models.ModelError, match="does not match the pinned"):
        models._requantize(wrong, tmp_path)
    assert not (tmp_path / wrong.target).exists()
