"""One caller turn -> `Understanding`: language, intent with confidence and alternatives, a clarifying
question (and its kind) when unsure, slots, the turn's text sentiment, and what it means in the call so
far (`context.py`).

    u = understander.understand(text, language, context=DialogueContext(...), typed=False)

`typed=True` for text the caller typed (chat, the browser's text box): a model that also reads character
n-grams and was trained on typo'd copies of the rows reads it. Speech (the default) never goes there:
ASR makes homophones, not typos."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from dialog.language import detect_language
from dialog.nlu.clarify import can_offer, clarification
from dialog.nlu.context import DialogueContext, contests, moves_on, resolve
from dialog.nlu.homophones import shop_words_restored
from dialog.nlu.intent import TYPED_MODEL_FILE, IntentModel
from dialog.nlu.slots import Catalogue, extract_slots, load_catalogue
from dialog.paths import nlu_dir
from dialog.sentiment.text import text_sentiment
from dialog.types import Language, Understanding

SHOP_CATALOGUE = Path(__file__).resolve().parents[2] / "samples" / "shop" / "products.json"
# When to ask back, chosen on the independent dev set (`python -m dialog.nlu.evaluate dev --tune`): the
# lowest share of wrong intents going out unasked with at most 5% of right-intent turns asked, per language
# (dev: en 1.3% / zh 4.7% asked; was 0.5 / 0.15: en 2.6% / zh 7.0%).
CONFIDENT = 0.35  # below this top probability, ask
MARGIN = 0.15  # or when the runner-up is this close
# A fragment ("my account", "账号") names a topic, not a request: the classifier still picks one (0.55 for
# "delete my account"), so a turn of two words or four characters needs this much to go unasked.
FRAGMENT_CONFIDENT = 0.8
FAMILIAR = 0.34  # below this share of known words the text is treated as noise (out of scope)
FAMILIAR_TYPED = 0.2  # typos make known words unknown
ALTERNATIVES = 3
# "Did you send me an invoice?" / "开发票了吗？" asks whether it happened; "send me an invoice" / "开发票"
# asks for it. The embeddings barely tell these apart (the words are the same), the wording does. So too
# "退款到了吗？" / "has my refund come through?" (where a refund stands) and "I want a refund" (asks for one).
_ALREADY_DONE = re.compile(
    r"了吗|了没|过吗|过没有|有没有开|\b(?:did|have|has) (?:you|it|the invoice|my invoice|an invoice)\b"
    r"|\b(?:was|is) (?:it|the invoice|my invoice|an invoice) (?:already )?(?:sent|issued|ready)\b", re.I)
_REFUND_ARRIVED = re.compile(
    r"(?:退款|钱|款)(?:已经)?(?:到账?|退回?|打回?|回来|返还)了?(?:吗|没)|退款了(?:吗|没)"
    r"|\b(?:has|have|did|is) (?:my |the )?(?:refund|money)(?: \w+)? (?:arrived|come (?:in|through|back)|gone through"
    r"|been (?:paid|sent|issued|processed))\b|\b(?:did|have) (?:i|you) (?:got|get|received?|sen[dt]|issued?"
    r"|process(?:ed)?) (?:my|the|a) refund\b|\bwhere(?:'s| is) my refund\b"
    r"|\b(?:there's|there is|is there) (?:a |any )?refund (?:on|for) (?:my|the|this|that) order\b", re.I)
# the request -> (its "was it done?" reading, the wording that asks that)
_ASKS_WHETHER_DONE = {"get_invoice": ("check_invoice", _ALREADY_DONE), "get_refund": ("track_refund", _REFUND_ARRIVED)}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z']+")
_HESITATION = re.compile(r"\b(?:u+m+|u+h+|e+r+|h+m+|a+h+)\b|[啊呃额]", re.I)  # sounds, not words ("嗯" can mean yes)


class Understander:
    """Load once per process (the models, and e5 when the chosen model uses it); `understand` per turn."""

    def __init__(self, model_dir: Path | None = None, catalogue: Catalogue | None = None) -> None:
        folder = model_dir or nlu_dir()
        self.model = IntentModel.load(folder)
        self.typed_model = IntentModel.load(folder, TYPED_MODEL_FILE) if (folder / TYPED_MODEL_FILE).exists() \
            else self.model
        if catalogue is None and SHOP_CATALOGUE.exists():
            catalogue = load_catalogue(SHOP_CATALOGUE)
        self.catalogue = catalogue
        for warm_up in ("hello", "你好"):  # jieba's dictionary, e5, SnowNLP's model: loaded before the first caller
            self.understand(warm_up)
            self.understand(warm_up, typed=True)

    def understand(self, text: str, language: Language | None = None, catalogue: Catalogue | None = None, *,
                   context: DialogueContext | None = None, typed: bool = False) -> Understanding:
        """A pure function of (text, language, context, typed) once the models are loaded."""
        text = (text or "").strip()
        language = language or detect_language(text)
        slots = extract_slots(text, language, catalogue if catalogue is not None else self.catalogue)
        text = shop_words_restored(text, language)  # after the slots: a name or an address is read as heard
        if not any(c.isalnum() for c in _HESITATION.sub(" ", text)):
            kind, question = clarification(language, [], noise=True)
            return resolve(Understanding(text, language, "out_of_scope", 0.0, slots=slots, clarify=question,
                                         clarify_kind=kind), context)
        model = self.typed_model if typed else self.model
        probs = model.probabilities([_without_greeting(text)])[0]
        ranked = sorted(zip(model.classes, probs.tolist(), strict=True), key=lambda x: -x[1])
        noise = model.familiarity(text) < (FAMILIAR_TYPED if typed else FAMILIAR)
        if noise:
            ranked = [("out_of_scope", min(ranked[0][1], 0.2))] + [r for r in ranked if r[0] != "out_of_scope"]
        pair = next(((doing, checking) for doing, (checking, wording) in _ASKS_WHETHER_DONE.items()
                     if ranked[0][0] in (doing, checking) and wording.search(text)), None)
        if pair:
            ranked = _asks_whether_done(ranked, *pair)
        intent, confidence = ranked[0]
        unsure = (confidence < (FRAGMENT_CONFIDENT if _fragment(text, language) else CONFIDENT)
                  or confidence - ranked[1][1] < MARGIN)
        kind, question = None, None
        if noise:
            kind, question = clarification(language, ranked, noise=True)
        elif unsure and can_offer(ranked):
            kind, question = clarification(language, ranked)
        u = Understanding(
            text=text, language=language, intent=intent, confidence=round(confidence, 3), slots=slots,
            sentiment=text_sentiment(text, language),
            alternatives=tuple((name, round(p, 3)) for name, p in ranked[1:1 + ALTERNATIVES]),
            clarify=question, clarify_kind=kind,
        )
        u = resolve(u, context)
        # "…nothing you can do? OK, can I return it?": the new request, also when the whole turn read as another one
        if (u.act == "objection" or contests(text, language, context)) and (rest := moves_on(text, language)):
            return replace(self.understand(rest, language, catalogue, context=context, typed=typed), text=text,
                           slots=slots)
        if u.act != "request" and u.intent in _ASKS_WHETHER_DONE and _ASKS_WHETHER_DONE[u.intent][1].search(text):
            u = replace(u, intent=_ASKS_WHETHER_DONE[u.intent][0])  # the invoice the call is on: "开了没有？"
        return u


# "Hi, where is my order?" / "你好，我的快递到哪了？": the greeting is manners, the rest is the request.
_LEADING_GREETING = re.compile(r"^\s*(?:(?:hi|hello|hey|good (?:morning|afternoon|evening))(?: there)?\b[\s,.!]*"
                               r"|(?:你好|您好|喂|哈喽|早上好|下午好|晚上好)[\s,，.。!！]*)", re.IGNORECASE)


def _fragment(text: str, language: Language) -> bool:
    if language == "zh":
        return len(_HAN.findall(text)) <= 4 and not _LATIN_WORD.search(text)
    return len(_LATIN_WORD.findall(text)) <= 2


def _without_greeting(text: str) -> str:
    rest = _LEADING_GREETING.sub("", text, count=1)
    return rest if len(rest.strip()) >= 4 else text  # a greeting alone stays a greeting


def _asks_whether_done(ranked: list[tuple[str, float]], doing: str, checking: str) -> list[tuple[str, float]]:
    """"Was it done?" rather than "do it": the check intent takes the lead, with the two readings' joint
    probability (the model is that sure the turn is about, say, an invoice)."""
    probs = dict(ranked)
    rest = [r for r in ranked if r[0] not in (doing, checking)]
    return [(checking, probs[doing] + probs.get(checking, 0.0))] + rest + [(doing, 0.0)]
