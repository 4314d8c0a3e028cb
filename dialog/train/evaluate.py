"""Base vs fine-tuned on the held-out replies, through the real runtime (llama.cpp, splitter, reply check).

The held-out set (dialog/train/heldout.py) holds real action results, from every outcome the model
words and from the new-caller sample calls, with replies and must-say facts written by someone who never
saw the templates or the training set. Per reply: whether each must-say fact is said (recall); anything the
check rejects, split into the fact check (an invented number, date, code or status, the wrong language, a
refusal) and the action check (a deed not done, "done" after a refusal or "couldn't" after a success, a
wrong tense); length; time to the first whole sentence; and what the writer would have done with the
default deadline (speak the model, or replace it with the template).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from dialog.generate.backends import LlamaCppBackend, default_model_path
from dialog.generate.check import action_problems, check_sentence
from dialog.generate.facts import spoken_facts
from dialog.generate.prompt import SYSTEM_PROMPT, build_messages
from dialog.generate.sentences import SentenceSplitter
from dialog.generate.writer import WriterSettings
from dialog.train.heldout import HeldOut


def expected_facts(example: HeldOut) -> dict[str, str]:
    """The facts the writer says a good reply states, as the prompt shows them."""
    spoken = spoken_facts(example.result.facts, example.language)
    return {k: spoken[k] for k in example.must_say if k in spoken}


def run_one(backend: LlamaCppBackend, example: HeldOut, deadline_s: float) -> dict:
    splitter = SentenceSplitter()
    pieces = SentenceSplitter(first_clause=True)  # what the writer sends to the voice first
    sentences: list[str] = []
    first_s = first_piece_s = None
    t0 = time.perf_counter()
    tokens = 0
    messages = build_messages(example.result, example.language, example.caller_text)
    for delta in backend.stream(messages, max_tokens=80):
        tokens += 1
        got = splitter.feed(delta)
        if got and first_s is None:
            first_s = time.perf_counter() - t0
        if pieces.feed(delta) and first_piece_s is None:
            first_piece_s = time.perf_counter() - t0
        sentences += got
    total_s = time.perf_counter() - t0
    sentences += splitter.flush()
    first_s = total_s if first_s is None else first_s
    first_piece_s = total_s if first_piece_s is None else first_piece_s
    result = example.result
    problems = [(i, p) for i, s in enumerate(sentences) for p in check_sentence(s, result, example.language)]
    contradictions = [p for s in sentences for p in action_problems(s, result)]
    text = ("" if example.language == "zh" else " ").join(sentences)
    want = expected_facts(example)
    said = [k for k, v in want.items() if v in text]
    first_ok = bool(sentences) and not any(i == 0 for i, _ in problems)
    return {"id": example.id, "language": example.language, "action": str(result.action),
            "outcome": str(result.outcome), "caller": example.caller_text,
            "reply": text, "reference": example.reference, "facts_expected": len(want), "facts_said": len(said),
            "contradictions": contradictions,
            "invented": [p for _, p in problems if not p.startswith("not in") and p != "refusal"
                         and p not in contradictions],
            "language_ok": not any(p.startswith("not in") for _, p in problems), "refusal": any(
                p == "refusal" for _, p in problems), "chars": len(text), "sentences": len(sentences),
            "first_piece_s": round(first_piece_s, 3), "first_sentence_s": round(first_s, 3),
            "total_s": round(total_s, 3), "tokens": tokens, "tok_per_s": round(tokens / max(1e-6, total_s), 1),
            "writer_speaks_model": first_ok and first_piece_s <= deadline_s and not problems}


def summarise(rows: list[dict]) -> dict:
    n = len(rows)
    expected = sum(r["facts_expected"] for r in rows)
    return {
        "replies": n,
        "fact_recall": round(sum(r["facts_said"] for r in rows) / max(1, expected), 3),
        "replies_all_facts": round(sum(r["facts_said"] == r["facts_expected"] for r in rows) / n, 3),
        "replies_inventing": round(sum(bool(r["invented"]) for r in rows) / n, 3),
        "replies_contradicting": round(sum(bool(r["contradictions"]) for r in rows) / n, 3),
        "replaced_by_fact_check": round(sum(bool(r["invented"]) or not r["language_ok"] or r["refusal"]
                                            for r in rows) / n, 3),
        "replaced_by_any_check": round(sum(bool(r["invented"]) or not r["language_ok"] or r["refusal"]
                                           or bool(r["contradictions"]) for r in rows) / n, 3),
        "language_match": round(sum(r["language_ok"] for r in rows) / n, 3),
        "refusals": round(sum(r["refusal"] for r in rows) / n, 3),
        "fully_correct": round(sum(r["facts_said"] == r["facts_expected"] and not r["invented"] and r["language_ok"]
                                   and not r["refusal"] and not r["contradictions"] for r in rows) / n, 3),
        "mean_chars": round(statistics.mean(r["chars"] for r in rows), 1),
        "mean_sentences": round(statistics.mean(r["sentences"] for r in rows), 2),
        "first_piece_median_s": round(statistics.median(r["first_piece_s"] for r in rows), 3),
        "first_sentence_median_s": round(statistics.median(r["first_sentence_s"] for r in rows), 3),
        "first_sentence_p90_s": round(sorted(r["first_sentence_s"] for r in rows)[int(0.9 * (n - 1))], 3),
        "tok_per_s_median": round(statistics.median(r["tok_per_s"] for r in rows), 1),
        "writer_speaks_model": round(sum(r["writer_speaks_model"] for r in rows) / n, 3),
    }


def compare(examples: list[HeldOut], adapter: Path | None, log=print) -> dict:  # noqa: ANN001
    deadline = WriterSettings().first_sentence_deadline_s
    out: dict = {"deadline_s": deadline, "held_out": len(examples), "load_average_before": os.getloadavg()[0],
                 "model": default_model_path().name, "models": {}}
    variants = [("base", None)] + ([("fine-tuned", adapter)] if adapter else [])
    for name, path in variants:
        backend = LlamaCppBackend(adapter_path=path)
        backend.warm(SYSTEM_PROMPT)
        rows = []
        for i, example in enumerate(examples):
            rows.append(run_one(backend, example, deadline))
            if i % 10 == 0:
                log(f"{name} {i + 1}/{len(examples)}: {rows[-1]['reply'][:70]!r}")
        out["models"][name] = {"summary": summarise(rows), "rows": rows}
        out[f"load_average_after_{name}"] = os.getloadavg()[0]
        del backend
    return out


def markdown(report: dict, train_info: dict | None) -> str:
    names = list(report["models"])
    metrics = [("fully correct replies (every must-say fact, nothing invented or contradicting, right language)",
                "fully_correct"),
               ("fact recall (must-say facts said)", "fact_recall"),
               ("replies with every must-say fact", "replies_all_facts"),
               ("replies stating something not in the facts", "replies_inventing"),
               ("replies contradicting the action (deed, done/refused, tense)", "replies_contradicting"),
               ("replies the fact check alone would replace", "replaced_by_fact_check"),
               ("replies the full check replaces (fact + action)", "replaced_by_any_check"),
               ("language match", "language_match"), ("refusals", "refusals"),
               ("mean length (characters)", "mean_chars"), ("mean sentences", "mean_sentences"),
               ("time to first spoken piece (first clause), median (s)", "first_piece_median_s"),
               ("time to first whole sentence, median (s)", "first_sentence_median_s"),
               ("time to first sentence, p90 (s)", "first_sentence_p90_s"),
               ("tokens/s incl. prompt, median", "tok_per_s_median"),
               (f"writer would speak the model (checked, first sentence < {report['deadline_s']} s)",
                "writer_speaks_model")]
    lines = ["# Reply model: base vs fine-tuned (held-out replies written independently)", "",
             "`python -m dialog.train` on this machine (2 threads, llama-cpp-python, Qwen2.5-Coder-0.5B-Instruct "
             f"`{report.get('model', '?')}`, greedy). {report['held_out']} held-out turns: real action results "
             "(every outcome the model words, and the new-caller sample calls' turns) with reference replies and "
             "must-say facts by a writer who never saw the templates or the training set (dialog/train/heldout/). "
             f"1-minute load average while measuring: {report['load_average_before']:.1f} "
             "(2 cores; above 2 the timings are inflated by other work).", "",
             "| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, key in metrics:
        lines.append(f"| {label} | " + " | ".join(str(report["models"][n]["summary"][key]) for n in names) + " |")
    if "writer" in report:
        w = report["writer"]
        lines += ["", f"Through `ReplyWriter` (default settings: deadline {report['deadline_s']} s, first clause "
                  "spoken "
                  f"at once, fine-tuned adapter), {w['turns']} turns on one warm model, load average "
                  f"{w['load_average']:.1f}: first piece to the voice median {w['first_piece_median_s']} s, first "
                  f"token median {w['first_token_median_s']} s, generation {w['gen_tok_per_s_median']} tok/s; "
                  f"model spoke {w['source_llm']:.0%} of replies (rest: template fallback); template sentences "
                  f"added for left-out facts in {w['replies_with_template_additions']:.0%}."]
    if train_info:
        lines += ["", "Training: " + ", ".join(f"{k} {v}" for k, v in train_info.items())]
    lines += ["", "Examples (first 6 held-out turns):", ""]
    for i in range(min(6, report["held_out"])):
        rows = {n: report["models"][n]["rows"][i] for n in names}
        first = rows[names[0]]
        lines.append(f"- **{first['caller']}** ({first['action']} {first['outcome']}) reference: {first['reference']}")
        for n in names:
            lines.append(f"  - {n}: " + rows[n]["reply"].replace("\n", " "))
    return "\n".join(lines) + "\n"


class _TimedBackend:
    """Wraps a backend to time its first token and count tokens (one delta = one token for llama.cpp)."""

    def __init__(self, backend: LlamaCppBackend) -> None:
        self.backend = backend
        self.first_token_s = 0.0
        self.tokens = 0
        self.total_s = 0.0

    def stream(self, messages: list[dict[str, str]], max_tokens: int = 96):  # noqa: ANN201
        t0 = time.perf_counter()
        self.tokens = 0
        for delta in self.backend.stream(messages, max_tokens):
            if self.tokens == 0:
                self.first_token_s = time.perf_counter() - t0
            self.tokens += 1
            yield delta
        self.total_s = time.perf_counter() - t0


def writer_latency(examples: list[HeldOut], adapter: Path | None) -> dict:
    """The product path: ReplyWriter with default settings, turn after turn on one warm model."""
    from dialog.generate.writer import ReplyWriter

    timed = _TimedBackend(LlamaCppBackend(adapter_path=adapter))
    timed.backend.warm(SYSTEM_PROMPT)
    writer = ReplyWriter(timed)
    rows = []
    for e in examples:
        reply = writer.write(e.result, e.language, caller_text=e.caller_text)
        reply.text()
        gen_s = timed.total_s - timed.first_token_s
        rows.append({"first_piece_s": round(reply.meta.first_sentence_s or 0.0, 3), "source": reply.meta.source,
                     "fallback": reply.meta.fallback_reason, "facts_added": len(reply.meta.facts_added),
                     "first_token_s": round(timed.first_token_s, 3),
                     "gen_tok_per_s": round((timed.tokens - 1) / gen_s, 1) if gen_s > 0 and timed.tokens > 1 else None,
                     "text": reply.meta.text})
    speeds = [r["gen_tok_per_s"] for r in rows if r["gen_tok_per_s"]]
    return {"turns": len(rows), "load_average": os.getloadavg()[0],
            "first_piece_median_s": round(statistics.median(r["first_piece_s"] for r in rows), 3),
            "first_token_median_s": round(statistics.median(r["first_token_s"] for r in rows), 3),
            "gen_tok_per_s_median": round(statistics.median(speeds), 1) if speeds else None,
            "source_llm": round(sum(r["source"] == "llm" for r in rows) / len(rows), 3),
            "replies_with_template_additions": round(sum(r["facts_added"] > 0 for r in rows) / len(rows), 3),
            "rows": rows}
