# The two entry points of the README: `make demo` and `make test`. Both set up .venv first when needed.
PY := .venv/bin/python
STAMP := .venv/.installed

.PHONY: setup demo test lint bench

$(STAMP): pyproject.toml
	python3 -m venv .venv
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	.venv/bin/spinda identify assets/examples/gen3_F2410A57.png

lint: $(STAMP)
	.venv/bin/ruff check .
	.venv/bin/mypy

test: lint
	.venv/bin/python -m pytest -q

# Prints the README's performance figures (minutes; identify_bench reads ../shared/reference).
bench: $(STAMP)
	.venv/bin/python -m bench.render_bench
	.venv/bin/python -m bench.model_bench
	.venv/bin/python -m bench.parts_bench
	.venv/bin/python -m bench.identify_bench --quick
	.venv/bin/python -m bench.bot_bench --rounds 3
