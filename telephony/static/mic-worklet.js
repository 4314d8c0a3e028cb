// VoiceDesk audio worklets (plain JS, loaded with audioWorklet.addModule("/static/mic-worklet.js")).
//
// "mic-capture": the microphone at the context's rate (48 kHz, 44.1 kHz, ...) in, PCM16 mono 16 kHz
//   out: one Int16Array of 320 samples (20 ms) per message, plus a level (RMS 0..1) now and then.
// "pcm-player": PCM16 mono 16 kHz frames from the server in (port messages), played gapless from a
//   queue at the context's rate; {type: "clear"} drops everything queued at once (the caller barged in).

const TARGET_RATE = 16000;
const FRAME = 320; // 20 ms at 16 kHz

class MicCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.ratio = sampleRate / TARGET_RATE; // input samples per output sample
    this.phase = 0; // input samples gathered towards the next output sample
    this.acc = 0;
    this.count = 0;
    this.prev = 0; // last input sample (upsampling, for rates under 16 kHz)
    this.frame = new Int16Array(FRAME);
    this.filled = 0;
    this.energy = 0;
    this.energyCount = 0;
    this.muted = false;
    this.port.onmessage = (e) => {
      if (e.data && e.data.type === "mute") this.muted = !!e.data.muted;
    };
  }

  emit(value) {
    const v = this.muted ? 0 : Math.max(-1, Math.min(1, value));
    this.frame[this.filled++] = v < 0 ? v * 0x8000 : v * 0x7fff;
    this.energy += v * v;
    this.energyCount++;
    if (this.filled === FRAME) {
      const out = this.frame;
      this.port.postMessage({type: "frame", pcm: out}, [out.buffer]);
      this.frame = new Int16Array(FRAME);
      this.filled = 0;
      if (this.energyCount >= TARGET_RATE / 10) { // ~10 level reports a second
        this.port.postMessage({type: "level", rms: Math.sqrt(this.energy / this.energyCount)});
        this.energy = 0;
        this.energyCount = 0;
      }
    }
  }

  process(inputs) {
    const input = inputs[0];
    if (!input || input.length === 0 || !input[0]) return true;
    const channels = input.length;
    const n = input[0].length;
    for (let i = 0; i < n; i++) {
      let x = input[0][i];
      if (channels > 1) { // mix down
        for (let c = 1; c < channels; c++) x += input[c][i];
        x /= channels;
      }
      if (this.ratio >= 1) {
        // Integrate and dump: average the input samples that fall in each output sample's span
        // (a box low-pass that keeps speech and drops most of what would alias).
        this.acc += x;
        this.count++;
        this.phase += 1;
        if (this.phase >= this.ratio) {
          this.emit(this.acc / this.count);
          this.phase -= this.ratio;
          this.acc = 0;
          this.count = 0;
        }
      } else {
        // Context slower than 16 kHz (rare): linear interpolation between input samples.
        const step = this.ratio;
        while (this.phase < 1) {
          this.emit(this.prev + (x - this.prev) * this.phase);
          this.phase += step;
        }
        this.phase -= 1;
        this.prev = x;
      }
    }
    return true;
  }
}

class PcmPlayer extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = TARGET_RATE / sampleRate; // 16 kHz samples per output sample
    this.queue = []; // Float32Array chunks at 16 kHz
    this.current = null;
    this.index = 0; // read position in `current` (fractional)
    this.last = 0; // the sample before `current[0]`, for interpolation across chunks
    this.playing = false;
    this.played = 0; // 16 kHz samples played since the start
    this.port.onmessage = (e) => {
      const msg = e.data;
      if (msg.type === "frame") {
        const pcm = msg.pcm; // Int16Array
        const f = new Float32Array(pcm.length);
        for (let i = 0; i < pcm.length; i++) f[i] = pcm[i] / 32768;
        this.queue.push(f);
      } else if (msg.type === "clear") {
        this.queue = [];
        this.current = null;
        this.index = 0;
        this.last = 0;
        this.setPlaying(false);
      }
    };
  }

  setPlaying(on) {
    if (on !== this.playing) {
      this.playing = on;
      this.port.postMessage({type: on ? "playing" : "idle", played: this.played});
    }
  }

  next() {
    // The sample at the read position, or null when nothing is queued.
    for (;;) {
      if (this.current && this.index < this.current.length) {
        const i = Math.floor(this.index);
        const frac = this.index - i;
        const a = i === 0 ? this.last : this.current[i - 1];
        const b = this.current[i];
        return a + (b - a) * frac;
      }
      if (this.current) {
        this.last = this.current[this.current.length - 1];
        this.index -= this.current.length;
        this.current = null;
      }
      if (this.queue.length === 0) return null;
      this.current = this.queue.shift();
    }
  }

  process(inputs, outputs) {
    const out = outputs[0];
    const n = out[0].length;
    let produced = 0;
    for (let i = 0; i < n; i++) {
      const v = this.next();
      if (v === null) {
        out[0][i] = 0;
        continue;
      }
      out[0][i] = v;
      this.index += this.step;
      produced++;
    }
    for (let c = 1; c < out.length; c++) out[c].set(out[0]);
    this.played += produced * this.step;
    this.setPlaying(produced > 0 || this.queue.length > 0);
    return true;
  }
}

registerProcessor("mic-capture", MicCapture);
registerProcessor("pcm-player", PcmPlayer);
