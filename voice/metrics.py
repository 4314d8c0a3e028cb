"""Prometheus metrics for calls; the server exposes them on /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0)

CALLS = Counter("voicedesk_calls_total", "Calls started", ["channel"])
ACTIVE_CALLS = Gauge("voicedesk_active_calls", "Calls in progress", ["channel"])
REJECTED = Counter("voicedesk_rejected_total", "Connections or messages turned away", ["channel", "reason"])
TURNS = Counter("voicedesk_turns_total", "Caller turns answered", ["channel", "language"])
BARGE_INS = Counter("voicedesk_barge_ins_total", "Replies interrupted by the caller", ["channel"])
ERRORS = Counter("voicedesk_errors_total", "Errors inside calls", ["channel", "stage"])
STAGE_SECONDS = Histogram("voicedesk_stage_seconds", "Per-turn stage latency", ["channel", "stage"],
                          buckets=LATENCY_BUCKETS)
