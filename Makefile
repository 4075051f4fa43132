# Two entry points a new user needs: `make demo` and `make test`; `make check` is the quick inner loop.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The browser test drives Debian's Chromium (Playwright cannot download a browser of its own here); a fresh
# machine has no fonts, and without recommends chromium brings none, so the screenshots need DejaVu.
CHROMIUM := /usr/bin/chromium

.PHONY: demo test check extras lint install clean chromium java tesseract hunspell

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "molehunt needs Python >= 3.11; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'  # the exact versions tested
	@touch $(STAMP)

install: $(STAMP)
	@if [ "$$(id -u)" = 0 ]; then $(MAKE) --no-print-directory tesseract; \
	elif ! command -v tesseract >/dev/null 2>&1; then \
		echo "note: molehunt trace reads images (scans, photos) with tesseract: install Debian's tesseract-ocr" \
			"and tesseract-ocr-eng (sudo apt-get install tesseract-ocr tesseract-ocr-eng)"; fi

demo: $(STAMP)
	$(BIN)/molehunt demo

lint: $(STAMP)
	$(BIN)/ruff check molehunt tests bench
	$(BIN)/ruff format --check molehunt tests bench
	$(BIN)/mypy

chromium:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser test..."; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium fonts-dejavu-core >/dev/null && \
		[ -x "$(CHROMIUM)" ] || { echo "error: could not install chromium ($(CHROMIUM) is still missing)" >&2; exit 1; }; \
	else \
		echo "error: the browser test needs Chromium at $(CHROMIUM): install Debian's chromium package" \
			"(sudo apt-get install chromium), or run make test as root to have it installed" >&2; \
		exit 1; \
	fi

# molehunt trace reads page images (scans, photographs) with Debian's tesseract and its English data: no download.
tesseract:
	@if command -v tesseract >/dev/null 2>&1 && [ -n "$$(tesseract --list-langs 2>/dev/null | grep -x eng)" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's tesseract-ocr and tesseract-ocr-eng for tracing scanned and photographed pages..."; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			tesseract-ocr tesseract-ocr-eng >/dev/null && \
		command -v tesseract >/dev/null || { echo "error: could not install tesseract" >&2; exit 1; }; \
	else \
		echo "error: tracing images needs tesseract: install Debian's tesseract-ocr and tesseract-ocr-eng" \
			"(sudo apt-get install tesseract-ocr tesseract-ocr-eng), or run make test as root to have it installed" >&2; \
		exit 1; \
	fi

# The text carrier's spell-check attack (bench/text_attacks.py and its tests) runs Debian's hunspell, en_US.
hunspell:
	@if command -v hunspell >/dev/null 2>&1 && [ -f /usr/share/hunspell/en_US.dic ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's hunspell and hunspell-en-us for the spell-check attack on text copies..."; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hunspell hunspell-en-us >/dev/null && \
		command -v hunspell >/dev/null || { echo "error: could not install hunspell" >&2; exit 1; }; \
	else \
		echo "error: the spell-check attack test needs hunspell: install Debian's hunspell and hunspell-en-us" \
			"(sudo apt-get install hunspell hunspell-en-us), or run make test as root to have it installed" >&2; \
		exit 1; \
	fi

# The Spark equivalence test needs a Java runtime (Spark 4 runs on Java 17 or 21).
java:
	@if command -v java >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's openjdk-17-jre-headless for the Spark test..."; \
		apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null && \
		command -v java >/dev/null || { echo "error: could not install java" >&2; exit 1; }; \
	else \
		echo "error: the Spark engine test needs java on PATH (Java 17): install openjdk-17-jre-headless," \
			"or run make test as root to have it installed" >&2; \
		exit 1; \
	fi

# Parallel workers (one per core); the Spark tests share one worker and one JVM (tests/conftest.py).
PYTEST := $(BIN)/pytest -q -n auto

# Everything, nothing skipped: lint and types, the whole suite (browser, Spark, crash safety) and every extra
# installed the way a user installs it. The extras check builds its own clean venv and needs only java, so it
# starts first and runs beside the dev install, the lint and pytest.
test: java tesseract hunspell
	@log=$$(mktemp); .ci/extras.sh "$(PYTHON)" >$$log 2>&1 & extras=$$!; \
	$(MAKE) --no-print-directory lint chromium && { echo "$(PYTEST)"; $(PYTEST); }; status=$$?; \
	if wait $$extras; then tail -n 1 $$log; else cat $$log >&2; status=1; fi; \
	rm -f $$log; exit $$status

# The quick inner loop: lint, types and the tests not marked slow.
check: lint
	$(PYTEST) -m "not slow"

# A clean venv with only the spark extra scores a small organization with --engine spark.
extras:
	.ci/extras.sh "$(PYTHON)"

clean:
	rm -rf $(VENV) molehunt-data .pytest_cache .mypy_cache .ruff_cache
