"""The caller's mood over a call: each turn's words and voice fused into one score, the call's
smoothed mood and its trend, a timeline, and the signals the agent's policy reads.

Small on purpose, so a quality reviewer can follow every number:
- turn score = text score, pushed down by how worked up the caller sounds (a raised voice makes
  neutral words tense and negative words worse; it lifts already positive words a little);
- mood = exponential average of turn scores (half the weight on the newest turn);
- trend = mood now against the mood two turns ago.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dialog.sentiment.prosody import arousal
from dialog.sentiment.text import label_for
from dialog.types import MoodLabel, Prosody, Segment, Sentiment

AROUSAL_WEIGHT = 0.4  # the most a maximally raised voice moves the turn score
MOOD_SMOOTHING = 0.5
TREND_STEP = 0.15
FRUSTRATED_TURNS = 2  # consecutive negative turns before a person is offered


@dataclass(frozen=True)
class TurnMood:
    turn_id: str
    text_score: float
    prosody: Prosody
    fused: float
    label: MoodLabel


@dataclass(frozen=True)
class Customer:
    """What the shop knows of the caller once verified (passed in: the tracker reads no database)."""

    tier: str = "regular"  # "vip" or anything else
    orders: int = 0
    complaints: int = 0
    returns: int = 0


@dataclass(frozen=True)
class MoodSignals:
    mood: float
    label: MoodLabel
    trend: str  # improving | steady | worsening
    empathy_needed: bool  # the caller is negative now: acknowledge before answering
    offer_human: bool  # frustration persists, or they asked for a person
    segment: Segment
    priority_handoff: bool  # vip or at risk: skip the queue when handed off
    goodwill_allowed: bool  # a gesture (voucher, free shipping) may be offered


def segment_of(customer: Customer | None) -> Segment:
    """at_risk (repeated complaints/returns) > vip (tier) > new (no orders yet) > regular.

    A caller not yet verified is "regular": no priority and no goodwill on an unproven claim."""
    if customer is None:
        return "regular"
    if customer.complaints >= 2 or customer.complaints + customer.returns >= 3:
        return "at_risk"
    if customer.tier.lower() == "vip":
        return "vip"
    return "new" if customer.orders == 0 else "regular"


def fuse(text_score: float, prosody: Prosody) -> float:
    lift = AROUSAL_WEIGHT * arousal(prosody)
    fused = text_score + (lift / 2 if text_score >= 0.25 else -lift)
    return round(max(-1.0, min(1.0, fused)), 3)


@dataclass
class SentimentTracker:
    """One per call. `update` every caller turn; `signals` whenever the agent decides what to do."""

    customer: Customer | None = None
    timeline: list[TurnMood] = field(default_factory=list)
    moods: list[float] = field(default_factory=list)
    asked_for_human: bool = False

    def update(self, turn_id: str, sentiment: Sentiment, prosody: Prosody | None = None,
               asked_for_human: bool = False) -> TurnMood:
        prosody = prosody or Prosody()
        fused = fuse(sentiment.score, prosody)
        turn = TurnMood(turn_id, sentiment.score, prosody, fused, label_for(fused))
        self.timeline.append(turn)
        previous = self.moods[-1] if self.moods else fused
        self.moods.append(round(MOOD_SMOOTHING * fused + (1 - MOOD_SMOOTHING) * previous, 3))
        self.asked_for_human = self.asked_for_human or asked_for_human
        return turn

    @property
    def mood(self) -> float:
        return self.moods[-1] if self.moods else 0.0

    @property
    def trend(self) -> str:
        if len(self.moods) < 2:
            return "steady"
        delta = self.moods[-1] - self.moods[max(0, len(self.moods) - 3)]
        return "improving" if delta >= TREND_STEP else "worsening" if delta <= -TREND_STEP else "steady"

    def _negative_streak(self) -> int:
        streak = 0
        for turn in reversed(self.timeline):
            if turn.label != "negative":
                break
            streak += 1
        return streak

    def signals(self) -> MoodSignals:
        segment = segment_of(self.customer)
        negative_now = bool(self.timeline) and self.timeline[-1].label == "negative"
        return MoodSignals(
            mood=self.mood,
            label=label_for(self.mood),
            trend=self.trend,
            empathy_needed=negative_now,
            offer_human=self.asked_for_human or self._negative_streak() >= FRUSTRATED_TURNS,
            segment=segment,
            priority_handoff=segment in ("vip", "at_risk"),
            goodwill_allowed=segment == "at_risk" or (segment == "vip" and negative_now),
        )
