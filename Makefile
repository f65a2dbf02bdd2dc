# Heron: `make demo` installs everything and runs the server; `make test` installs and tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Debian packages Heron's engines use (installed when run as root with apt available).
# Translation: Apertium and every language pair Debian has (83 directions; 350 MB).
APERTIUM_PAIRS := afr-nld arg-cat bel-rus br-fr cat-ita cat-srd dan-nor en-gl eng-cat \
	eng-spa eo-ca eo-en eo-es eo-fr es-gl es-pt es-ro eu-en eu-es fr-es fra-cat fra-frp \
	hbs-eng hbs-mkd hbs-slv ind-zlm isl-eng isl-swe mkd-bul mkd-eng nno-nob oc-ca oc-es \
	oci-fra pol-szl por-cat pt-gl rus-ukr spa-arg spa-ast spa-cat spa-ita srd-ita swe-dan \
	swe-nor urd-hin
# The keyboard's model learns sentences from fortunes and fortunes-min (and WordNet's).
APT_PACKAGES ?= sqlite3 wordnet-base espeak-ng flite libportaudio2 fortunes fortunes-min apertium \
	$(addprefix apertium-,$(APERTIUM_PAIRS))
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench install apt clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Heron needs Python 3.11 or newer")'
	@$(MAKE) --no-print-directory apt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@echo "Building the keyboard's language model (once, about 20 s)"
	$(BIN)/python -c 'from heron.textinput.keyboard import Keyboard; Keyboard.default()'
	@touch $(STAMP)

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Please install these Debian packages (as root): apt-get install$$missing"; \
		fi; \
	fi

demo: install
	$(BIN)/heron serve

test: install
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/assistant_latency.py
	$(BIN)/python bench/kgqa.py
	$(BIN)/python bench/nlu.py
	cd bench && ../$(BIN)/python voice.py
	cd bench && ../$(BIN)/python wake.py
	$(BIN)/python bench/interop.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/translation.py
	$(BIN)/python bench/interpret.py
	$(BIN)/python bench/keyboard.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
