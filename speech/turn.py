"""End of turn: when has the caller finished speaking?

A pause after a finished sentence ("...my order 10023.") ends the turn quickly; a pause
after "and", "um", "然后" or no punctuation waits longer. The transcript that decides
this is the one the recogniser already prepared during the pause, so it costs nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FINISHED = re.compile(r"[.?!。？！]\s*$")
_CONTINUING = re.compile(
    r"(\b(and|but|so|or|because|um+|uh+|er+|like|the|a|my|to|of)|(然后|还有|但是|所以|因为|那个|就是|嗯|呃|我想|我的))[,，]?\s*$",
    re.IGNORECASE,
)


@dataclass
class TurnOptions:
    min_silence_s: float = 0.55  # after a finished sentence (a comma pause runs ~0.45 s)
    max_silence_s: float = 1.2  # whatever the words say
    max_turn_s: float = 25.0  # longest single caller turn before we take it anyway


class EndOfTurnDetector:
    def __init__(self, options: TurnOptions | None = None) -> None:
        self.options = options or TurnOptions()

    def looks_finished(self, text: str | None) -> bool:
        if not text:
            return False
        return bool(_FINISHED.search(text)) and not _CONTINUING.search(text.rstrip(".?!。？！ "))

    def is_end(self, silence_s: float, text: str | None) -> bool:
        """`text` is the transcript of the turn so far, or None while it is being computed."""
        if silence_s >= self.options.max_silence_s:
            return True
        return silence_s >= self.options.min_silence_s and self.looks_finished(text)
