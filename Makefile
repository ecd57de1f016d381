# Set-up and the two everyday commands. Needs only Python 3.11+ with pip: uv is
# installed from PyPI into .tools/ when it is not on the PATH, and every dependency
# comes from the committed uv.lock.

PYTHON ?= python3
export UV_PYTHON_DOWNLOADS := never
export PREFECT_HOME := $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 90

UV := $(or $(shell command -v uv 2>/dev/null),$(CURDIR)/.tools/bin/uv)

.PHONY: demo test sync lint

demo: sync
	$(UV) run --frozen soundtrack demo

test: sync
	$(UV) run --frozen pytest

lint: sync
	$(UV) run --frozen ruff check .

sync: $(UV)
	$(UV) sync --frozen --python $(PYTHON)

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv
