// VoiceDesk browser call page: microphone -> /ws/browser (PCM16 16 kHz), assistant audio back, transcripts,
// mood. Plain JS, no build step. Test hooks: window.voicedesk = {events, audioFramesReceived, ...}.
"use strict";

(function () {
  const params = new URLSearchParams(location.search);
  // The talk token opens this page; it is kept for this tab and taken out of the address bar (no bookmark,
  // no Referer carries it). Each call trades it for a single-use call token, sent as a WebSocket subprotocol:
  // no token is ever in the socket's URL.
  const token = params.get("token") || sessionStorage.getItem("voicedesk-token") || "";
  if (params.has("token")) {
    sessionStorage.setItem("voicedesk-token", token);
    params.delete("token");
    history.replaceState(null, "", location.pathname + (params.toString() ? "?" + params : ""));
  }
  const $ = (id) => document.getElementById(id);
  const ui = {
    call: $("call"), hangup: $("hangup"), status: $("status"), transcript: $("transcript"), mood: $("mood"),
    moodBar: $("mood-bar"), moodLabel: $("mood-label"), textInput: $("text-input"), send: $("send"),
    language: $("language"), mute: $("mute"), latency: $("latency"), level: $("level"), intent: $("intent"),
  };

  const state = window.voicedesk = {
    events: [], // every JSON event from the server, in order
    audioFramesReceived: 0, // binary (assistant audio) messages
    audioFramesSent: 0,
    callId: null,
    status: "idle",
    lastLatencyMs: null,
    playing: false, // the assistant's audio is playing in the page
    sampleRate: null, // the AudioContext's rate
    audioPlayedS: 0, // seconds of assistant audio the page has played (updated as playback starts and stops)
  };

  let ws = null;
  let ctx = null;
  let stream = null;
  let mic = null;
  let micSource = null;
  let player = null;
  let partialLine = null;
  let pendingMic = []; // frames taken before the socket opened
  let pendingPlay = []; // assistant frames that came before the player was ready
  let lastHangupReason = null;
  let lastTyped = null; // the text box's last turn: its final is shown as typed

  const STATUS_TEXT = {
    idle: "Ready / 就绪", connecting: "Connecting… / 正在连接…", "in-call": "In call / 通话中",
    ended: "Call ended / 通话结束", error: "Error / 出错",
  };

  function setStatus(kind, detail) {
    state.status = kind;
    ui.status.dataset.state = kind;
    ui.status.textContent = (STATUS_TEXT[kind] || kind) + (detail ? " — " + detail : "");
    const live = kind === "connecting" || kind === "in-call";
    ui.call.disabled = live;
    ui.hangup.disabled = !live;
    ui.language.disabled = live;
    ui.send.disabled = kind !== "in-call";
    ui.textInput.disabled = kind !== "in-call";
  }

  // --- the transcript ---------------------------------------------------------------------------
  function addLine(role, text, extra) {
    const line = document.createElement("div");
    line.className = "line " + role;
    line.dataset.role = role;
    if (extra && extra.turn !== undefined) line.dataset.turn = String(extra.turn);
    if (extra && extra.language) line.lang = extra.language === "zh" ? "zh-CN" : "en";
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = {
      "caller-partial": "You / 您", "caller-final": "You / 您", "caller-typed": "You / 您",
      assistant: "Assistant / 客服", system: "",
    }[role] || "";
    const body = document.createElement("span");
    body.className = "text";
    body.textContent = text;
    line.append(who, body);
    ui.transcript.append(line);
    ui.transcript.scrollTop = ui.transcript.scrollHeight;
    return line;
  }

  function showPartial(text) {
    if (!text) return;
    if (!partialLine) partialLine = addLine("caller-partial", text);
    else partialLine.querySelector(".text").textContent = text;
    ui.transcript.scrollTop = ui.transcript.scrollHeight;
  }

  function dropPartial() {
    if (partialLine) partialLine.remove();
    partialLine = null;
  }

  function showMood(ev) {
    const mood = Math.max(-1, Math.min(1, Number(ev.mood) || 0));
    const label = ev.label || (mood < -0.2 ? "negative" : mood > 0.2 ? "positive" : "neutral");
    ui.mood.dataset.mood = mood.toFixed(2);
    ui.mood.dataset.label = label;
    ui.mood.title = `mood ${mood.toFixed(2)} (${label}, ${ev.trend || "steady"}); sentiment ${ev.sentiment}`;
    const face = {negative: "☹", neutral: "😐", positive: "☺"}[label] || "😐";
    const names = {negative: "Upset / 不满", neutral: "Neutral / 平静", positive: "Happy / 满意"};
    ui.moodLabel.textContent = `${face} ${names[label] || label} (${mood >= 0 ? "+" : ""}${mood.toFixed(2)})` +
      (ev.trend && ev.trend !== "steady" ? ` ${ev.trend === "improving" ? "↗" : ev.trend === "worsening" ? "↘" : ev.trend}` : "");
    ui.moodBar.style.left = `${((mood + 1) / 2) * 100}%`;
    if (ev.intent) ui.intent.textContent = ev.intent;
  }

  // --- the server's events ----------------------------------------------------------------------
  function onEvent(ev) {
    state.events.push(ev);
    switch (ev.type) {
      case "ready":
        state.callId = ev.call_id;
        setStatus("in-call", ev.call_id);
        flushMic();
        break;
      case "partial":
        showPartial(ev.text);
        break;
      case "final":
        dropPartial();
        addLine(lastTyped === ev.text ? "caller-typed" : "caller-final", ev.text, {turn: ev.turn});
        if (lastTyped === ev.text) lastTyped = null;
        break;
      case "understood":
        showMood(ev);
        break;
      case "reply":
        addLine("assistant", ev.text, {turn: ev.turn, language: ev.language});
        break;
      case "turn": {
        const ms = ev.latency_ms && ev.latency_ms.voice_to_voice;
        if (ms !== null && ms !== undefined) {
          state.lastLatencyMs = ms;
          ui.latency.textContent = `${Math.round(ms)} ms`;
        }
        if (ev.interrupted) {
          const lines = ui.transcript.querySelectorAll(`.assistant[data-turn="${ev.idx}"]`);
          lines.forEach((l) => l.classList.add("interrupted"));
        }
        break;
      }
      case "clear":
        stopPlayback();
        break;
      case "barge_in":
        addLine("system", "(interrupted / 已打断)");
        break;
      case "hangup":
        lastHangupReason = ev.reason;
        addLine("system", `Call ended: ${ev.reason} / 通话结束`);
        break;
      case "error":
        addLine("system", `Error / 错误: ${ev.error}`);
        break;
      default:
        break; // speech_start, backchannel, reprompt, barge_in_pause, dtmf: kept in window.voicedesk.events
    }
  }

  // --- audio ------------------------------------------------------------------------------------
  function stopPlayback() {
    pendingPlay = [];
    if (player) player.port.postMessage({type: "clear"});
  }

  function playFrame(buffer) {
    state.audioFramesReceived++;
    playFrameData(buffer);
  }

  function playFrameData(buffer) {
    if (buffer.byteLength < 2) return;
    if (!player) {
      if (ctx) pendingPlay.push(buffer); // the player is starting: keep the greeting's first frames
      return;
    }
    const pcm = new Int16Array(buffer.slice(0, buffer.byteLength - (buffer.byteLength % 2)));
    player.port.postMessage({type: "frame", pcm}, [pcm.buffer]);
  }

  function sendMic(pcm) {
    if (ws && ws.readyState === WebSocket.OPEN && state.callId) {
      ws.send(pcm.buffer);
      state.audioFramesSent++;
    } else if (ws && ws.readyState === WebSocket.CONNECTING || ws && !state.callId) {
      pendingMic.push(pcm);
      if (pendingMic.length > 100) pendingMic.shift(); // keep the last 2 s
    }
  }

  function flushMic() {
    const frames = pendingMic;
    pendingMic = [];
    // In ~100 ms chunks: the server accepts up to 2 s a message and 200 messages a second.
    for (let i = 0; i < frames.length; i += 5) {
      const chunk = frames.slice(i, i + 5);
      const joined = new Int16Array(chunk.reduce((n, f) => n + f.length, 0));
      let at = 0;
      for (const f of chunk) { joined.set(f, at); at += f.length; }
      sendMic(joined);
    }
  }

  async function startAudio() {
    // Created before any await: still inside the click, so the autoplay policy lets it play.
    const context = ctx = new (window.AudioContext || window.webkitAudioContext)({latencyHint: "interactive"});
    state.sampleRate = context.sampleRate; // the worklets resample between this and 16 kHz
    await context.audioWorklet.addModule("/static/mic-worklet.js");
    if (context.state === "suspended") await context.resume();
    if (ctx !== context) return; // hung up meanwhile
    player = new AudioWorkletNode(context, "pcm-player", {numberOfInputs: 0, numberOfOutputs: 1,
      outputChannelCount: [1]});
    player.port.onmessage = (e) => {
      state.playing = e.data.type === "playing";
      state.audioPlayedS = e.data.played / 16000;
      document.body.classList.toggle("speaking", state.playing);
    };
    player.connect(context.destination);
    const early = pendingPlay;
    pendingPlay = [];
    early.forEach(playFrameData);
    let media;
    try {
      media = await navigator.mediaDevices.getUserMedia({
        audio: {echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1},
      });
    } catch (err) {
      // No microphone (denied, none attached): the call goes on, typed. The server keeps its own clock.
      addLine("system", `Microphone unavailable (${err.name}): type instead / 麦克风不可用，请打字`);
      return;
    }
    if (ctx !== context) { media.getTracks().forEach((t) => t.stop()); return; }
    stream = media;
    micSource = context.createMediaStreamSource(stream);
    mic = new AudioWorkletNode(context, "mic-capture", {numberOfInputs: 1, numberOfOutputs: 0, channelCount: 1,
      channelCountMode: "explicit"});
    mic.port.postMessage({type: "mute", muted: ui.mute.checked});
    mic.port.onmessage = (e) => {
      if (e.data.type === "frame") sendMic(e.data.pcm);
      else if (e.data.type === "level") ui.level.value = Math.min(1, e.data.rms * 4);
    };
    micSource.connect(mic);
  }

  function stopAudio() {
    if (micSource) micSource.disconnect();
    if (mic) { mic.port.onmessage = null; mic.disconnect(); }
    if (player) { player.port.onmessage = null; player.disconnect(); }
    if (stream) stream.getTracks().forEach((t) => t.stop());
    if (ctx) ctx.close().catch(() => {});
    ctx = stream = mic = micSource = player = null;
    pendingMic = [];
    pendingPlay = [];
    state.playing = false;
    document.body.classList.remove("speaking");
    ui.level.value = 0;
  }

  // --- the call ---------------------------------------------------------------------------------
  async function startCall() {
    if (ws) return;
    setStatus("connecting");
    ui.transcript.replaceChildren();
    state.callId = null;
    lastHangupReason = null;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams();
    if (ui.language.value !== "auto") query.set("language", ui.language.value);
    let callToken;
    try {
      const r = await fetch("/api/call-tokens", {method: "POST", headers: {Authorization: `Bearer ${token}`}});
      if (!r.ok) throw new Error(String(r.status));
      callToken = (await r.json()).token;
    } catch (err) {
      setStatus("error", "could not start a call: check the address and its token / 无法发起通话，请检查地址和令牌");
      return;
    }
    const socket = new WebSocket(`${scheme}//${location.host}/ws/browser?${query}`,
      ["voicedesk", "voicedesk.token." + callToken]);
    socket.binaryType = "arraybuffer";
    ws = socket;
    socket.onmessage = (m) => {
      if (typeof m.data === "string") {
        let ev;
        try { ev = JSON.parse(m.data); } catch (e) { return; }
        onEvent(ev);
      } else {
        playFrame(m.data);
      }
    };
    socket.onclose = (e) => {
      if (ws !== socket) return;
      ws = null;
      stopAudio();
      dropPartial();
      if (e.code === 1000 || state.status === "in-call" && e.code === 1005) {
        setStatus("ended", lastHangupReason || e.reason || "");
      } else if (state.status === "ended") {
        setStatus("ended", lastHangupReason || "");
      } else {
        // A refused handshake (wrong token, another origin) reaches the page as 1006, before "ready".
        const why = {1008: "refused (token or origin) / 被拒绝", 1013: "all lines busy / 线路繁忙"}[e.code] ||
          (state.callId ? `connection lost (${e.code}) / 连接已断开`
            : "could not connect: check the address and its token / 无法连接，请检查地址和令牌");
        setStatus("error", why);
      }
    };
    socket.onerror = () => {};
    try {
      await startAudio();
    } catch (err) {
      addLine("system", `Audio failed / 音频出错: ${err.message || err}`);
    }
  }

  function hangUp() {
    const socket = ws;
    if (!socket) return;
    setStatus("ended", "you hung up / 您已挂断");
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({type: "hangup"}));
    ws = null;
    stopAudio();
    dropPartial();
    setTimeout(() => socket.close(1000, "caller hung up"), 200);
  }

  function sendText() {
    const text = ui.textInput.value.trim();
    if (!text || !ws || ws.readyState !== WebSocket.OPEN) return;
    lastTyped = text;
    ws.send(JSON.stringify({type: "text", text}));
    ui.textInput.value = "";
    ui.textInput.focus();
  }

  // --- wiring -----------------------------------------------------------------------------------
  const lang = params.get("language");
  if (lang === "en" || lang === "zh" || lang === "auto") ui.language.value = lang;
  ui.call.addEventListener("click", startCall);
  ui.hangup.addEventListener("click", hangUp);
  ui.send.addEventListener("click", sendText);
  ui.textInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.isComposing) { e.preventDefault(); sendText(); }
  });
  ui.mute.addEventListener("change", () => {
    if (mic) mic.port.postMessage({type: "mute", muted: ui.mute.checked});
  });
  window.addEventListener("beforeunload", () => {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({type: "hangup"}));
  });
  if (!token) addLine("system", "No API token in the address (?token=…) / 地址中缺少令牌");
  setStatus("idle");
})();
