"""The browser call page in a real headless Chromium: a fake microphone speaks a recorded question into the
live server (real models), the page shows transcripts, the reply, the mood and plays the assistant's audio;
typed turns; the call records page; and the socket's guards (token, Origin)."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import sync_playwright
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from speech.audio import read_audio, write_wav
from tests.conftest import CHROMIUM, ROOT, SAMPLES, need

ARTIFACTS = ROOT / "out" / "test-artifacts"
FAKE_MIC_RATE = 48000  # the rate of the WAV Chromium's fake capture device plays (see fake_mic_wav)
CJK = re.compile(r"[\u3400-\u9fff]")



@pytest.fixture(scope="module")
def fake_mic_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """'Hi, I'd like to check on my order, number one zero zero two three.' with 1.5 s of silence before and
    12 s after: Chromium loops the file, and the silence lets the reply play out before the caller speaks again."""
    speech = read_audio(SAMPLES / "en" / "01.wav", sample_rate=FAKE_MIC_RATE).pcm
    pcm = np.concatenate([np.zeros(int(1.5 * FAKE_MIC_RATE), np.float32), speech,
                          np.zeros(12 * FAKE_MIC_RATE, np.float32)])
    path = tmp_path_factory.mktemp("fake-mic") / "caller.wav"
    write_wav(path, pcm, FAKE_MIC_RATE)
    return path


@pytest.fixture(scope="module")
def browser(fake_mic_wav: Path):
    need(CHROMIUM.exists(), f"Chromium ({CHROMIUM})", "chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=[
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--autoplay-policy=no-user-gesture-required",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={fake_mic_wav}"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def calls_made() -> list[str]:
    return []  # the call ids the page tests made, for the records page test


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(permissions=["microphone"], base_url=live_server.state.base_url)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()  # closes the socket: the server ends the call
    assert not errors, f"JavaScript errors on the page: {errors}"


def _events(page) -> list[dict]:
    return page.evaluate("window.voicedesk.events")


def _hang_up(page) -> None:
    if page.is_enabled("#hangup"):
        page.click("#hangup")
        page.wait_for_function("window.voicedesk.status === 'ended'", timeout=5000)


def test_spoken_call(page, calls_made):
    page.goto("/?token=test-token&language=en")
    assert page.input_value("#language") == "en"
    page.click("#call")
    page.wait_for_function("window.voicedesk.status === 'in-call'", timeout=10_000)
    started = time.monotonic()
    try:
        page.wait_for_function(
            """() => {
                const finals = [...document.querySelectorAll('[data-role="caller-final"]')];
                const said = finals.find(l => /order/i.test(l.textContent));
                if (!said) return false;
                const turn = said.dataset.turn;
                return document.querySelector(`[data-role="assistant"][data-turn="${turn}"]`) !== null
                    && window.voicedesk.audioFramesReceived > 0;
            }""", timeout=60_000, polling=250)
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "browser-call.png"), full_page=True)
    took = time.monotonic() - started
    said_turn = int(page.locator('[data-role="caller-final"]', has_text=re.compile("order", re.I)).first
                    .get_attribute("data-turn"))
    state = page.evaluate("({id: window.voicedesk.callId, frames: window.voicedesk.audioFramesReceived,"
                          " sent: window.voicedesk.audioFramesSent})")
    calls_made.append(state["id"])
    assert state["sent"] > 50, "the page sent (almost) no microphone audio"
    kinds = [e["type"] for e in _events(page)]
    assert kinds[0] == "ready" and "partial" in kinds and "understood" in kinds, kinds
    understood = [e for e in _events(page) if e["type"] == "understood"][-1]  # what the page shows now
    assert -1 <= understood["mood"] <= 1 and understood["label"] in ("negative", "neutral", "positive")
    mood = page.get_attribute("#mood", "data-mood")
    assert mood not in (None, "") and -1 <= float(mood) <= 1
    assert page.get_attribute("#mood", "data-label") == understood["label"]
    assert page.text_content("#mood-label") != "–"
    # The reply is played out (the call's clock is the microphone's audio) and its turn reported, with latency.
    turn = page.wait_for_function(
        f"""() => window.voicedesk.events.find(e => e.type === 'turn' && e.idx === {said_turn})""",
        timeout=30_000, polling=250).json_value()
    assert not turn["interrupted"] and turn["latency_ms"]["voice_to_voice"] > 0, turn
    assert page.text_content("#latency").endswith(" ms")
    page.wait_for_function("!window.voicedesk.playing && window.voicedesk.audioPlayedS > 2", timeout=10_000)
    played, frames, rate = page.evaluate("[window.voicedesk.audioPlayedS, window.voicedesk.audioFramesReceived,"
                                         " window.voicedesk.sampleRate]")
    assert played <= frames * 0.02 + 0.1  # it plays what it got, no more (cleared frames are dropped)
    print(f"spoken turn answered {took:.1f} s after the call connected, voice to voice "
          f"{turn['latency_ms']['voice_to_voice']:.0f} ms; {frames} audio frames received, "
          f"{played:.1f} s played at {rate} Hz")
    page.screenshot(path=str(ARTIFACTS / "browser-call.png"), full_page=True)  # now with the turn's latency
    _hang_up(page)


def test_typed_call(page, calls_made):
    page.goto("/?token=test-token")
    page.check("#mute")  # the fake microphone speaks English; this call is typed
    page.select_option("#language", "auto")
    page.click("#call")
    page.wait_for_function("window.voicedesk.status === 'in-call'", timeout=10_000)
    page.fill("#text-input", "我想查一下我的订单")
    page.click("#send")
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-role="assistant"]')]
                 .some(l => Number(l.dataset.turn) >= 1 && /[\\u3400-\\u9fff]/.test(l.textContent))""",
        timeout=30_000, polling=200)
    typed = page.locator('[data-role="caller-typed"]')
    assert typed.count() == 1 and "订单" in typed.first.text_content()
    replies = page.locator('[data-role="assistant"][data-turn="1"]').all_text_contents()
    assert any(CJK.search(r) for r in replies), replies
    calls_made.append(page.evaluate("window.voicedesk.callId"))
    _hang_up(page)
    assert "hangup" not in [e["type"] for e in _events(page)]  # we hung up; the server did not


def test_calls_page(browser, live_server, calls_made):
    if not calls_made:  # run on its own: make a typed call first
        calls_made.append(_typed_call(live_server.state.base_url, "Where is my order 10023?"))
    context = browser.new_context(base_url=live_server.state.base_url)
    try:
        pg = context.new_page()
        pg.goto("/calls?token=operator-test-token")
        for call_id in calls_made:
            pg.wait_for_selector(f'#calls tr[data-call-id="{call_id}"]', timeout=10_000)
        row = pg.locator(f'#calls tr[data-call-id="{calls_made[0]}"]')
        assert "browser" in row.text_content()
        deadline = time.monotonic() + 15
        while True:  # a turn is stored once its reply has been played: wait for it
            row.click()
            pg.wait_for_selector("#detail:not([hidden])")
            pg.wait_for_function("document.querySelector('#detail-meta').textContent.includes('browser')")
            if pg.locator('#turns [data-role="turn"]').count() or time.monotonic() > deadline:
                break
            time.sleep(1)
            pg.click("#refresh")
        turns = pg.locator('#turns [data-role="turn"]')
        assert turns.count() >= 1
        first = turns.first.text_content()
        assert "Intent" in first and "Latency" in first and "Heard" in first
        assert pg.locator("#events li").count() >= 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / "browser-calls.png"), full_page=True)
    finally:
        context.close()


