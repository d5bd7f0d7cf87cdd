# Two commands for a newcomer: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= data/demo
DEMO_CASES ?= 2000
# Debian packages the app and its tests need on Linux (Qt's platform plugins, PDF rendering for checks,
# Tesseract with the Finnish and Swedish data for reading scanned request forms).
DEBIAN_PACKAGES := libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 \
	libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 \
	libxcb-xinerama0 libxcb-shape0 poppler-utils tesseract-ocr tesseract-ocr-fin tesseract-ocr-swe

.PHONY: setup sysdeps translations run test test-fast lint format bench installer clean

setup: $(STAMP) translations

$(STAMP): pyproject.toml
	@$(MAKE) --no-print-directory sysdeps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Installs missing Debian packages when it can (root with apt-get); otherwise says what is missing.
sysdeps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "Installing:$$missing"; \
		(apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
		 (apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $$missing >/dev/null)); \
	elif command -v dpkg-query >/dev/null; then \
		echo "Missing Debian packages (install them with sudo apt-get install):$$missing"; \
	fi

# Compiled catalogs are build output (not in git); the app also reads the .po directly when needed.
translations: $(STAMP)
	@for po in translations/*/LC_MESSAGES/kirjaamo.po; do \
		mo=$${po%.po}.mo; [ "$$mo" -nt "$$po" ] || $(BIN)/pybabel -q compile -i $$po -o $$mo; \
	done

run: setup
	@test -f $(DEMO_DIR)/kirjaamo.sqlite3 || KIRJAAMO_PASSWORD=demo $(BIN)/kirjaamo --data-dir $(DEMO_DIR) demo --cases $(DEMO_CASES)
	$(BIN)/kirjaamo --data-dir $(DEMO_DIR) gui

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

test-fast: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow"

BENCH_CASES ?= 100000
bench: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/kirjaamo bench --cases $(BENCH_CASES) $(if $(BENCH_SERVER),--server $(BENCH_SERVER))

# The gates (design §3, conventions "Gates"): style, the layer rule, types, dead code.
lint: $(STAMP)
	$(BIN)/ruff check desktop tests tools
	$(BIN)/ruff format --check desktop tests tools
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/vulture desktop tools/vulture_whitelist.py --min-confidence 60

format: $(STAMP)
	$(BIN)/ruff check --fix desktop tests
	$(BIN)/ruff format desktop tests

# Extract the strings marked for translation and merge them into the catalogs.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k Nn_:1,2 -k tr -o translations/kirjaamo.pot --no-location --sort-output --project=Kirjaamo .
	@for lang in fi sv en; do \
		po=translations/$$lang/LC_MESSAGES/kirjaamo.po; \
		if [ -f $$po ]; then $(BIN)/pybabel -q update -i translations/kirjaamo.pot -o $$po -l $$lang --no-fuzzy-matching --ignore-obsolete; \
		else $(BIN)/pybabel init -i translations/kirjaamo.pot -o $$po -l $$lang; fi; \
	done

# The desk build (installer/): dist/kirjaamo/ (PyInstaller one-folder) and
# dist/kirjaamo-<version>-linux-x86_64.tar.gz. The build copies the system libraries Qt's xcb and CUPS
# plugins link into the bundle, so it needs them here too. The Windows installer: README, "Installing on desks".
$(VENV)/.installer: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,installer]'
	touch $@

installer: $(VENV)/.installer
	@$(MAKE) --no-print-directory sysdeps DEBIAN_PACKAGES="$(DEBIAN_PACKAGES) libcups2"
	sh installer/linux/build.sh $(BIN)/python

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache
