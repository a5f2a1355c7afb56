# Two commands for a new user: `make demo` and `make test`.
# Setup is idempotent: it re-runs only when pyproject.toml or constraints.txt change.
# TORCH=pin (default) installs the CPU torch 2.13.0 and pins it; TORCH=keep makes the venv see the
# system's site-packages and keeps the torch you already have (a CUDA build on a GPU machine).
# TORCH_INDEX=URL takes torch from that index (on a Linux machine without a GPU elsewhere, PyPI's
# torch is a CUDA build: TORCH_INDEX=https://download.pytorch.org/whl/cpu gives the CPU wheel;
# here pip finds the CPU wheel on disk and no index is needed).
VENV  ?= .venv
PY    := $(VENV)/bin/python
TORCH ?= pin
PIP   := $(PY) -m pip install --quiet --disable-pip-version-check
TORCH_INDEX ?=

.PHONY: setup demo test lint-lean laws clean
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
ifeq ($(TORCH),keep)
	python3 -m venv --system-site-packages $(VENV)
	$(PIP) -e .
else
	python3 -m venv $(VENV)
	$(PIP) -c constraints.txt torch==2.13.0 $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX))
	$(PIP) -c constraints.txt -e .
endif
	@touch $@

demo: setup
	OMP_WAIT_POLICY=PASSIVE $(VENV)/bin/archlaw demo

# OMP_WAIT_POLICY=PASSIVE: busy-waiting OpenMP threads stall small ops on a 2-core machine.
test: setup
	OMP_WAIT_POLICY=PASSIVE $(PY) -m pytest -q -p no:cacheprovider --archlaw

laws: setup
	$(VENV)/bin/archlaw laws

lint-lean: setup
	$(VENV)/bin/archlaw lint-lean

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
