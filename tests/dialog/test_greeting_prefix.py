"""A greeting before the request is manners: "你好，我的快递到哪里了？" is a clear order question."""

from __future__ import annotations

import pytest

from dialog.nlu.understander import Understander


@pytest.fixture(scope="module")
def understander() -> Understander:
    return Understander()


@pytest.mark.parametrize("text, intent", [
    ("你好，我的快递到哪里了？", "track_order"), ("您好，我想注册一个账号。", "create_account"),
    ("Hi, where is my order?", "track_order"), ("Hello, I forgot my password.", "recover_password"),
    ("你好", "greeting"), ("Hello there", "greeting"),
])
def test_a_leading_greeting_does_not_blur_the_request(understander, text, intent):
    u = understander.understand(text)
    assert u.intent == intent and u.clarify is None, (u.intent, u.confidence)
