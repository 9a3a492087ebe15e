#!/usr/bin/env bash
# test/bench/bench_money.sh STACK_DIR
#
# Money actions through nginx with wrk (issue 3's closing benchmark):
# usercash and reset, on the direct backend (SQL on MariaDB) and on the
# Stargazer backend (through the loopback peer test/peers/stgpeer), plus two
# baselines measured in the same run so the figures read as ratios:
#   nginx   a request nginx answers itself (404, no FastCGI)
#   identify  action=identify without key: the cheapest ubapi path
#
# STACK_DIR is a running etc/stack.sh stack (its stack.env gives ports and the
# serial; stgpeer comes from UBAPI_BUILD, else the stack's build). Measure a
# Release build: `UBAPI_BUILD=build etc/stack.sh reload DIR` first. It fills ubapi's own database
# with demo subscribers (schema/demo-data.sh: REPLACES users and friends) and
# changes root-own/config/billing.ini and alter.ini for the run (restored on
# exit). Each usercash request is a real payment of 0.01.
#
# Environment: DURATION (20s), CONNECTIONS (4), THREADS (2), USERS (10000),
# SCHEMA (own | real).
set -euo pipefail

stack=${1:?usage: $0 STACK_DIR}
stack=$(cd "$stack" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
duration=${DURATION:-20s}
conns=${CONNECTIONS:-4}
threads=${THREADS:-2}
users=${USERS:-10000}
schema=${SCHEMA:-own}
((threads <= conns)) || threads=$conns

command -v wrk >/dev/null || { echo "bench_money: wrk is not installed" >&2; exit 1; }
env_build=${UBAPI_BUILD:-}
# shellcheck disable=SC1091
source "$stack/stack.env"
port_var=UBAPI_HTTP_PORT_${schema^^}
port=${!port_var:?no $port_var in $stack/stack.env}
serial=$UBAPI_SERIAL
build=${env_build:-${UBAPI_BUILD:?}}
root=$stack/root-$schema
db=ubapi_$schema
base=http://127.0.0.1:$port
sql=(mariadb "--defaults-file=$stack/mariadb/my.cnf" --batch --skip-column-names "$db")

work=$(mktemp -d)
peer_pid=
cfg_files=(billing.ini alter.ini)
for f in "${cfg_files[@]}"; do cp -p "$root/config/$f" "$work/$f.orig"; done

restore() {
  [[ -n $peer_pid ]] && kill "$peer_pid" 2>/dev/null && wait "$peer_pid" 2>/dev/null
  for f in "${cfg_files[@]}"; do
    put_config "$f" "$work/$f.orig"
  done
  rm -rf "$work"
}

# Replaces a config file atomically with an mtime past the old one, so
# workers that cache by whole-second mtime see the change.
put_config() {
  local name=$1 src=$2 dst=$root/config/$1 old now
  old=$(stat -c %Y "$dst")
  now=$(date +%s)
  cp "$src" "$dst.bench-tmp"
  touch -d "@$((now > old ? now : old + 1))" "$dst.bench-tmp"
  mv "$dst.bench-tmp" "$dst"
}

# billing KEY=VALUE...: the original billing.ini with these keys replaced.
billing() {
  local out=$work/billing.ini kv
  grep -v -E "^\s*($(printf '%s|' "${@%%=*}" | sed 's/|$//'))\s*=" "$work/billing.ini.orig" > "$out" || true
  for kv in "$@"; do echo "$kv" >> "$out"; done
  put_config billing.ini "$out"
}
trap restore EXIT

{ grep -v -E '^\s*(RESETHARD|REMOTEAPI_ENABLED)\s*=' "$work/alter.ini.orig" || true
  echo "REMOTEAPI_ENABLED=1"
  echo "RESETHARD=0"; } > "$work/alter.ini"
put_config alter.ini "$work/alter.ini"

UBAPI_STACK=$stack "$top/schema/demo-data.sh" "$users" "$db"

# The peer knows the same subscribers (no --state/--log: their rewrite per
# change would be what is measured).
"${sql[@]}" -e "SELECT CONCAT(login,':',Cash,':',Credit,':',Passive,':',Down,':',AlwaysOnline,':',Tariff,':0') FROM users" > "$work/peer-users"
"$build/stgpeer" --listen 127.0.0.1:0 --users "$work/peer-users" > "$work/peer.out" 2>&1 &
peer_pid=$!
for _ in $(seq 50); do
  grep -q "listening on" "$work/peer.out" && break
  sleep 0.1
done
peer_port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/peer.out")
[[ -n $peer_port ]] || { echo "bench_money: stgpeer did not start: $(cat "$work/peer.out")" >&2; exit 1; }

results=()
payments() { "${sql[@]}" -e "SELECT COUNT(*) FROM payments"; }

# run NAME PATH QUERY(at most one %s, for the login) EXPECT
run() {
  local name=$1 path=$2 query=$3 expect=$4 out got rps p99 reqs url
  url=$base$path
  # shellcheck disable=SC2059 # the query is the format: its %s is the login
  [[ -z $query ]] || url+="?$(printf "$query" demo000001)"
  got=$(curl -s "$url")
  if [[ $got != "$expect" ]]; then
    echo "bench_money: $name: probe replied '$got', want '$expect'" >&2
    exit 1
  fi
  local before
  before=$(payments)
  out=$(BENCH_PATH=$path BENCH_QUERY=$query BENCH_USERS=$users wrk -t"$threads" -c"$conns" -d"$duration" --latency \
        -s "$here/bench_money.lua" "$base/")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  reqs=$(awk '/requests in/ {print $1}' <<<"$out")
  local errs
  errs=$(awk '/Socket errors|Non-2xx/ {print}' <<<"$out" | tr '\n' ' ')
  results+=("$(printf '%-22s %10s %10s %9s  payments +%s %s' "$name" "$rps" "$p99" "$reqs" \
    "$(( $(payments) - before ))" "$errs")")
  echo "bench_money: $name: $rps req/s, p99 $p99 ($reqs requests)" >&2
}

key="module=remoteapi&key=$serial"
run "nginx (404, baseline)" /nonexistent "" "$(curl -s "$base/nonexistent")"
run "identify (baseline)" / "module=remoteapi&action=identify" "${serial: -4}"

billing baseconf=direct NOSTGCHECKPID=1 RESET_AO=1
run "usercash direct" / "$key&action=usercash&login=%s&summ=0.01" "OK:USERCASH"
run "reset direct" / "$key&action=reset&param=%s" "OK:RESET"

billing baseconf=sgconfxml STG_HOST=127.0.0.1 "STG_PORT=$peer_port" STG_LOGIN=admin STG_PASSWD=123456 \
  NOSTGCHECKPID=1 RESET_AO=1
run "usercash stargazer" / "$key&action=usercash&login=%s&summ=0.01" "OK:USERCASH"
run "reset stargazer" / "$key&action=reset&param=%s" "OK:RESET"

echo
echo "bench_money: $users users, wrk -t$threads -c$conns -d$duration, schema $schema, $(nproc) CPUs"
printf '%-22s %10s %10s %9s\n' "case" "req/s" "p99" "requests"
printf '%s\n' "${results[@]}"
