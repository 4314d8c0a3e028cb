"""report.json and report.html: one self-contained page (inline SVG charts, no scripts from elsewhere)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

SEGMENTS = (  # the waterfall of one turn, from the end of the caller's speech to the first reply audio
    ("endpoint", "#9aa5b1", "end-of-turn wait"),
    ("asr", "#5b8def", "final transcript"),
    ("understand", "#43b581", "understanding"),
    ("action", "#2f9e44", "action"),
    ("generate", "#f59f00", "first reply sentence"),
    ("tts", "#e8590c", "speech synthesis"),
)


def write_report(folder: Path, summary: dict[str, Any], calls: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"generated": datetime.now(UTC).isoformat(timespec="seconds"), **meta, "summary": summary, "calls": calls}
    (folder / "report.json").write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n",
                                        encoding="utf-8")
    (folder / "report.html").write_text(render_html(data), encoding="utf-8")


def summary_table(summary: dict[str, Any]) -> str:
    """The plain-text table `make eval` prints and docs/replay.md quotes: one column per language, then the
    latencies of the whole set."""
    rows = summary_rows(summary)
    width = max(len(k) for k, _ in rows)
    cells = max(len(c) for _, cs in rows for c in cs)
    return "\n".join(f"{k.ljust(width)}  " + "  ".join(c.ljust(cells) for c in cs).rstrip() for k, cs in rows)


def summary_rows(summary: dict[str, Any]) -> list[tuple[str, list[str]]]:
    languages = list(summary["by_language"])
    figures = [summary["by_language"][lang] for lang in languages]
    rows = [("", languages), ("calls / turns", [f"{f['calls']} / {f['turns']}" for f in figures]),
            ("WER / CER", [f"{f['metric']} {f['error_rate']:.3f}" for f in figures]),
            ("intent", [f"{f['intent_accuracy']:.2f}" for f in figures]),
            ("slots", [_count(*f["slots"]) for f in figures]),
            ("mood", [f"{f['mood_agreement']:.2f}" for f in figures]),
            ("outcomes met", [_count(*f["outcomes"]) for f in figures]),
            ("replies correct", [_count(*f["replies_correct"]) for f in figures]),
            ("replies correct, as heard (ASR)", [_count(*f["heard_correct"]) for f in figures]),
            ("right intent, asked back", [_count(*f["asked_back"]) for f in figures]),
            ("false actions", [str(f["false_actions"]) for f in figures]),
            ("task success", [_count(*f["tasks"]) for f in figures]),
            ("voice-to-voice ms (median / p90)", [_latency(f["voice_to_voice"]) for f in figures])]
    rows.append(("hand-offs (expected)", [f"{summary['handoffs']} ({summary['handoffs_expected']})"]))
    rows.append(("barge-ins", [str(summary["interruptions"])]))
    for stage, v in summary["latency_ms"].items():
        rows.append((f"{stage} ms (median / p90)", [_latency(v)]))
    return rows


def _count(n: int, total: int) -> str:
    return "n/a" if not total else f"{n}/{total} {n / total:.2f}"


def _latency(v: dict[str, float] | None) -> str:
    return "n/a" if not v else f"{v['median']:.0f} / {v['p90']:.0f}"


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def waterfall(latency: dict[str, float | None]) -> list[tuple[str, float, float]]:
    """(segment, start ms, end ms) from the end of the caller's speech."""
    get = lambda k: latency.get(k) or 0.0  # noqa: E731
    t, out = 0.0, []
    first_sentence = get("first_sentence") or get("understand") + get("action")
    for name, length in (("endpoint", get("endpoint")), ("asr", get("asr")), ("understand", get("understand")),
                         ("action", get("action")),
                         ("generate", max(0.0, first_sentence - get("understand") - get("action"))),
                         ("tts", max(0.0, get("first_audio") - get("asr") - first_sentence))):
        out.append((name, t, t + length))
        t += length
    return out


