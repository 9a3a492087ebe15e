#!/usr/bin/env bash
# test/run.sh: every test, as CI runs them, in this order:
#   1. build/: Release build, unit tests and the FastCGI request loop under
#      valgrind (ctest label "valgrind"; UBAPI_SKIP_VALGRIND=1 skips it);
#   2. the README's demo command, checked and stopped (test/demo_check.sh);
#   3. build-asan/: Debug build with AddressSanitizer + UBSan, then ctest
#      (unit tests, and the integration tests on both schemas against the
#      private stack that the ctest fixture starts and stops).
# Exits non-zero if anything failed; the full suite's summary comes last.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
jobs=$(nproc)
failed=()

"$top/etc/install-deps.sh"

if [[ ${UBAPI_SKIP_VALGRIND:-0} != 1 ]]; then
  echo "== Release build (build/) and unit tests under valgrind"
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
  cmake --build build -j "$jobs"
  ctest --test-dir build -L valgrind --output-on-failure -j "$jobs" || failed+=("valgrind")
fi

echo "== the demo command (etc/demo.sh), checked and stopped"
"$top/test/demo_check.sh" || failed+=("demo")

echo "== sanitizer build (build-asan/) and the full suite"
cmake -S . -B build-asan -DUBAPI_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
cmake --build build-asan -j "$jobs"
ctest --test-dir build-asan --output-on-failure --no-tests=error -j "$jobs" || failed+=("sanitizer build")

if ((${#failed[@]})); then
  echo "test/run.sh: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "test/run.sh: all passed"
