#!/usr/bin/env bash
# test/bench/run.sh [front|money|pbx|charges|devices ...]
#
# Every benchmark (or the ones named) on one private stack under
# build/benchstack with a Release build in build-bench/, loopback only. Each
# script prints its own table with a baseline measured in the same run;
# this runner only prepares, runs them in turn and stops the stack.
# Performance is measured here, never asserted in tests.
#
# Environment: DURATION (wrk seconds, default 20), USERS (demo users for
# the money/PBX runs), CHARGES_N (default 100000), UBAPI_WORKERS (default 4).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${UBAPI_BUILD:-$top/build-bench}
stack=$top/build/benchstack
which=("$@")
((${#which[@]})) || which=(front money pbx charges devices)

"$top/etc/install-deps.sh"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null

export UBAPI_BUILD=$build UBAPI_WORKERS=${UBAPI_WORKERS:-4}
export UBAPI_DB_PORT=51306 UBAPI_HTTP_PORT_OWN=51080 UBAPI_HTTP_PORT_REAL=51081
export DURATION=${DURATION:-20} BENCH_DURATION=${DURATION:-20}
stop() { "$top/etc/stack.sh" stop "$stack" >/dev/null 2>&1 || true; }
# Ubilling's stock mysql.ini says server = "localhost": the client then talks
# over the server's unix socket, not TCP. The stack's tests use TCP; the
# benchmarks measure the stock setup (the private server's socket path goes
# in ubapi.ini db_socket).
use_db_socket() {
  local root
  for root in "$stack"/root-own "$stack"/root-real; do
    sed -i 's/^server *=.*/server = "localhost"/' "$root/config/mysql.ini"
    sed -i "s|^db_socket *=.*|db_socket = $stack/run/mysqld.sock|" "$root/config/ubapi.ini"
  done
  "$top/etc/stack.sh" reload "$stack" >/dev/null
}
trap stop EXIT

for what in "${which[@]}"; do
  echo
  echo "######## $what  ($(date -u '+%F %T'), load $(cut -d' ' -f1-3 /proc/loadavg))"
  case $what in
    front)
      stop
      BENCH_DIR=$stack "$top/test/bench/bench_front.sh" ;;
    money | pbx | charges | devices)
      UBAPI_FRESH=1 "$top/etc/stack.sh" start "$stack" >/dev/null
      use_db_socket
      case $what in
        money) "$top/test/bench/bench_money.sh" "$stack" ;;
        pbx) "$top/test/bench/bench_pbx.sh" "$stack" ;;
        charges) "$top/test/bench/bench_charges.sh" "$stack" "${CHARGES_N:-100000}" ;;
        devices) UBAPI_TEST_DIR=$stack "$top/test/bench/bench_devices.sh" ;;
      esac ;;
    *) echo "bench: unknown benchmark $what" >&2; exit 2 ;;
  esac
done
