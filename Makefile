VENV ?= .venv
PY := $(VENV)/bin/python
BW := $(VENV)/bin/beltwatch
SAMPLES := tests/corpus/dev
# the map's Leaflet scripts, fetched from the npm registry (src/beltwatch/web/vendor.py), not committed
VENDOR := src/beltwatch/web/static/vendor

.PHONY: install demo test bench eval eval-real lint clean

install: $(VENV)/.installed $(VENDOR)/.complete

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

$(VENDOR)/.complete: src/beltwatch/web/vendor.py $(VENV)/.installed
	$(PY) -m beltwatch.web.vendor

demo: install
	$(BW) ingest $(SAMPLES) --rules examples/rules.yaml
	$(BW) stats
	$(BW) events --type ATTACK
	$(BW) search "financing window"
	$(BW) risk --days 365
	$(BW) report --since 2021-01-01 --until 2024-12-31 --out briefing.html
	$(BW) eval $(SAMPLES)
	@echo "dashboard: http://127.0.0.1:8000/ (Ctrl-C to stop)"
	$(BW) serve

test: install
	$(PY) -m pytest -q

eval: install
	$(BW) eval $(SAMPLES)

# the real-news corpus: gold files only; its texts are rebuilt first (tests/corpus/real/README.md)
eval-real: install
	$(BW) eval tests/corpus/real --split tune
	$(BW) eval tests/corpus/real --split check

bench: install
	$(PY) bench/ingest_speed.py
	$(PY) bench/stories_scale.py
	$(PY) bench/db_load.py
	$(PY) bench/geo_accuracy.py | tail -1

lint: install
	$(VENV)/bin/ruff check src tests bench

clean:
	rm -rf $(VENV) $(VENDOR) build *.egg-info src/*.egg-info
