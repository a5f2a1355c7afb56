#!/usr/bin/env bash
# Create the separate benchmark environment that holds escnn and e3nn (comparison targets only,
# never dependencies of ArchLaw). The main .venv is never touched.
#
#   bash scripts/setup_bench_env.sh            # -> /tmp/archlaw-bench-venv (or $BENCH_VENV)
#
# Why each step:
# * escnn's dependency py3nj compiles Fortran: gfortran comes from Debian (apt-get).
# * lie-learn (escnn's dependency) needs numpy < 2.
# * torch==2.13.0 is pinned here too (the CPU wheel on disk), so that escnn/e3nn's plain `torch`
#   requirement never pulls a multi-GB CUDA build.
# Idempotent: a finished environment is marked with .installed and reused.
set -euo pipefail
VENV="${BENCH_VENV:-/tmp/archlaw-bench-venv}"
if [[ -f "$VENV/.installed" ]]; then echo "bench env ready: $VENV"; exit 0; fi
if ! command -v gfortran >/dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gfortran
  else
    echo "gfortran is missing (escnn's py3nj needs it): install it with apt-get install gfortran" >&2
    exit 1
  fi
fi
python3 -m venv "$VENV"
export PATH="$VENV/bin:$PATH"   # meson/ninja for py3nj's build
PIP=("$VENV/bin/python" -m pip install --disable-pip-version-check)
CONS="$VENV/bench-constraints.txt"
printf 'torch==2.13.0\nnumpy<2\n' > "$CONS"
"${PIP[@]}" -c "$CONS" torch==2.13.0 "numpy<2" setuptools wheel meson-python meson ninja cython
# py3nj (meson-python + gfortran) and lie-learn build from source against the numpy<2 above
"${PIP[@]}" -c "$CONS" --no-build-isolation py3nj lie-learn
"${PIP[@]}" -c "$CONS" escnn e3nn
"$VENV/bin/python" -c "import escnn, e3nn, torch, numpy; print('escnn', escnn.__version__ if hasattr(escnn,'__version__') else '?', 'e3nn', e3nn.__version__, 'torch', torch.__version__, 'numpy', numpy.__version__)"
touch "$VENV/.installed"
echo "bench env ready: $VENV"
