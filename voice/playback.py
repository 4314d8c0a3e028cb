"""The assistant's outgoing audio: paced against the call's clock, so we always know what was heard.

Audio is released a little ahead of the far end's playback (`lead_s`, to ride out jitter), never
more. The far end plays what it receives in real time, so at any moment the played position is
known: everything sent, less what is still queued there. Pausing (a caller who starts to talk)
rewinds to the played position: the far end is told to drop its queue (`clear`), and a resume
sends the rest from exactly where the caller stopped hearing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

_UNIT = re.compile(r"[\u3400-\u9fff]|[^\s\u3400-\u9fff]+")


@dataclass
class _Sentence:
    text: str
    start: int  # sample offset in this reply's audio
    end: int


class Playback:
    def __init__(self, sample_rate: int, lead_s: float = 0.1, frame_s: float = 0.02, uses_marks: bool = False
                 ) -> None:
        self.rate = sample_rate
        self.uses_marks = uses_marks
        self.frame = int(sample_rate * frame_s)
        self.lead = int(sample_rate * lead_s)
        self.reset()

    def reset(self) -> None:
        self._audio = np.zeros(0, np.int16)
        self._sentences: list[_Sentence] = []
        self.sent = 0  # samples of this reply sent to the far end
        self.play_end = 0  # call clock (samples) at which the far end will have played all it was sent
        self.paused = False
        self.first_sent_at: int | None = None
        self.confirmed = -1  # the last sentence the far end confirmed as played (marks), if it does

    # --- filling ------------------------------------------------------------------------------
    def add(self, text: str, pcm16: np.ndarray) -> None:
        start = len(self._audio)
        self._audio = np.concatenate([self._audio, pcm16.astype(np.int16)])
        self._sentences.append(_Sentence(text, start, len(self._audio)))

    @property
    def queued(self) -> int:
        """Samples not yet sent."""
        return len(self._audio) - self.sent

    def busy(self, clock: int) -> bool:
        """The assistant is talking (or about to): audio unsent, or still playing at the far end."""
        return self.queued > 0 or self.play_end > clock

    # --- pacing -------------------------------------------------------------------------------
    def due(self, clock: int) -> list[tuple[np.ndarray, int | None]]:
        """Frames to send now, each with the index of the sentence it completes (for a mark), if any."""
        out: list[tuple[np.ndarray, int | None]] = []
        if self.paused:
            return out
        while self.queued > 0 and self.play_end <= clock + self.lead:
            frame = self._audio[self.sent:self.sent + self.frame]
            if len(frame) < self.frame:  # whole frames only, as every wire wants
                frame = np.concatenate([frame, np.zeros(self.frame - len(frame), np.int16)])
            if self.first_sent_at is None:
                self.first_sent_at = clock
            done = next((i for i, s in enumerate(self._sentences) if self.sent < s.end <= self.sent + self.frame), None)
            self.sent = min(len(self._audio), self.sent + self.frame)
            self.play_end = max(self.play_end, clock) + self.frame
            out.append((frame, done))
        return out

    def played(self, clock: int) -> int:
        """Samples of this reply the far end has played by `clock`."""
        return max(0, self.sent - max(0, self.play_end - clock))

    def pause(self, clock: int) -> None:
        """Stop sending; what the far end had queued is dropped there (the caller sends `clear`)."""
        self.sent = self.played(clock)
        self.play_end = clock
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def confirm(self, sentence: int) -> None:
        """The far end reports (a Twilio mark) that this sentence has been played in full."""
        self.confirmed = max(self.confirmed, sentence)

    def heard_text(self, clock: int) -> str:
        """The words the caller heard: whole sentences played, and the played share of the current one.
        Where the far end confirms sentences (marks), a sentence counts as heard only once confirmed."""
        played = self.played(clock)
        if self.uses_marks:
            done = self._sentences[self.confirmed].end if self.confirmed >= 0 else 0
            played = min(played, self._sentences[self.confirmed + 1].end - 1
                         if self.confirmed + 1 < len(self._sentences) else played)
            played = max(played, done)
        words: list[str] = []
        for s in self._sentences:
            if played >= s.end:
                words.append(s.text)
            elif played > s.start:
                units = _UNIT.findall(s.text)
                share = (played - s.start) / max(1, s.end - s.start)
                words.append(_join(units[:int(len(units) * share)]))
        return join_text(words)

    def full_text(self) -> str:
        return join_text([s.text for s in self._sentences])


def join_text(pieces: list[str]) -> str:
    """Sentences back into one text: no space after Chinese, one after anything else."""
    out = ""
    for p in (p.strip() for p in pieces):
        if p:
            out += p if not out or "\u3000" <= out[-1] <= "\u9fff" or "\uff00" <= out[-1] <= "\uffef" else " " + p
    return out


def _join(units: list[str]) -> str:
    out = ""
    for u in units:
        cjk = "\u3400" <= u[0] <= "\u9fff"
        out += u if not out or cjk or "\u3400" <= out[-1] <= "\u9fff" else " " + u
    return out
