"""The generated bilingual training set: paraphrase families (`data/paraphrases*.yaml`) filled with slot values
and turned into what ASR hands us (no punctuation, fillers, numbers as words, code-switching).

Deterministic for a seed. Each row keeps its family id, so evaluation can hold out whole families.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from dialog.nlu.data import paraphrases
from dialog.types import INTENTS, Language

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
    style = rng.random()
    if style < 0.35:
        return digits
    if language == "en":
        if style < 0.5:
            return " ".join(digits)
        return " ".join("oh" if d == "0" and rng.random() < 0.5 else _EN_DIGIT_WORDS[int(d)] for d in digits)
    if style < 0.5:
        return " ".join(digits)
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


def _asr_like(rng: random.Random, text: str, language: Language) -> str:
    """Prefixes, fillers, polite tails and code-switching, the way a phone caller comes out of ASR."""
    if rng.random() < 0.25:
        text = f"{rng.choice(_PREFIXES[language])} {text}"
    if rng.random() < 0.25:
        words = text.split(" ") if language == "en" else [text]
        pos = rng.randint(0, len(words) - 1) if language == "en" else 0
        words.insert(pos, rng.choice(_FILLERS[language]))
        text = " ".join(words)
    if rng.random() < 0.2:
        text = f"{text} {rng.choice(_SUFFIXES[language])}"
    if rng.random() < 0.15:
        for src, dst in _CODE_SWITCH[language].items():
            if src in text and rng.random() < 0.7:
                text = text.replace(src, dst if language == "en" else f" {dst} ", 1)
                break
    if language == "zh" and rng.random() < 0.5:
        text = text.replace(" ", "")  # Whisper writes Mandarin without spaces, mostly
    elif language == "en" and rng.random() < 0.3:
        text = text.capitalize() + rng.choice([".", "?", ""])
    return re.sub(r"\s+", " ", text).strip()


def generate(per_family: int = 10, seed: int = 7) -> list[Example]:
    """`per_family` sentences for every paraphrase family of every intent, in both languages."""
    rng = random.Random(seed)
    rows: list[Example] = []
    families = paraphrases()
    for intent in INTENTS:
        for language in ("en", "zh"):
            for index, template in enumerate(families[intent][language]):
                rows += _family(rng, template, intent, language, f"{intent}/{language}/{index}", per_family)
    rng = random.Random(seed + 1)  # the added families: their own stream, so the rows above stay the same
    for intent, by_lang in paraphrases("paraphrases-from-calls.yaml").items():
        for language, templates in by_lang.items():
            for index, template in enumerate(templates):
                rows += _family(rng, template, intent, language, f"{intent}/{language}/extra{index}", per_family)
    return rows


def _family(rng: random.Random, template: str, intent: str, language: str, family: str, size: int
            ) -> list[Example]:
    """Up to `size` distinct utterances drawn from one template (a paraphrase family)."""
    seen: dict[str, None] = {}
    for _ in range(size * 3):
        text = _asr_like(rng, _fill(rng, template, language), language)
        seen.setdefault(text)
        if len(seen) >= size:
            break
    return [Example(text, intent, language, family) for text in seen]


def split_by_family(rows: list[Example], every: int = 5, seed: int = 7) -> tuple[list[Example], list[Example]]:
    """(train, held out): one family in `every` per intent and language is held out whole (never one of
    `paraphrases-from-calls.yaml`, which are always trained on)."""
    rng = random.Random(seed)
    held: set[str] = set()
    for intent in INTENTS:
        for language in ("en", "zh"):
            n = len(paraphrases()[intent][language])
            picks = rng.sample(range(n), max(1, n // every))
            held.update(f"{intent}/{language}/{i}" for i in picks)
    return [r for r in rows if r.family not in held], [r for r in rows if r.family in held]