def test_other_origin_page_refused(browser, live_server):
    """A page served from another origin (http://evil.example, served by Playwright) that knows the token
    still cannot open the socket; the same script on the server's own page can."""
    base = live_server.state.base_url
    ws_url = base.replace("http://", "ws://") + "/ws/browser"
    token = _call_token(base)
    probe = f"""() => new Promise(done => {{
        const ws = new WebSocket({json.dumps(ws_url)}, ["voicedesk", "voicedesk.token." + {json.dumps(token)}]);
        ws.onopen = () => {{ ws.close(); done("open"); }};
        ws.onclose = e => done("closed " + e.code);
    }})"""
    context = browser.new_context()
    try:
        evil = context.new_page()
        evil.route("http://evil.example/**", lambda route: route.fulfill(
            status=200, content_type="text/html", body="<!doctype html><title>evil</title>"))
        evil.goto("http://evil.example/")
        assert evil.evaluate(probe) == "closed 1006"  # the handshake was refused (HTTP 403)
        own = context.new_page()
        own.goto(base + "/?token=test-token")
        assert own.evaluate(probe) == "open"  # the same token still works: the refusal did not spend it
        assert own.url == base + "/"  # the page took the talk token out of its address
    finally:
        context.close()


def test_socket_guards(live_server):
    base = live_server.state.base_url
    ws_url = base.replace("http://", "ws://") + "/ws/browser"

    def refused(url: str, token: str | None = None, **kw) -> object:
        protocols = ["voicedesk", "voicedesk.token." + token] if token else None
        try:
            with connect(url, open_timeout=5, subprotocols=protocols, **kw) as ws:
                ws.recv(timeout=5)
        except ConnectionClosed as e:
            return e.rcvd.code if e.rcvd else None
        except InvalidStatus as e:
            return e.response.status_code
        return "accepted"

    # A page from another origin may not open the socket, even with a call token; no token, a wrong one, the
    # talk token itself (in the URL as it used to be, or as the subprotocol) and a spent one are refused.
    assert refused(ws_url, _call_token(base), origin="http://evil.example") in (1008, 403)
    assert refused(ws_url, "wrong") in (1008, 403)
    assert refused(ws_url + "?token=test-token") in (1008, 403)
    assert refused(ws_url, "test-token") in (1008, 403)
    spent = _call_token(base)
    assert _typed_call(base, "hello", token=spent)
    assert refused(ws_url, spent) in (1008, 403)
    # every route without its token: tests/telephony/test_server_hardening.py walks app.routes
    with urllib.request.urlopen(base + "/?token=test-token", timeout=5) as r:
        assert b"call.js" in r.read()
    with urllib.request.urlopen(base + "/static/mic-worklet.js", timeout=5) as r:
        assert b"registerProcessor" in r.read()


def _call_token(base_url: str) -> str:
    """A per-call token, as the page gets one: POST /api/call-tokens with the talk token."""
    request = urllib.request.Request(base_url + "/api/call-tokens", method="POST",
                                     headers={"Authorization": "Bearer test-token"})
    with urllib.request.urlopen(request, timeout=5) as r:
        return json.loads(r.read())["token"]


def _typed_call(base_url: str, text: str, token: str | None = None) -> str:
    """A call made over the socket with one typed turn; returns its id once the turn is stored.
    (The synchronous client: Playwright's sync API keeps an event loop running in this thread.)"""
    url = base_url.replace("http://", "ws://") + "/ws/browser?language=en"
    protocols = ["voicedesk", "voicedesk.token." + (token or _call_token(base_url))]
    with connect(url, open_timeout=10, subprotocols=protocols) as ws:
        ready = json.loads(ws.recv(timeout=10))
        ws.send(json.dumps({"type": "text", "text": text}))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            message = ws.recv(timeout=30)
            if isinstance(message, str) and json.loads(message)["type"] == "turn":
                break
        ws.send(json.dumps({"type": "hangup"}))
    return ready["call_id"]
