"""The generated bilingual training set: paraphrase families (`data/paraphrases*.yaml`) filled with slot values
and turned into what ASR hands us (no punctuation, fillers, numbers as words, code-switching).

Deterministic for a seed. Each row keeps its family id ("intent/language/file/index").
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from functools import cache

import cn2an
from num2words import num2words

from dialog.nlu.data import evaluation_keys, overlap_key, paraphrases
from dialog.types import Language

_ALT = re.compile(r"\[([^\[\]]*)\]")

_PRODUCTS = {
    "en": ["wireless earbuds", "electric kettle", "running shoes", "phone case", "laptop bag", "desk lamp",
           "yoga mat", "coffee maker", "backpack", "smart watch", "blender", "headphones"],
    "zh": ["无线耳机", "电水壶", "跑鞋", "手机壳", "电脑包", "台灯", "瑜伽垫", "咖啡机", "双肩包", "智能手表",
           "榨汁机", "蓝牙音箱"],
}
_ADDRESSES = {
    "en": ["12 baker street", "45 park avenue apartment 3", "my office on main street", "221 elm road springfield",
           "88 ocean drive miami"],
    "zh": ["北京市朝阳区建国路88号", "上海市浦东新区世纪大道100号", "广州市天河区体育西路3号", "我公司那边",
           "杭州市西湖区文三路5号"],
}
_EMAILS = ["john dot smith at gmail dot com", "amy@example.com", "l i n at qq dot com", "wang123 at 163 dot com"]
_EN_DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_ZH_DIGIT_WORDS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
_FILLERS = {"en": ["um", "uh", "so", "like", "well", "er"], "zh": ["那个", "嗯", "呃", "就是", "这个", "啊"]}
_PREFIXES = {
    "en": ["hi", "hello", "yes hi", "excuse me", "sorry", "ok so", "i have a question", "quick question"],
    "zh": ["你好", "您好", "喂", "请问", "麻烦问一下", "我想问一下", "那个请问"],
}
_SUFFIXES = {
    "en": ["please", "thanks", "thank you", "asap", "if possible"],
    "zh": ["谢谢", "好吗", "可以吗", "麻烦了", "急"],
}
_CODE_SWITCH = {  # Mandarin callers' English words, and the other way round
    "zh": {"订单": "order", "退款": "refund", "取消": "cancel", "账号": "account", "账户": "account", "发票": "invoice",
           "地址": "address", "密码": "password", "快递": "快递 delivery", "客服": "customer service", "邮箱": "email"},
    "en": {"order": "订单", "refund": "退款", "invoice": "发票"},
}


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    language: Language
    family: str  # "intent/language/index": one paraphrase family


def _spoken_number(rng: random.Random, digits: str, language: Language) -> str:
    """Digits, spaced digits, digit words ("one oh oh four seven", "幺零零四七"), or, for short numbers, the
    number read as a quantity ("ten thousand and forty seven", "一万零四十七")."""
    style = rng.random()
    if style < 0.3:
        return digits
    if style < 0.42:
        return " ".join(digits)
    if style > 0.85 and len(digits) <= 6:
        if language == "en":
            return num2words(int(digits)).replace("-", " ").replace(",", "")
        return cn2an.an2cn(digits)
    if language == "en":
        return " ".join("oh" if d == "0" and rng.random() < 0.5 else _EN_DIGIT_WORDS[int(d)] for d in digits)
    return "".join("幺" if d == "1" and rng.random() < 0.4 else _ZH_DIGIT_WORDS[int(d)] for d in digits)


def _fill(rng: random.Random, template: str, language: Language) -> str:
    text = _ALT.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    qty = rng.choice(["2", "3", "two", "three"] if language == "en" else ["两", "三", "2", "5"])
    values = {
        "order": lambda: _spoken_number(rng, str(rng.randint(10000, 99999)), language),
        "product": lambda: rng.choice(_PRODUCTS[language]),
        "address": lambda: rng.choice(_ADDRESSES[language]),
        "email": lambda: rng.choice(_EMAILS),
        "phone": lambda: _spoken_number(rng, "138" + str(rng.randint(10000000, 99999999)), language),
        "qty": lambda: qty,
    }
    text = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)](), text)
    return re.sub(r"\s+", " ", text).strip()


# Short answers stay short: "hi, no, thanks" is not a way to say no.
_BARE = {"greeting", "goodbye", "affirm", "deny"}


def _asr_like(rng: random.Random, text: str, language: Language, bare: bool = False) -> str:
    """Prefixes, fillers, polite tails and code-switching, the way a phone caller comes out of ASR."""
    if not bare and rng.random() < 0.25:
        text = f"{rng.choice(_PREFIXES[language])} {text}"
    if rng.random() < 0.25:
        words = text.split(" ") if language == "en" else [text]
        pos = rng.randint(0, len(words) - 1) if language == "en" else 0
        words.insert(pos, rng.choice(_FILLERS[language]))
        text = " ".join(words)
    if not bare and rng.random() < 0.2:
        text = f"{text} {rng.choice(_SUFFIXES[language])}"
    if rng.random() < 0.15:
        for src, dst in _CODE_SWITCH[language].items():
            if src in text and rng.random() < 0.7:
                text = text.replace(src, dst if language == "en" else f" {dst} ", 1)
                break
    if language == "zh" and rng.random() < 0.08:
        text = _typo_zh(rng, text, rate=0.05)  # a recogniser's homophone (订单 -> 定单)
    if language == "zh" and rng.random() < 0.5:
        text = text.replace(" ", "")  # Whisper writes Mandarin without spaces, mostly
    elif language == "en" and rng.random() < 0.3:
        text = text.capitalize() + rng.choice([".", "?", ""])
    return re.sub(r"\s+", " ", text).strip()


SOURCES = ("paraphrases.yaml", "paraphrases-from-calls.yaml", "paraphrases-more.yaml")


def generate(per_family: int = 10, seed: int = 7, exclude: Collection[str] | None = None) -> list[Example]:
    """`per_family` sentences for every paraphrase family of every intent, in both languages, in the spoken
    forms ASR gives. A row equal to an evaluation line (`exclude`: `overlap_key`s; default every line of
    `EVALUATION_SOURCES`) is dropped, so no figure is measured on a sentence trained on."""
    if exclude is None:
        exclude = evaluation_keys()
    rows: list[Example] = []
    for offset, name in enumerate(SOURCES):
        rng = random.Random(seed + offset)  # one stream a file: adding families to one leaves the others' rows
        for intent, by_lang in paraphrases(name).items():
            for language, templates in by_lang.items():
                for index, template in enumerate(templates):
                    family = f"{intent}/{language}/{name.removesuffix('.yaml')}/{index}"
                    rows += _family(rng, template, intent, language, family, per_family)
    return [r for r in rows if overlap_key(r.text) not in exclude]


def typed(rows: list[Example], seed: int = 11, exclude: Collection[str] | None = None) -> list[Example]:
    """Each row once more as someone types it in a chat box: typos, dropped apostrophes, chat abbreviations
    (English); characters swapped for others of the same pinyin, as an input method gets wrong (Mandarin). A
    copy that became an evaluation line ("human please" typed "human pls") is dropped, as in `generate`."""
    if exclude is None:
        exclude = evaluation_keys()
    rng = random.Random(seed)
    out = []
    for row in rows:
        text = _typo_en(rng, row.text) if row.language == "en" else _typo_zh(rng, row.text)
        if text != row.text and overlap_key(text) not in exclude:
            out.append(Example(text, row.intent, row.language, row.family + "/typed"))
    return out


def _family(rng: random.Random, template: str, intent: str, language: str, family: str, size: int
            ) -> list[Example]:
    """Up to `size` distinct utterances drawn from one template (a paraphrase family)."""
    seen: dict[str, None] = {}
    for _ in range(size * 3):
        text = _asr_like(rng, _fill(rng, template, language), language, bare=intent in _BARE)
        seen.setdefault(text)
        if len(seen) >= size:
            break
    return [Example(text, intent, language, family) for text in seen]


_ABBREVIATIONS = {"please": "pls", "you": "u", "your": "ur", "are": "r", "account": "acct", "password": "pw",
                  "thanks": "thx", "order": "ordr", "because": "bc", "okay": "ok", "address": "addr",
                  "information": "info", "number": "no", "tomorrow": "tmrw", "message": "msg", "what": "wat"}
_KEYS = "qwertyuiop asdfghjkl zxcvbnm"


def _typo_en(rng: random.Random, text: str) -> str:
    words = []
    for word in text.replace("'", "" if rng.random() < 0.6 else "'").split(" "):
        roll = rng.random()
        if word in _ABBREVIATIONS and roll < 0.3:
            word = _ABBREVIATIONS[word]
        elif len(word) > 3 and roll < 0.25:
            i = rng.randrange(1, len(word) - 1)
            kind = rng.randrange(4)
            if kind == 0:
                word = word[:i] + word[i + 1:]  # a letter dropped
            elif kind == 1:
                word = word[:i - 1] + word[i] + word[i - 1] + word[i + 1:]  # two swapped
            elif kind == 2:
                word = word[:i] + word[i] + word[i:]  # one doubled
            else:
                k = _KEYS.find(word[i])
                near = [c for c in _KEYS[max(0, k - 1):k + 2] if c not in (" ", word[i])] if k >= 0 else []
                word = word[:i] + rng.choice(near) + word[i + 1:] if near else word  # a neighbouring key
        words.append(word)
    if len(words) > 3 and rng.random() < 0.15:
        i = rng.randrange(len(words) - 1)
        words[i:i + 2] = [words[i] + words[i + 1]]  # a missed space
    return " ".join(words)


@cache
def _homophones() -> dict[str, list[str]]:
    """Mandarin characters of the paraphrases by toneless pinyin: what an input method offers for the same
    syllable (退货 -> 退或, 发票 -> 发漂)."""
    from pypinyin import lazy_pinyin

    chars = {c for name in SOURCES for by_lang in paraphrases(name).values() for t in by_lang.get("zh", [])
             for c in t if "\u4e00" <= c <= "\u9fff"}
    groups: dict[str, list[str]] = {}
    for c in sorted(chars):
        groups.setdefault(lazy_pinyin(c)[0], []).append(c)
    return {c: [o for o in group if o != c] for group in groups.values() for c in group if len(group) > 1}


def _typo_zh(rng: random.Random, text: str, rate: float = 0.12) -> str:
    table = _homophones()
    out, changed = [], 0
    for c in text:
        if c in table and changed < 2 and rng.random() < rate:
            c, changed = rng.choice(table[c]), changed + 1
        out.append(c)
    return "".join(out)


def _intent_rows() -> Iterable[str]:
    rows = generate()
    return [row.text for row in rows + typed(rows)]


def _sentiment_rows() -> Iterable[str]:
    from dialog.sentiment.data import training

    return (row.text for row in training())


# Every text a model learns from, by source name; each value is called to get the texts.
TRAINING_SOURCES: dict[str, Callable[[], Iterable[str]]] = {
    "intent training rows (paraphrases filled by dataset.generate, and their typed copies)": _intent_rows,
    "sentiment classifier training turns": _sentiment_rows,
}