# --- HTML -------------------------------------------------------------------------------------
def render_html(data: dict[str, Any]) -> str:
    s = data["summary"]
    head = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>VoiceDesk replay report</title><style>
body{{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}}
h1{{margin:0 0 4px}} h2{{margin-top:32px;border-bottom:1px solid #dde2ea;padding-bottom:4px}}
table{{border-collapse:collapse;margin:8px 0}} td,th{{border:1px solid #dde2ea;padding:4px 8px;text-align:left;
vertical-align:top}} th{{background:#f4f6fa}} .ok{{color:#2f9e44;font-weight:600}} .bad{{color:#e03131;font-weight:600}}
.call{{border:1px solid #dde2ea;border-radius:8px;padding:12px 16px;margin:16px 0}} .muted{{color:#6b7585}}
.badge{{display:inline-block;border-radius:10px;padding:1px 8px;margin-right:6px;background:#eef1f6}}
svg text{{font:11px system-ui,sans-serif}} audio{{height:32px;vertical-align:middle}}
</style></head><body>
<h1>VoiceDesk replay report</h1><p class="muted">{escape(data['generated'])} · {s['calls']} calls,
{s['turns']} turns · {'as fast as possible' if data.get('fast') else 'real time'} ·
reply model: {escape(str(data.get('llm')))}</p>"""
    parts = [head, "<h2>Summary</h2>", _summary_html(s), "<h2>Latency</h2>", _latency_html(s),
             '<div id="chart-latency">', _histogram([t["latency_ms"].get("voice_to_voice") for c in data["calls"]
                                                     for t in c["turns"]]), "</div>",
             _legend(), "<h2>Calls</h2>"]
    parts += [_call_html(c) for c in data["calls"]]
    parts.append("</body></html>")
    return "\n".join(parts)


def _summary_html(s: dict[str, Any]) -> str:
    rows = "".join(f"<tr><th>{escape(k)}</th>" + "".join(f"<td>{escape(c)}</td>" for c in cs) + "</tr>"
                   for k, cs in summary_rows(s) if "ms (median" not in k or "voice-to-voice" in k)
    return f'<table id="summary">{rows}</table>'


def _latency_html(s: dict[str, Any]) -> str:
    rows = "".join(f"<tr><td>{escape(k)}</td><td>{v['median']:.0f}</td><td>{v['p90']:.0f}</td><td>{v['n']}</td></tr>"
                   for k, v in s["latency_ms"].items())
    return f"<table><tr><th>stage (ms)</th><th>median</th><th>p90</th><th>turns</th></tr>{rows}</table>"


def _histogram(values: list[float | None], width: int = 640, height: int = 180) -> str:
    vals = [v for v in values if v is not None]
    if not vals:
        return '<p class="muted">no voice-to-voice latencies</p>'
    step = 250.0
    top = max(vals)
    bins = [0] * (int(top // step) + 1)
    for v in vals:
        bins[int(v // step)] += 1
    bar_w = (width - 40) / len(bins)
    peak = max(bins)
    bars = []
    for i, n in enumerate(bins):
        h = (height - 40) * n / peak
        x = 30 + i * bar_w
        bars.append(f'<rect class="bar" x="{x:.1f}" y="{height - 20 - h:.1f}" width="{bar_w - 2:.1f}" '
                    f'height="{h:.1f}" fill="#5b8def"><title>{i * step:.0f}-{(i + 1) * step:.0f} ms: {n}'
                    "</title></rect>")
        if i % max(1, len(bins) // 8) == 0:
            bars.append(f'<text x="{x:.1f}" y="{height - 5}">{i * step / 1000:.2f}s</text>')
    return (f'<svg class="chart" width="{width}" height="{height}" role="img" aria-label="voice-to-voice latency '
            f'histogram"><text x="30" y="12">voice-to-voice latency, turns per 250 ms</text>{"".join(bars)}</svg>')


def _legend() -> str:
    items = "".join(f'<span class="badge"><svg width="10" height="10"><rect width="10" height="10" fill="{c}"/></svg> '
                    f"{escape(label)}</span>" for _, c, label in SEGMENTS)
    return f"<p>Turn waterfall: {items}</p>"


def _mood_timeline(turns: list[dict[str, Any]], width: int = 320, height: int = 110) -> str:
    points = [(i, t["mood_score"]) for i, t in enumerate(turns) if t["mood_score"] is not None]
    if not points:
        return ""
    n = max(1, len(turns) - 1)
    xy = [(20 + (width - 40) * i / n, 10 + (height - 30) * (1 - (m + 1) / 2), m) for i, m in points]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in xy)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{_mood_colour(m)}"><title>turn {i + 1}: '
                   f"{m:+.2f}</title></circle>" for (x, y, m), (i, _) in zip(xy, points, strict=True))
    zero = 10 + (height - 30) / 2
    return (f'<svg class="chart chart-mood" width="{width}" height="{height}" role="img" aria-label="mood timeline">'
            f'<text x="20" y="10">mood per turn (-1 … +1)</text>'
            f'<line x1="20" x2="{width - 20}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#ccd3dd" stroke-dasharray="3"/>'
            f'<polyline points="{line}" fill="none" stroke="#6b7585"/>{dots}</svg>')


def _mood_colour(m: float) -> str:
    return "#e03131" if m < -0.25 else "#2f9e44" if m > 0.25 else "#f59f00"


def _waterfall_svg(turns: list[dict[str, Any]], width: int = 640) -> str:
    rows = [waterfall(t["latency_ms"]) for t in turns]
    top = max((end for r in rows for _, _, end in r), default=0) or 1
    scale = (width - 70) / top
    height = 22 * len(rows) + 24
    out = []
    colours = {name: colour for name, colour, _ in SEGMENTS}
    for i, row in enumerate(rows):
        y = 18 + i * 22
        out.append(f'<text x="0" y="{y + 12}">turn {i + 1}</text>')
        for name, start, end in row:
            if end > start:
                out.append(f'<rect class="segment" x="{50 + start * scale:.1f}" y="{y}" '
                           f'width="{(end - start) * scale:.1f}" height="16" fill="{colours[name]}">'
                           f"<title>{name}: {end - start:.0f} ms</title></rect>")
        if row:
            out.append(f'<text x="{54 + row[-1][2] * scale:.1f}" y="{y + 12}">{row[-1][2]:.0f} ms</text>')
    return (f'<svg class="chart chart-waterfall" width="{width}" height="{height}" role="img" '
            f'aria-label="per-turn stage timings"><text x="50" y="10">from end of caller speech to first reply audio'
            f"</text>{''.join(out)}</svg>")


def _call_html(c: dict[str, Any]) -> str:
    sc = c["score"]
    badges = (f'<span class="badge">{sc["metric"]} {sc["error_rate"]:.3f}</span>'
              f'<span class="badge">intent {sc["intent_accuracy"]:.2f}</span>'
              f'<span class="badge">mood {sc["mood_agreement"]:.2f}</span>'
              f'<span class="badge {"ok" if sc["task_success"] else "bad"}">task '
              f'{"success" if sc["task_success"] else "failed"}</span>'
              f'<span class="badge">replies correct {sc["replies_correct"]:.2f}</span>'
              + (f'<span class="badge bad">false actions {sc["false_actions"]}</span>' if sc["false_actions"] else "")
              + ('<span class="badge">handed to a person</span>' if sc["handoff"] else ""))
    why = "".join(f"<li>{escape(w)}</li>" for w in sc.get("failed_because", []))
    audio = ""
    if "audio" in c:
        callers = " ".join(f'<audio controls preload="none" src="{escape(p)}"></audio>' for p in c["audio"]["caller"])
        audio = (f'<p>Assistant (as the caller heard it): <audio controls preload="none" '
                 f'src="{escape(c["audio"]["assistant"])}"></audio></p><p>Caller turns: {callers}</p>')
    rows = []
    for i, t in enumerate(c["turns"], 1):
        mark = lambda ok: '<span class="ok">✓</span>' if ok else '<span class="bad">✗</span>'  # noqa: E731
        outcome = "" if t["outcome"] is None else (mark(t["outcome_ok"]) + " " + escape(json.dumps(
            t["outcome"], ensure_ascii=False)) + (f'<br><span class="muted">{escape(t["outcome_problem"])}</span>'
                                                  if t["outcome_problem"] else ""))
        rows.append(
            f"<tr><td>{i}</td><td>{escape(t['say'])}<br>"
            f"<span class='muted'>heard: {escape(t['recognised'])}</span></td>"
            f"<td>{mark(t['intent_ok'])} {escape(str(t['intent']))}"
            + (f"<br><span class='muted'>expected {escape(t['intent_expected'])}</span>" if not t["intent_ok"] else "")
            + f"</td><td>{mark(t['mood_ok'])} {escape(str(t['mood']))}</td><td>{outcome}</td>"
            f"<td>{_actions_html(t)}</td>"
            f"<td>{mark(t['reply_ok'])} {escape(t['reply'] or '')}"
            + (" <b>[interrupted]</b>" if t["interrupted"] else "")
            + _check_html(t["reply_check"], t["says"])
            + (f"<br><span class='muted'>heard (ASR): {mark(t['heard_ok'])} "
               f"{escape(t['heard_audio'] or '')}</span>" if t.get("heard_audio") is not None else "")
            + f"</td><td>{t['latency_ms'].get('voice_to_voice') or ''}</td></tr>")
    table = ("<table><tr><th>#</th><th>caller said / recognised</th><th>intent</th><th>mood</th><th>outcome</th>"
             f"<th>action: result, ran on, facts</th><th>reply (says ✓/✗)</th><th>voice-to-voice ms</th></tr>"
             f"{''.join(rows)}</table>")
    return (f'<section class="call" id="call-{escape(c["call"])}"><h3>{escape(c["call"])}</h3>'
            f'<p class="muted">{escape(c["description"])} · {escape(c["channel"])} · {escape(c["voice"])} · '
            f'{escape(", ".join(c["transforms"]))}</p><p>{badges}</p>'
            + (f'<ul class="why">{why}</ul>' if why else "") + f'{audio}'
            f"<div>{_mood_timeline(c['turns'])} {_waterfall_svg(c['turns'])}</div>{table}</section>")


def _actions_html(t: dict[str, Any]) -> str:
    """What each action of the turn did: name, ok or the reason, the order or account it ran on, its facts."""
    out = []
    for a in t.get("actions", []):
        result = "ok" if a["ok"] else f"refused: {a['reason']}"
        changed = " · <b>changed</b>" if a["changed"] else ""
        false = ' <span class="bad">false action</span>' if a.get("false") else ""
        facts = escape(json.dumps(a["facts"], ensure_ascii=False))
        out.append(f"<div class='action'><b>{escape(str(a['name']))}</b> {escape(result)} · ran on "
                   f"{escape(a['target'] or '—')}{changed}{false}<br><span class='muted'>{facts}</span></div>")
    return "".join(out)


def _check_html(check: dict[str, Any], says: list[Any]) -> str:
    lines = [f"missing {json.dumps(m, ensure_ascii=False)}" for m in check["missing"]]
    lines += [f"forbidden {json.dumps(m, ensure_ascii=False)}" for m in check["forbidden"]]
    lines += list(check["contradictions"])
    if not lines:
        return f"<br><span class='muted'>says {len(says)} fact(s) ✓</span>" if says else ""
    return "".join(f"<br><span class='bad'>{escape(line)}</span>" for line in lines)
