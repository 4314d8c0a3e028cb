"""How the caller feels, from the words of one turn: a score in [-1, 1] and a label.

General sentiment models miss customer-service anger ("this is the third time I'm calling" has no
negative word) and read plain requests ("取消订单", "退款什么时候到账") as negative, so three scores are
blended: a classifier on the e5 embeddings trained on our own labelled turns (`classifier.py`,
`data/training.jsonl`), each language's general model (VADER for English, SnowNLP for Mandarin) and a
small lexicon of service cues (`data/cues.yaml`): repetition, waiting, broken promises, threats to leave,
thanks. Weights and thresholds were set on the dev half of `data/labelled.jsonl` (`evaluate.py --tune`).
"""

from __future__ import annotations

import re
from functools import cache

from dialog.language import detect_language
from dialog.sentiment import classifier
from dialog.sentiment.data import cues
from dialog.types import Language, MoodLabel, Sentiment

# Tuned on the dev split (dialog/sentiment/evaluate.py --tune); see bench/results/sentiment.md.
MODEL_WEIGHT = {"en": 0.3, "zh": 0.0}  # SnowNLP (reviews) adds nothing on calls once the classifier is in
CLASSIFIER_WEIGHT = {"en": 0.5, "zh": 0.5}
CUE_WEIGHT = {"en": 0.75, "zh": 1.0}
SNOWNLP_DEAD_ZONE = 0.6
NEGATIVE_BELOW = -0.15
POSITIVE_ABOVE = 0.4


@cache
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def _model_score(text: str, language: Language) -> float:
    if language == "en":
        return float(_vader().polarity_scores(text)["compound"])
    if not re.search(r"[\u4e00-\u9fff]", text):
        return 0.0
    from snownlp import SnowNLP

    score = 2.0 * float(SnowNLP(text).sentiments) - 1.0
    return score if abs(score) >= SNOWNLP_DEAD_ZONE else 0.0  # trained on reviews: only its sure calls count


@cache
def _cue_table(language: Language) -> tuple[list[tuple[re.Pattern[str], float]], list[tuple[re.Pattern[str], float]]]:
    """(negative, positive) compiled cues; a Mandarin turn is searched with the English cues too."""
    table = cues()
    sides = [table.en] + ([table.zh] if language == "zh" else [])
    return ([(re.compile(c.pattern), c.weight) for side in sides for c in side.negative],
            [(re.compile(c.pattern), c.weight) for side in sides for c in side.positive])


@cache
def _negated_positive() -> re.Pattern[str]:
    return re.compile(cues().negated_positive)


def _cue_score(text: str, language: Language) -> float:
    """Service cues found in the text: negative weights minus positive, in [-1, 1]."""
    lowered = text.lower()
    negative, positive = _cue_table(language)
    neg = sum(w for pattern, w in negative if pattern.search(lowered))
    pos = sum(w for pattern, w in positive if pattern.search(lowered))
    if _negated_positive().search(lowered):
        pos, neg = max(0.0, pos - 0.45), neg + 0.45
    return max(-1.0, min(1.0, pos - neg))


def label_for(score: float) -> MoodLabel:
    if score <= NEGATIVE_BELOW:
        return "negative"
    return "positive" if score >= POSITIVE_ABOVE else "neutral"


def text_sentiment(text: str, language: Language | None = None) -> Sentiment:
    """Sentiment of one caller turn. Empty text is neutral."""
    text = text.strip()
    if not text:
        return Sentiment(0.0, "neutral")
    language = language or detect_language(text)
    score = (MODEL_WEIGHT[language] * _model_score(text, language) + CUE_WEIGHT[language] * _cue_score(text, language)
             + CLASSIFIER_WEIGHT[language] * classifier.score(text))
    score = round(max(-1.0, min(1.0, score)), 3)
    return Sentiment(score, label_for(score))
