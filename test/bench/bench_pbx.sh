#!/usr/bin/env bash
# test/bench/bench_pbx.sh STACK_DIR
#
# The PBX lookups under load, through nginx on a running stack
# (etc/stack.sh start STACK_DIR): N demo users with phones
# (schema/demo-data.sh, default 100000) in the stack's ubapi_own, then wrk
# with 4 connections for BENCH_DURATION (default 20s) on
#   baseline            action=identify without key (the front's floor)
#   asterisk login      param=login, random known and unknown numbers
#   getuserdatabymobile random known and unknown numbers
# and prints req/s and p99 of each, and each as a ratio of the baseline;
# then the baseline and login again with one connection (unsaturated latency).
# It REPLACES the demo tables of ubapi_own and turns ASTERISK_ENABLED on in
# its root's alter.ini for the run (restored afterwards).
set -euo pipefail
stack=${1:?usage: $0 STACK_DIR}
users=${BENCH_USERS:-100000}
duration=${BENCH_DURATION:-20s}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC1091
source "$stack/stack.env"
port=$UBAPI_HTTP_PORT_OWN
key=$UBAPI_SERIAL
alter=$stack/root-own/config/alter.ini
work=$(mktemp -d)
cp "$alter" "$work/alter.ini.orig"
trap 'cp "$work/alter.ini.orig" "$alter"; rm -rf "$work"' EXIT

UBAPI_STACK=$stack "$here/../../schema/demo-data.sh" "$users" ubapi_own
mariadb --defaults-file="$stack/mariadb/my.cnf" ubapi_own -e "DELETE FROM callshist"
printf '\nASTERISK_ENABLED=1\n' >>"$alter"
sleep 1.1

# Known numbers: the demo mobiles +38050<7 digits>; unknown: +38099<7 digits>.
cat >"$work/numbers.lua" <<LUA
local key = "$key"
local n = $users
local param = os.getenv("BENCH_PARAM")
math.randomseed(os.time())
request = function()
  local s = math.random(1, n)
  local prefix = (math.random() < 0.8) and "050" or "099"
  local number = string.format("38%s%07d", prefix, s)
  return wrk.format("GET", "/?module=remoteapi&key=" .. key .. "&action=asterisk&param=" .. param .. "&number=" .. number)
end
LUA

run() { # label, wrk args... (CONNS: connections, default 4)
  local label=$1
  shift
  local out conns=${CONNS:-4}
  out=$(wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"$duration" --latency "$@")
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  local errs
  errs=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
  printf '%-22s %10s req/s   p99 %8s   non-2xx %s\n' "$label" "$rps" "$p99" "${errs:-0}"
  echo "$rps" >"$work/$label.rps"
}

# warm every worker's phone index before measuring: a short unmeasured run
# of each call (each worker builds its index on its first lookup)
for p in login getuserdatabymobile; do
  BENCH_PARAM=$p wrk -t2 -c4 -d3s -s "$work/numbers.lua" "http://127.0.0.1:$port/" >/dev/null
done
echo "sample: $(curl -s "http://127.0.0.1:$port/?module=remoteapi&key=$key&action=asterisk&param=login&number=380500000042")"

run baseline "http://127.0.0.1:$port/?module=remoteapi&action=identify"
BENCH_PARAM=login run login -s "$work/numbers.lua" "http://127.0.0.1:$port/"
BENCH_PARAM=getuserdatabymobile run bymobile -s "$work/numbers.lua" "http://127.0.0.1:$port/"
# one PBX asking at a time: the latency of a call when the box is not saturated
CONNS=1 run baseline-1conn "http://127.0.0.1:$port/?module=remoteapi&action=identify"
CONNS=1 BENCH_PARAM=login run login-1conn -s "$work/numbers.lua" "http://127.0.0.1:$port/"
base=$(cat "$work/baseline.rps")
for l in login bymobile; do
  awk -v a="$(cat "$work/$l.rps")" -v b="$base" -v l="$l" 'BEGIN { printf "%-22s %.2f of baseline\n", l, a / b }'
done
echo "callshist rows written: $(mariadb --defaults-file="$stack/mariadb/my.cnf" -N ubapi_own -e 'SELECT COUNT(*) FROM callshist')"
