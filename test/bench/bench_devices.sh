#!/usr/bin/env bash
# Device-monitoring benchmark: ubapi's swping and swpoll against a serial
# baseline in the same run.
#
#   swping: 1,000 switches on 127.8.100.1-127.8.103.250, 100 of them silenced
#           by an nftables drop rule; baseline = one `ping -c1 -W1` per host.
#   swpoll: 200 devices = one snmpd listening on 127.8.110.1-200:161;
#           baseline = one `snmpwalk` process per walked OID per device,
#           as PHP Ubilling ran them.
#
# Loopback only. Needs root (ICMP raw socket, nft, port 161) and a running
# private stack:  UBAPI_TEST_DIR=/tmp/stackN UBAPI_BUILD=/tmp/bN test/bench/bench_devices.sh
# It replaces the switches of the stack's "own" database.
set -euo pipefail

: "${UBAPI_TEST_DIR:?set UBAPI_TEST_DIR to a running stack (etc/stack.sh start DIR)}"
: "${UBAPI_BUILD:?set UBAPI_BUILD to the build directory}"
SOCK=$(sed -n 's/^UBAPI_DB_SOCKET=//p' "$UBAPI_TEST_DIR/stack.env")
SOCK=${SOCK:-$UBAPI_TEST_DIR/run/mysqld.sock}
ROOT=$UBAPI_TEST_DIR/root-own
UBAPI=$UBAPI_BUILD/ubapi
SKIP_BASELINE=${SKIP_BASELINE:-0}
SKIP_SWPING=${SKIP_SWPING:-0}
TABLE=ubapi_bench_devices_$$
WORK=$(mktemp -d /tmp/ubapi-bench-devices.XXXXXX)
SNMPD_PID=
sql() { mariadb -S "$SOCK" -uubapi -pubapi ubapi_own -N -e "$1"; }

