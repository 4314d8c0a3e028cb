"""Every wire states what it can do, in its own class: the session reads these, never guesses them."""

from __future__ import annotations

import typing

import pytest

from telephony.app import BrowserChannel, SipChannel
from telephony.audiosocket import AudioSocketChannel
from telephony.twilio import TwilioChannel
from voice.channel import Channel
from voice.local import MemoryChannel

CAPABILITIES = [name for name in typing.get_type_hints(Channel) if not name.startswith("_")]


@pytest.mark.parametrize("channel", [TwilioChannel, AudioSocketChannel, BrowserChannel, SipChannel, MemoryChannel])
def test_every_channel_states_each_capability(channel):
    stated = set(vars(channel)) | set(getattr(channel, "__dataclass_fields__", {}))
    assert set(CAPABILITIES) <= stated, f"{channel.__name__} leaves {set(CAPABILITIES) - stated} to a default"
    assert {"uses_marks", "continuous_media"} <= set(CAPABILITIES)


def test_what_each_wire_can_do():
    assert TwilioChannel.uses_marks and not TwilioChannel.continuous_media  # Twilio echoes marks
    assert SipChannel.continuous_media and not SipChannel.uses_marks  # RTP flows all call long
    assert not any(c.uses_marks or c.continuous_media for c in (AudioSocketChannel, BrowserChannel))
