"""Write the spoken reply for one turn: the model streams it, every sentence is checked, templates catch the rest.

The caller hears the first sentence while the model writes the next: it goes out the moment it is
cut and checked (later ones wait one token, to learn whether they are the last). A sentence goes out
only after the fact check passes; if the model is late (no checked first sentence within the
deadline), errors, or states something the facts do not hold before anything was said, the
whole reply is the template one. After something was said, a failing sentence is replaced by
the template sentences (the caller still hears every fact, and only checked words). A fact the
model left out is added at the end with its template sentence.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from dialog.contract import ActionResult
from dialog.generate.backends import BackendError, ChatBackend
from dialog.generate.check import check_sentence
from dialog.generate.facts import spoken_facts
from dialog.generate.prompt import build_messages
from dialog.generate.sentences import SentenceSplitter
from dialog.generate.templates import line, template_reply
from dialog.types import Action, CallState, Language, MoodLabel, Reason, ReplyPart, Understanding

# Outcomes that are always scripted: exact wording matters more than variety (identity checks, read-backs,
# hand-offs, clarifying questions, and the questions that ask for what a request still needs: "which of these
# orders?", "what is the new address?" — on the unseen calls the model turned them into true-sounding nonsense,
# "I can't see the order 10001. It's a delivery address.", that no fact check can catch).
SCRIPTED = frozenset({Action.greeting, Action.goodbye, Action.clarify, Action.contact_human_agent,
                      Action.keep_as_is, Action.hear_out, Reason.not_verified, Reason.verification_locked,
                      Reason.needs_confirmation, Reason.unknown_order, Reason.missing_address})


def scripted(result: ActionResult, kinds: frozenset[str] = SCRIPTED) -> bool:
    return result.action in kinds or (result.reason is not None and result.reason in kinds)


@dataclass(frozen=True)
class WriterSettings:
    """How replies are written (VOICEDESK_WRITER__*)."""

    first_sentence_deadline_s: float = 1.2  # no checked first sentence by then: say the template
    stall_timeout_s: float = 4.0  # the model went quiet mid-reply
    max_tokens: int = 80
    max_sentences: int = 4
    first_clause: bool = True  # the first piece ends at its first comma ("好的，" / "Sure,") and is spoken at once


@dataclass
class ReplyMeta:
    """How a reply was made, for per-turn metrics and the call record."""

    source: Literal["llm", "template"] = "llm"
    first_token_s: float | None = None  # from write() to the model's first token (templates: the first part)
    first_sentence_s: float | None = None  # from write() to the first ReplyPart
    total_s: float | None = None
    text: str = ""
    facts_used: list[str] = field(default_factory=list)
    check_failures: list[str] = field(default_factory=list)
    fallback_reason: str | None = None  # timeout | backend error: ... | check | empty | scripted | no backend
    facts_added: list[str] = field(default_factory=list)  # template sentences appended for facts the model left out


class Reply:
    """An iterator of ReplyParts; `meta` is complete once it is exhausted. `stop()` ends the model's generation at
    its next token, from any thread (closing the iterator can only be done by the thread running it)."""

    def __init__(self, parts: Iterator[ReplyPart], meta: ReplyMeta, cancel: threading.Event | None = None) -> None:
        self._parts = parts
        self.meta = meta
        self.cancel = cancel or threading.Event()

    def stop(self) -> None:
        self.cancel.set()

    def __iter__(self) -> Iterator[ReplyPart]:
        return self._parts

    def __next__(self) -> ReplyPart:
        return next(self._parts)

    def text(self) -> str:
        """Consume the reply and return all of it."""
        for _ in self._parts:
            pass
        return self.meta.text

    async def parts_async(self) -> AsyncIterator[ReplyPart]:
        """The same parts for an asyncio caller (the generation runs on a worker thread)."""
        loop = asyncio.get_running_loop()
        done = object()
        while (part := await loop.run_in_executor(None, next, self._parts, done)) is not done:
            yield part  # type: ignore[misc]


class ReplyWriter:
    def __init__(self, backend: ChatBackend | None, settings: WriterSettings | None = None) -> None:
        self.backend = backend
        self.settings = settings or WriterSettings()

    def write_for(self, understanding: Understanding, result: ActionResult, state: CallState | None = None) -> Reply:
        """Convenience for the agent: language, mood and history from the turn."""
        return self.write(result, understanding.language, caller_text=understanding.text,
                          mood=understanding.sentiment.label, history=state.history if state else ())

    def write(self, result: ActionResult, language: Language, *, caller_text: str = "", mood: MoodLabel = "neutral",
              history: Sequence[tuple[str, str]] = ()) -> Reply:
        meta = ReplyMeta()
        start = time.perf_counter()
        cancel = threading.Event()
        if self.backend is None or scripted(result):
            reason = "no backend" if self.backend is None else "scripted"
            parts = self._template(result, language, mood, meta, reason)
        else:
            messages = build_messages(result, language, caller_text, mood, history)
            parts = self._generate(messages, result, language, mood, meta, start, cancel)
        return Reply(self._finish(parts, result, language, meta, start), meta, cancel)

    def _finish(self, parts: Iterator[ReplyPart], result: ActionResult, language: Language, meta: ReplyMeta,
                start: float) -> Iterator[ReplyPart]:
        said: list[str] = []
        offer = line("offer_human", language) if result.offer_human else None
        if result.offer and not offer:  # "Shall I cancel order 10007 for you?"
            offer = line(f"offer_{result.offer}", language, order=(result.target or "").removeprefix("order:"))
        gesture = line("goodwill", language, voucher=result.voucher) if result.voucher else None
        for part in parts:
            if meta.first_sentence_s is None:
                meta.first_sentence_s = time.perf_counter() - start
                meta.first_token_s = meta.first_sentence_s if meta.first_token_s is None else meta.first_token_s
            if part.text:
                said.append(part.text)
            yield part
        if gesture and gesture not in said:  # a voucher given is always said
            said.append(gesture)
            yield ReplyPart(gesture, language, last=not offer)
        if offer and offer not in said:  # the agent offers a person: the caller must hear the question
            said.append(offer)
            yield ReplyPart(offer, language, last=True)
        meta.total_s = time.perf_counter() - start
        meta.text = ("" if language == "zh" else " ").join(said)
        spoken = spoken_facts(result.facts, language)
        meta.facts_used = [k for k, v in spoken.items() if v and v != "1" and v in meta.text]

    def _template(self, result: ActionResult, language: Language, mood: MoodLabel, meta: ReplyMeta,
                  reason: str) -> Iterator[ReplyPart]:
        meta.source = "template"
        meta.fallback_reason = reason
        sentences = template_reply(result, language, negative=mood == "negative")
        for i, sentence in enumerate(sentences):
            yield ReplyPart(sentence, language, last=i == len(sentences) - 1)

    def _generate(self, messages: list[dict[str, str]], result: ActionResult, language: Language, mood: MoodLabel,
                  meta: ReplyMeta, start: float, cancel: threading.Event) -> Iterator[ReplyPart]:
        s = self.settings
        events: queue.Queue[tuple[str, object]] = queue.Queue()
        threading.Thread(target=_pump, args=(self.backend, messages, s.max_tokens, events, cancel),
                         daemon=True).start()
        splitter = SentenceSplitter(first_clause=s.first_clause)
        pending: str | None = None  # checked, waiting to learn whether more follows
        said: list[str] = []
        emitted = 0
        deadline = start + s.first_sentence_deadline_s

        def fallback(reason: str) -> Iterator[ReplyPart]:
            cancel.set()
            yield from self._template(result, language, mood, meta, reason)

        try:
            while True:
                waiting_first = emitted == 0 and pending is None
                timeout = deadline - time.perf_counter() if waiting_first else s.stall_timeout_s
                try:
                    kind, value = events.get(timeout=max(0.0, timeout))
                except queue.Empty:
                    if waiting_first:
                        yield from fallback("timeout")
                    else:
                        cancel.set()
                        yield ReplyPart(pending or "", language, last=True)
                    return
                if kind == "error":
                    if emitted == 0:
                        yield from fallback(f"backend error: {value}")
                    else:
                        yield ReplyPart(pending or "", language, last=True)
                    return
                if kind == "delta":
                    delta = str(value)
                    if meta.first_token_s is None:
                        meta.first_token_s = time.perf_counter() - start
                    if pending is not None and delta.strip():
                        yield ReplyPart(pending, language)
                        said.append(pending)
                        emitted, pending = emitted + 1, None
                    sentences = splitter.feed(delta)
                else:
                    sentences = splitter.flush()
                for sentence in sentences:
                    problems = check_sentence(sentence, result, language)
                    if problems:
                        meta.check_failures.extend(f"{sentence!r}: {p}" for p in problems)
                        cancel.set()
                        if emitted == 0 and pending is None:
                            yield from fallback("check")
                            return
                        if pending is not None:
                            yield ReplyPart(pending, language)
                        cancel.set()
                        meta.source = "template"
                        meta.fallback_reason = "check (after the model's first words)"
                        rest = template_reply(result, language)
                        for i, sentence in enumerate(rest):
                            yield ReplyPart(sentence, language, last=i == len(rest) - 1)
                        return
                    if pending is not None:
                        yield ReplyPart(pending, language)
                        said.append(pending)
                        emitted += 1
                    if emitted == 0:  # the first words go out at once: the voice starts while the model writes
                        yield ReplyPart(sentence, language)
                        said.append(sentence)
                        emitted = 1
                        continue
                    pending = sentence
                    if emitted + 1 >= s.max_sentences:
                        cancel.set()
                        missing = _missing_sentences(result, language, [*said, pending])
                        meta.facts_added = missing
                        yield ReplyPart(pending, language, last=not missing)
                        for i, extra in enumerate(missing):
                            yield ReplyPart(extra, language, last=i == len(missing) - 1)
                        return
                if kind == "end":
                    missing = _missing_sentences(result, language, said + ([pending] if pending else []))
                    if missing and (pending is not None or emitted):
                        meta.facts_added = missing
                        if pending is not None:
                            yield ReplyPart(pending, language)
                        for i, sentence in enumerate(missing):
                            yield ReplyPart(sentence, language, last=i == len(missing) - 1)
                    elif pending is not None:
                        yield ReplyPart(pending, language, last=True)
                    elif emitted == 0:
                        yield from fallback("empty")
                    else:
                        yield ReplyPart("", language, last=True)
                    return
        finally:
            cancel.set()


def _missing_sentences(result: ActionResult, language: Language, said: list[str]) -> list[str]:
    """Template sentences carrying a fact the caller must hear (number, date, code, name) that the model's reply
    left out."""
    text = ("" if language == "zh" else " ").join(said)  # a fact may straddle the first clause and the rest
    spoken = spoken_facts(result.facts, language)
    # states are said in many ways ("has shipped", "已经发货") and texts are paraphrased: the check guards those
    values = [spoken[k] for k in result.facts.must_say()
              if k not in ("status", "refund_status") and 2 <= len(spoken.get(k, "")) <= 40]
    return [sentence for sentence in template_reply(result, language)
            if any(v in sentence and v not in text for v in values)]


def _pump(backend: ChatBackend, messages: list[dict[str, str]], max_tokens: int,
          events: queue.Queue[tuple[str, object]], cancel: threading.Event) -> None:
    """Run the backend on a worker thread, so the writer can keep its deadline while the model computes."""
    stream = None
    try:
        stream = backend.stream(messages, max_tokens)
        for delta in stream:
            if cancel.is_set():
                break
            events.put(("delta", delta))
        events.put(("end", None))
    except BackendError as e:
        events.put(("error", e))
    except Exception as e:  # noqa: BLE001 - any backend failure must become a template reply
        events.put(("error", BackendError(f"{type(e).__name__}: {e}")))
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
