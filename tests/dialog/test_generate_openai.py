"""The OpenAI-compatible backend against a tiny local server that streams Server-Sent Events."""

from __future__ import annotations

import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dialog.contract import ActionResult, Money, OrderDetails, OrderStatus
from dialog.generate import BackendError, OpenAICompatibleBackend, ReplyWriter
from dialog.generate.templates import template_reply

RESULT = ActionResult("track_order", True, OrderDetails("10023", OrderStatus.shipped, date(2026, 11, 24), Money(259),
                                                        ("desk lamp",), eta=date(2026, 12, 1)))


class ChatServer(BaseHTTPRequestHandler):
    deltas: list[str] = ["Sure, your order ", "10023 has shipped. ", "It should arrive by December 1."]
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
        if body["messages"][-1]["content"] == "fail":
            self.send_response(500)
            self.end_headers()
            self.wfile.write(b'{"error": "model not loaded"}')
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        first = {"choices": [{"index": 0, "delta": {"role": "assistant"}}]}
        self.wfile.write(f"data: {json.dumps(first)}\n\n".encode())
        for delta in self.deltas:
            event = {"choices": [{"index": 0, "delta": {"content": delta}, "finish_reason": None}]}
            self.wfile.write(f": keep-alive\ndata: {json.dumps(event)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), ChatServer)
    ChatServer.requests = []
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_streams_deltas_over_sse(server):
    backend = OpenAICompatibleBackend(server, model="qwen", api_key="k")
    deltas = list(backend.stream([{"role": "user", "content": "hi"}], max_tokens=20))
    assert deltas == ChatServer.deltas
    request = ChatServer.requests[0]
    assert request["path"] == "/v1/chat/completions" and request["auth"] == "Bearer k"
    assert request["body"]["stream"] is True and request["body"]["max_tokens"] == 20


def test_base_url_may_end_in_v1(server):
    backend = OpenAICompatibleBackend(server + "/v1/")
    assert "".join(backend.stream([{"role": "user", "content": "hi"}])).startswith("Sure")
    assert ChatServer.requests[0]["path"] == "/v1/chat/completions"


def test_server_error_is_a_backend_error(server):
    with pytest.raises(BackendError, match="HTTP 500"):
        list(OpenAICompatibleBackend(server).stream([{"role": "user", "content": "fail"}]))


def test_unreachable_server_falls_back_to_the_template():
    backend = OpenAICompatibleBackend("http://127.0.0.1:9", timeout_s=1.0)
    reply = ReplyWriter(backend).write(RESULT, "zh")
    assert reply.text() == "".join(template_reply(RESULT, "zh"))
    assert reply.meta.source == "template" and reply.meta.fallback_reason.startswith("backend error")


def test_reply_writer_over_the_server(server):
    reply = ReplyWriter(OpenAICompatibleBackend(server)).write(RESULT, "en", caller_text="where is 10023?")
    parts = list(reply)
    assert [p.text for p in parts] == ["Sure,", "your order 10023 has shipped.", "It should arrive by December 1."]
    assert reply.meta.source == "llm" and parts[-1].last and reply.meta.facts_added == []