cleanup() {
  nft delete table inet "$TABLE" 2>/dev/null || true
  [[ -n $SNMPD_PID ]] && kill $SNMPD_PID 2>/dev/null || true
  rm -rf "$WORK"
  rm -f "$ROOT/config/snmptemplates/BENCH_TEMPLATE"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

addr_ping() { echo "127.8.$((100 + $1 / 250)).$((1 + $1 % 250))"; }

# ---------------------------------------------------------------- swping
if [[ $SKIP_SWPING != 1 ]]; then
echo "== swping: 1000 switches, 100 unreachable"
sql "DELETE FROM switches; DELETE FROM deathtime; DELETE FROM switchdeadlog"
{
  echo "INSERT INTO switches (id, modelid, ip, \`desc\`, location, snmp) VALUES"
  for i in $(seq 0 999); do
    sep=","; [[ $i == 999 ]] && sep=";"
    echo "($((i + 1)), 0, '$(addr_ping "$i")', '', 'loc$i', '')$sep"
  done
} >"$WORK/switches.sql"
mariadb -S "$SOCK" -uubapi -pubapi ubapi_own <"$WORK/switches.sql"
dead=()
for i in $(seq 0 10 999); do dead+=("$(addr_ping "$i")"); done
nft add table inet "$TABLE"
nft add chain inet "$TABLE" out '{ type filter hook output priority 0 ; }'
nft add rule inet "$TABLE" out ip daddr "{ $(IFS=,; echo "${dead[*]}") }" drop

t0=$(now)
out=$("$UBAPI" --root "$ROOT" swping)
t1=$(now)
ndead=$(sql "SELECT COUNT(*) FROM deathtime")
echo "ubapi swping: $(elapsed "$t0" "$t1") s  reply=$out  dead=$ndead (expected 100)"

if [[ $SKIP_BASELINE != 1 ]]; then
  t0=$(now)
  bdead=0
  for i in $(seq 0 999); do
    ping -c1 -W1 "$(addr_ping "$i")" >/dev/null 2>&1 || bdead=$((bdead + 1))
  done
  t1=$(now)
  echo "serial ping -c1 -W1: $(elapsed "$t0" "$t1") s  dead=$bdead"
fi
nft delete table inet "$TABLE"
fi

# ---------------------------------------------------------------- swpoll
echo "== swpoll: 200 devices on two snmpd (100 addresses each)"
# snmpd binds at most ~120 listening addresses (its agentaddress string is
# length-limited), so the 200 devices are split over two agents
SNMPD_PIDS=()
for half in 0 1; do
  {
    echo "rocommunity public 127.0.0.0/8"
    echo "master no"
    for b in $(seq $((half * 100)) 20 $((half * 100 + 99))); do
      line=()
      for i in $(seq $((b + 1)) $((b + 20))); do line+=("udp:127.8.110.$i:161"); done
      echo "agentaddress $(IFS=,; echo "${line[*]}")"
    done
  } >"$WORK/snmpd$half.conf"
  /usr/sbin/snmpd -f -C -c "$WORK/snmpd$half.conf" -Lf "$WORK/snmpd$half.log" -p "$WORK/snmpd$half.pid" \
    >/dev/null 2>&1 &
  SNMPD_PIDS+=($!)
done
SNMPD_PID="${SNMPD_PIDS[*]}"
for a in 127.8.110.1 127.8.110.200; do
  for _ in $(seq 1 50); do
    snmpget -v2c -c public -r0 -t0.2 "$a" .1.3.6.1.2.1.1.3.0 >/dev/null 2>&1 && break
    sleep 0.1
  done
done

OIDS=(.1.3.6.1.2.1.2.2.1.8 .1.3.6.1.2.1.2.2.1.2 .1.3.6.1.2.1.2.2.1.10 .1.3.6.1.2.1.1)
mkdir -p "$ROOT/config/snmptemplates"
cat >"$ROOT/config/snmptemplates/BENCH_TEMPLATE" <<TPL
[define]
DEVICE=bench
FDB=true
FDB_MODE=default
[PORTS]
NAME=ports
OIDS="$(IFS=,; echo "${OIDS[*]}")"
TPL
sql "DELETE FROM switches; DELETE FROM switchmodels WHERE id=899; DELETE FROM ubstorage WHERE \`key\`='SWDEAD';
     INSERT INTO switchmodels (id, modelname, ports, snmptemplate) VALUES (899, 'bench', 8, 'BENCH_TEMPLATE')"
{
  echo "INSERT INTO switches (id, modelid, ip, \`desc\`, location, snmp) VALUES"
  for i in $(seq 1 200); do
    sep=","; [[ $i == 200 ]] && sep=";"
    echo "($i, 899, '127.8.110.$i', 'SWPOLL', 'b$i', 'public')$sep"
  done
} >"$WORK/swpoll.sql"
mariadb -S "$SOCK" -uubapi -pubapi ubapi_own <"$WORK/swpoll.sql"
# SNMPCACHE_TIME=0: every walk goes to the agent
cp "$ROOT/config/alter.ini" "$WORK/alter.ini.bak"
restore_alter() { cp "$WORK/alter.ini.bak" "$ROOT/config/alter.ini"; }
trap 'restore_alter; cleanup' EXIT
echo 'SNMPCACHE_TIME=0' >>"$ROOT/config/alter.ini"

udp_drops() { awk '/^Udp:/ { n++; if (n == 2) print $6 }' /proc/net/snmp; }
drops0=$(udp_drops)
t0=$(now)
out=$( { /usr/bin/time -f "%U user %S sys" ${BENCH_WRAP:-} "$UBAPI" --root "$ROOT" swpoll | tail -1; } 2>"$WORK/time.txt")
t1=$(now)
echo "ubapi cpu: $(tail -1 "$WORK/time.txt"), UDP receive-buffer drops during the run: $(( $(udp_drops) - drops0 ))"
ours=$(elapsed "$t0" "$t1")
answered=$(find "$ROOT/exports" -name "127.8.110.*_.1.3.6.1.2.1.2.2.1.8" -size +0 | wc -l)
echo "ubapi swpoll: $ours s  reply=$out  devices answered=$answered/200  walks=$((200 * (${#OIDS[@]} + 1)))"
ref=$(snmpwalk -On -v2c -c public -Cc 127.8.110.77 .1.3.6.1.2.1.2.2.1.8)
if [[ $ref == "$(cat "$ROOT/exports/127.8.110.77_.1.3.6.1.2.1.2.2.1.8")" ]]; then
  echo "cache file byte-identical to snmpwalk: yes"
else
  echo "cache file byte-identical to snmpwalk: NO"
fi

if [[ $SKIP_BASELINE != 1 ]]; then
  t0=$(now)
  for i in $(seq 1 200); do
    for oid in "${OIDS[@]}" .1.3.6.1.2.1.17.4.3.1.2; do
      snmpwalk -On -v2c -c public -Cc "127.8.110.$i" "$oid" >/dev/null 2>&1 || true
    done
  done
  t1=$(now)
  base=$(elapsed "$t0" "$t1")
  echo "serial snmpwalk (one process per walk): $base s  speedup x$(awk -v a="$base" -v b="$ours" 'BEGIN { printf "%.1f", a / b }')"
fi
sql "DELETE FROM switches; DELETE FROM switchmodels WHERE id=899; DELETE FROM deathtime; DELETE FROM switchdeadlog"
