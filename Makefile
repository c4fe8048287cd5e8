# The README's two commands wrap these targets: `make demo` and `make test`.
# Both create and use the virtual environment in .venv.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Lambda runs python3.12; use it for the venv when it is there.
# (pyenv's own 3.12 first: its `python3.12` shim fails when 3.12 is not selected.)
VENV_PYTHON ?= $(shell ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -n 1 | grep . \
	|| (python3.12 -c '' 2>/dev/null && echo python3.12) || echo python3)

SAM_VENV := $(VENV)/sam
SAM := $(SAM_VENV)/bin/sam

.PHONY: test demo venv lint report clean-data

venv: $(STAMP) $(SAM)

$(STAMP): requirements-dev.txt layers/shared/requirements.txt pyproject.toml
	test -x $(PY) || $(VENV_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -e .
	touch $(STAMP)

# SAM CLI pins its own boto3 and click, so it lives in a venv of its own.
$(SAM): requirements-sam.txt
	test -x $(SAM_VENV)/bin/python || $(VENV_PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	touch $(SAM)

test: $(STAMP) $(SAM)
	$(PY) -m local.check

demo: $(STAMP)
	$(PY) -m local.demo $(ARGS)

report: $(STAMP)
	$(PY) -m local.report $(ARGS)

clean-data:
	rm -rf .local-data
