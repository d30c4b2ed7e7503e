# The two commands of the README: `make run` and `make test`. Both install everything they need
# on a fresh Debian machine (apt packages included) into .venv, then do their job.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup apt lint typecheck eval samples clean

run: setup samples
	$(BIN)/closecheck check samples/images/* --annotate out/annotated || true
	@echo "annotated pictures: out/annotated/"
	$(BIN)/closecheck serve --host $(HOST) --port $(PORT)

test: setup lint typecheck
	$(BIN)/python -m pytest -q

setup: apt $(VENV)/.installed

apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing apt packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# rapidocr-onnxruntime goes in with --no-deps: its metadata asks for the GUI opencv-python, which
# would overwrite opencv-python-headless; pyproject.toml lists its real dependencies instead.
$(VENV)/.installed: pyproject.toml constraints.txt
	[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,cluster,browser]'
	$(BIN)/python -m pip install -q --no-deps -c constraints.txt rapidocr-onnxruntime
	touch $@

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

samples: setup
	$(BIN)/closecheck synth samples --n 8 --seed 7

eval: setup
	$(BIN)/closecheck eval ../shared/realdev/labels.jsonl --json out/eval-realdev.json

clean:
	rm -rf $(VENV) out samples
