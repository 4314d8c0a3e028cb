"""The reply on its way out: paced against the caller's clock, paused, resumed, cleared, and heard.

`Playback` (voice/playback.py) is the arithmetic: which frames are due on the clock and which words the
caller has heard. The player puts it on a channel: it sends the frames due, keeps a line that wants media
all the time (RTP) fed with silence between replies, asks the far end to drop its queue when the caller
starts to talk, sends a mark after each sentence where the far end echoes marks (Twilio), and takes the
echoes back as proof that a sentence was heard.
"""

from __future__ import annotations

import time

import numpy as np

from voice.channel import Channel
from voice.playback import Playback
from voice.recording import Recording


class Player:
    def __init__(self, channel: Channel, recording: Recording | None = None) -> None:
        self.channel, self.recording = channel, recording
        self.rate = channel.sample_rate
        self.playback = Playback(self.rate, channel.playback_lead_s, uses_marks=channel.uses_marks)
        self.replies = 0  # replies begun (greeting, answers, reprompts): the first part of every mark's name
        self.first_frame_wall: float | None = None  # when this reply's first frame went out

    def begin(self) -> None:
        """A new reply: whatever was left of the last one is forgotten."""
        self.playback.reset()
        self.replies += 1
        self.first_frame_wall = None

    def reset(self) -> None:
        """The reply is over (cancelled, or an apology replaces it): nothing of it is left to send."""
        self.playback.reset()

    def busy(self, clock: int) -> bool:
        """Audio unsent, or still playing at the far end."""
        return self.playback.busy(clock)

    def heard(self, clock: int) -> str:
        return self.playback.heard_text(clock)

    def add(self, text: str, pcm16: np.ndarray) -> None:
        self.playback.add(text, pcm16)

    async def pump(self, clock: int, hold: bool = False) -> None:
        """Send the frames due on the call's clock. `hold`: the caller is talking, so a reply not yet begun
        waits (one already under way goes on until the barge-in rules pause it)."""
        p = self.playback
        due = [] if p.sent == 0 and hold else p.due(clock)
        if not due and self.channel.continuous_media and p.play_end <= clock:
            await self.channel.send_audio(bytes(2 * self.rate // 50))
        for frame, sentence_done in due:
            if self.first_frame_wall is None:
                self.first_frame_wall = time.monotonic()
            await self.channel.send_audio(frame.tobytes())
            if self.recording:
                self.recording.assistant(frame, p.play_end - len(frame))
            if sentence_done is not None and self.channel.uses_marks:
                await self.channel.mark(f"{self.replies}:{sentence_done}")

    async def pause(self, clock: int) -> None:
        """Stop where the caller is; the far end drops what it had queued."""
        self.playback.pause(clock)
        await self.channel.clear()

    def resume(self) -> None:
        self.playback.resume()

    def mark_played(self, name: str, clock: int) -> bool:
        """The far end played everything up to this mark ("<reply>:<sentence>"): True when that confirms a
        sentence of the reply playing now was heard. Marks echoed for audio a `clear` dropped do not count."""
        reply, _, sentence = name.partition(":")
        if self.playback.paused:
            return False
        if reply == str(self.replies) and sentence.isdigit() and self.playback.played(clock) > 0:
            self.playback.confirm(int(sentence))
            return True
        return False
