.PHONY: demo test lint format bench

demo:  ## run the app on the embedded default with demo data
	./scripts/demo

test:  ## run the whole test suite against real services
	./scripts/test

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .
