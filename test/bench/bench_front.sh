#!/usr/bin/env bash
# Front-controller benchmark (issue 2): wrk through nginx -> ubapi.fcgi ->
# MariaDB on a private stack, loopback only. Reports req/s and latency for
#   baseline  nginx answering by itself (location / -> 404), same run
#   identify  the key-less identify call (one SELECT)
#   wrongkey  a keyed call with a wrong key (one SELECT, then ERROR)
# as absolute figures and as ratios to the baseline, plus one worker's RSS
# before and after the runs (with the number of requests it served).
#
# Environment: DURATION (s, default 20), CONNS (4), THREADS (2), USERS
# (demo users loaded, default 10000), BENCH_DIR (stack dir, default
# build/benchstack), UBAPI_BUILD (default build, a Release build is made).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
duration=${DURATION:-20}
conns=${CONNS:-4}
threads=${THREADS:-2}
users=${USERS:-10000}
stack=${BENCH_DIR:-$top/build/benchstack}
build=${UBAPI_BUILD:-$top/build}
export UBAPI_BUILD=$build UBAPI_DB_PORT=${UBAPI_DB_PORT:-51306}
export UBAPI_HTTP_PORT_OWN=${UBAPI_HTTP_PORT_OWN:-51080} UBAPI_HTTP_PORT_REAL=${UBAPI_HTTP_PORT_REAL:-51081}
port=$UBAPI_HTTP_PORT_OWN
serial=${UBAPI_SERIAL:-UB0123456789abcdef0123456789abcdef}

command -v wrk >/dev/null || { echo "bench: wrk is missing (etc/install-deps.sh)" >&2; exit 1; }
if [[ ! -x $build/ubapi.fcgi ]]; then
  cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" >/dev/null
fi
"$top/etc/stack.sh" start "$stack" >/dev/null
if [[ ${BENCH_DB_SOCKET:-1} == 1 ]]; then
  # as Ubilling's stock mysql.ini (server = "localhost"): the unix socket
  sed -i 's/^server *=.*/server = "localhost"/' "$stack/root-own/config/mysql.ini"
  sed -i "s|^db_socket *=.*|db_socket = $stack/run/mysqld.sock|" "$stack/root-own/config/ubapi.ini"
  "$top/etc/stack.sh" reload "$stack" >/dev/null
fi
trap '"$top/etc/stack.sh" stop "$stack" >/dev/null 2>&1 || true' EXIT
UBAPI_STACK=$stack "$top/schema/demo-data.sh" "$users" ubapi_own

# One worker of the own-schema pool: a child of its master.
master=$(cat "$stack/run/own.pid")
worker=$(pgrep -P "$master" | head -1)
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

# wrk's summary -> "reqs req_per_s p50 p99"
run_wrk() {
  local url=$1 out
  out=$(wrk -t"$threads" -c"$conns" -d"${duration}s" --latency "$url")
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /requests in/ { reqs = $1 }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { non2xx = $NF }
    END { printf "%s %s %.3f %.3f %s\n", reqs, rps, p50, p99, non2xx + 0 }' <<<"$out"
}

base="http://127.0.0.1:$port"
rss_before=$(rss_kb "$worker")
read -r b_n b_rps b_p50 b_p99 _ < <(run_wrk "$base/nginx-baseline")
read -r i_n i_rps i_p50 i_p99 i_bad < <(run_wrk "$base/?module=remoteapi&action=identify")
read -r w_n w_rps w_p50 w_p99 w_bad < <(run_wrk "$base/?module=remoteapi&key=UBwrong&action=reset")
rss_after=$(rss_kb "$worker")
# sanity: the calls answered what they should
curl -s "$base/?module=remoteapi&action=identify" | grep -qx "${serial: -4}" || { echo "bench: identify answered wrongly" >&2; exit 1; }
curl -s "$base/?module=remoteapi&key=UBwrong&action=reset" | grep -qx "ERROR:GET_WRONG_KEY" || { echo "bench: wrong key answered wrongly" >&2; exit 1; }

echo
echo "ubapi front benchmark: $users demo users, wrk -t$threads -c$conns -d${duration}s, $(nproc) cores, ${UBAPI_WORKERS:-2} FastCGI workers, database over $([[ ${BENCH_DB_SOCKET:-1} == 1 ]] && echo "unix socket" || echo "TCP")"
printf '%-10s %10s %10s %9s %9s %12s %s\n' case requests req/s p50_ms p99_ms vs_baseline non2xx
printf '%-10s %10s %10s %9s %9s %12s %s\n' baseline "$b_n" "$b_rps" "$b_p50" "$b_p99" "1.00" "(nginx 404)"
for row in "identify $i_n $i_rps $i_p50 $i_p99 $i_bad" "wrongkey $w_n $w_rps $w_p50 $w_p99 $w_bad"; do
  set -- $row
  printf '%-10s %10s %10s %9s %9s %12s %s\n' "$1" "$2" "$3" "$4" "$5" "$(awk -v a="$3" -v b="$b_rps" 'BEGIN{printf "%.2f", a/b}')" "$6"
done
echo "worker $worker RSS: ${rss_before} kB before, ${rss_after} kB after $((i_n + w_n)) requests across the pool"
