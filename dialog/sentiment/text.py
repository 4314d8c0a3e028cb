"""How the caller feels, from the words of one turn: a score in [-1, 1] and a label.

General sentiment models miss customer-service anger ("this is the third time I'm calling" has no
negative word) and read plain requests ("取消订单", "退款什么时候到账") as negative, so three scores are
blended: a classifier on the e5 embeddings trained on our own labelled turns (`classifier.py`,
`training.py`), each language's general model (VADER for English, SnowNLP for Mandarin) and a small
lexicon of service cues: repetition, waiting, broken promises, threats to leave, thanks. Weights and
thresholds were set on the dev half of `labelled.py` (`evaluate.py --tune`).
"""

from __future__ import annotations

import re
from functools import cache

from dialog.nlu.language import detect_language
from dialog.sentiment import classifier
from dialog.types import Language, MoodLabel, Sentiment

_EN_NEGATIVE = [
    (r"\b(third|fourth|fifth|second|\d+(st|nd|rd|th)|several|many|multiple) times?\b", 0.7),
    (r"\b(again|still|yet again|keep|keeps|kept|every time|over and over)\b", 0.25),
    (r"\b(waiting|waited|wait) (for|since)\b|\bfor (weeks|days|hours|ages)\b|\bforever\b|\bweeks\b", 0.35),
    (r"\b(never|not|hasn't|haven't|didn't|doesn't|won't|isn't|wasn't) (arrived|came|come|received|working|work|"
     r"helped|help|responded|fixed|showed up|been)\b", 0.5),
    (r"\bno one\b|\bnobody\b|\bno response\b|\bno reply\b|\bno answer\b", 0.45),
    (r"\b(ridiculous|unacceptable|terrible|awful|horrible|worst|useless|pathetic|disgusting|joke|scam|rip ?off|"
     r"fed up|sick of|tired of|frustrat\w*|angry|furious|annoyed|upset|disappointed|outrageous|nonsense|rude|"
     r"incompetent|liars?|lied|lying|ridiculous)\b", 0.6),
    (r"\b(broken|damaged|wrong|missing|lost|late|defective|faulty|charged twice|overcharged|declined|failed|"
     r"stolen|cracked|leak\w*|dead)\b", 0.3),
    (r"\b(complain\w*|lawyer|sue|report you|bad review|never (buy|order|shop) (again|here)|cancel everything|"
     r"take my business|chargeback)\b", 0.6),
    (r"\b(manager|supervisor|real person|human)\b", 0.2),
    (r"!{2,}|\?!", 0.2),
]
_EN_POSITIVE = [
    (r"\b(thanks?|thank you|appreciate\w*|grateful|cheers)\b", 0.35),
    (r"\b(great|perfect|excellent|awesome|wonderful|fantastic|amazing|brilliant|lovely|love|happy|glad|pleased|"
     r"helpful|quick|fast|smooth|nice|good job|well done|satisfied|recommend)\b", 0.45),
    (r"\b(that helps|that's all i needed|problem solved|sorted|works now|you're the best|made my day|"
     r"kind of you)\b", 0.5),
]
_ZH_NEGATIVE = [
    (r"第[二三四五六七八九十几\d]+次|好几次|多少次|无数次|三番五次|又一次|又是|老是|总是|一直|还是没|还没|怎么还", 0.5),
    (r"等了[\w]{0,4}(天|周|星期|个月|小时)|等了这么久|等这么久|等半天|好几天|好几个星期|半个月", 0.45),
    (r"没(收到|到|人管|人理|人回|解决|反应|回复|用)|不理|没有人|不回|不管|拖", 0.45),
    (r"太差|很差|真差|垃圾|坑|骗|骗子|离谱|过分|无语|气死|生气|火大|恼火|烦|受够|失望|恶心|忍无可忍|差劲|"
     r"什么玩意|搞什么|怎么搞的|别说了|少废话|"
     r"不靠谱|太慢|坑人|扯|态度(差|恶劣|不好)|不满|荒唐|可笑|最差|最烂|这么难|不行", 0.6),
    (r"坏了|破了|碎了|漏|少了|错了|发错|质量(差|问题)|有问题|故障|不能用|用不了|扣了我?两次|重复扣|被拒|失败", 0.3),
    (r"投诉|曝光|差评|告你们|消协|12315|再也不(买|来)|退货退款|律师", 0.6),
    (r"转人工|找你们(经理|领导|主管)|叫你们(经理|领导)", 0.2),
    (r"！{2,}|!{2,}|？！", 0.2),
]
_ZH_POSITIVE = [
    (r"谢谢|感谢|多谢|辛苦了|麻烦你了", 0.35),
    (r"太好了|很好|真好|特别好|挺好|好用|不错|满意|喜欢|开心|高兴|棒|赞|给力|专业|及时|快|方便|顺利|好评|推荐|耐心|贴心|完美|靠谱",
     0.45),
    (r"解决了|搞定了|没问题了|好了|可以用了|帮了大忙", 0.5),
]

# Tuned on the dev split (dialog/sentiment/evaluate.py --tune); see bench/results/sentiment.md.
MODEL_WEIGHT = {"en": 0.3, "zh": 0.0}  # SnowNLP (reviews) adds nothing on calls once the classifier is in
CLASSIFIER_WEIGHT = {"en": 0.5, "zh": 0.5}
CUE_WEIGHT = {"en": 0.75, "zh": 1.0}
SNOWNLP_DEAD_ZONE = 0.6
NEGATIVE_BELOW = -0.15
POSITIVE_ABOVE = 0.4
_NEGATED_POSITIVE = re.compile(r"\b(not|never|isn't|wasn't|no)\s+(very\s+|that\s+|so\s+)?(good|great|happy|helpful|"
                               r"satisfied|nice|fast|quick)\b|不(太|怎么|是很)?(满意|好|快|方便|专业|靠谱)")


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


def _cue_score(text: str, language: Language) -> float:
    """Service cues found in the text: negative weights minus positive, in [-1, 1]."""
    lowered = text.lower()
    negative = _EN_NEGATIVE + (_ZH_NEGATIVE if language == "zh" else [])
    positive = _EN_POSITIVE + (_ZH_POSITIVE if language == "zh" else [])
    neg = sum(w for pattern, w in negative if re.search(pattern, lowered))
    pos = sum(w for pattern, w in positive if re.search(pattern, lowered))
    if _NEGATED_POSITIVE.search(lowered):
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
