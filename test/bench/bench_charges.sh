#!/usr/bin/env bash
# test/bench/bench_charges.sh STACK_DIR [N] [N_STG]
#
# Times vserviceschargefee and autofreeze end to end on a running private
# stack (etc/stack.sh start STACK_DIR), own schema (ubapi_own), and the bare
# SQL lower bound for the same changes, in the same run:
#   - N demo users (schema/demo-data.sh, default 100000), every one tagged
#     with one virtual service (price 1, charged always);
#   - autofreeze with half the users under AUTOFREEZE_CASH_LIMIT=-20;
#   - through the CLI (build/ubapi --root) and through nginx (curl), with the
#     direct backend; through the CLI with the Stargazer loopback peer on
#     N_STG users (default 10000: the peer keeps its users in a list);
#   - the lower bound: one set-based UPDATE plus INSERT ... SELECT of the
#     payments and weblogs rows (what the action writes), in one transaction.
# PHP/this: the PHP reference scaled to the same user count, over our time.
# Every run starts from the same saved users table. The database is left
# with the demo data; the stack's config files are restored.
# Loopback only; bounded: every step is one call.
set -euo pipefail

stack=${1:?usage: $0 STACK_DIR [N] [N_STG]}
n=${2:-100000}
nstg=${3:-10000}
# BENCH_HTTP=0 skips the nginx rows: nginx's default fastcgi_read_timeout
# (60 s) ends runs longer than that; N_STG=0 skips the Stargazer rows.
http=${BENCH_HTTP:-1}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck disable=SC1090
. <(sed 's/^/export /' "$stack/stack.env")
build=${UBAPI_BUILD:?}
root=$stack/root-own
db=ubapi_own
my=(mariadb "--defaults-file=$stack/mariadb/my.cnf" --batch --skip-column-names "$db")
url="http://127.0.0.1:$UBAPI_HTTP_PORT_OWN/?module=remoteapi&key=$UBAPI_SERIAL&action="
alter=$root/config/alter.ini
billing=$root/config/billing.ini
cp "$alter" "$stack/bench-alter.ini.saved"
cp "$billing" "$stack/bench-billing.ini.saved"
peer_pid=
cleanup() {
  cp "$stack/bench-alter.ini.saved" "$alter"
  cp "$stack/bench-billing.ini.saved" "$billing"
  [[ -n $peer_pid ]] && kill "$peer_pid" 2>/dev/null || true
}
trap cleanup EXIT

setkey() { # file key value
  grep -v "^$2=" "$1" >"$1.tmp" || true
  echo "$2=$3" >>"$1.tmp"
  touch -d "@$(($(date +%s) + 2))" "$1.tmp"
  mv "$1.tmp" "$1"
}
now() { date +%s.%N; }
secs() { awk "BEGIN{printf \"%.2f\", $2 - $1}"; }

echo "bench: $n demo users into $db"
UBAPI_STACK=$stack "$here/schema/demo-data.sh" "$n" "$db"
"${my[@]}" <<'SQL'
DELETE FROM tags; DELETE FROM vservices;
INSERT INTO vservices (id,tagid,price,cashtype,priority,fee_charge_always,charge_period_days,exclude_tags,archived)
  VALUES (1,900,1,'stargazer',1,1,0,'',0);
INSERT INTO tags (tagid,login) SELECT 900,login FROM users ORDER BY login;
UPDATE users SET Passive=0, Credit=0;
UPDATE users u JOIN (SELECT login, ROW_NUMBER() OVER (ORDER BY login) rn FROM users) x USING (login)
  SET u.Cash = IF(x.rn % 2 = 1, -30, 10);
DROP TABLE IF EXISTS bench_users_saved;
CREATE TABLE bench_users_saved ENGINE=InnoDB AS SELECT * FROM users;
SQL

restore() {
  "${my[@]}" -e "DELETE FROM users; INSERT INTO users SELECT * FROM bench_users_saved;
    DELETE FROM payments; DELETE FROM weblogs; DELETE FROM ubapi_requests;"
}
check_vs() { # expected payments rows
  local got
  got=$("${my[@]}" -e "SELECT COUNT(*) FROM payments")
  [[ $got == "$1" ]] || echo "bench: WARNING: $got payments rows, expected $1" >&2
}
check_af() {
  local got
  got=$("${my[@]}" -e "SELECT COUNT(*) FROM weblogs WHERE event LIKE 'AUTOFREEZE (%'")
  [[ $got == "$1" ]] || echo "bench: WARNING: $got freeze weblogs, expected $1" >&2
}
half=$(((n + 1) / 2))

setkey "$billing" baseconf direct
setkey "$alter" AUTOFREEZE_CASH_LIMIT -20
declare -A t

restore; s=$(now); "$build/ubapi" --root "$root" vserviceschargefee >/dev/null; t[vs_cli]=$(secs "$s" "$(now)"); check_vs "$n"
t[vs_http]=skipped t[af_http]=skipped t[vs_stg]=skipped t[vs_stg_http]=skipped t[af_stg]=skipped
if ((http)); then
restore; s=$(now); curl -sS --max-time 3600 "${url}vserviceschargefee" >/dev/null; t[vs_http]=$(secs "$s" "$(now)"); check_vs "$n"
fi
restore; s=$(now)
"${my[@]}" <<'SQL'
START TRANSACTION;
INSERT INTO weblogs (date,admin,ip,event) VALUES (NOW(),'guest','127.0.0.1','REMOTEAPI VSERVICE_CHARGE_FEE STARTED');
INSERT INTO payments (login,date,admin,balance,summ,cashtypeid,note)
  SELECT u.login,NOW(),'guest',u.Cash,'-1',1,'Service:1' FROM users u JOIN tags t ON t.login=u.login AND t.tagid=900;
INSERT INTO weblogs (date,admin,ip,event)
  SELECT NOW(),'guest','127.0.0.1',CONCAT('BALANCEADD (',t.login,') ON -1') FROM tags t WHERE t.tagid=900;
UPDATE users u JOIN tags t ON t.login=u.login AND t.tagid=900 SET u.Cash=u.Cash-1, u.LastCashAdd=-1;
INSERT INTO weblogs (date,admin,ip,event) VALUES (NOW(),'guest','127.0.0.1','REMOTEAPI VSERVICE_CHARGE_FEE FINISHED');
COMMIT;
SQL
t[vs_sql]=$(secs "$s" "$(now)"); check_vs "$n"

restore; s=$(now); "$build/ubapi" --root "$root" autofreeze >/dev/null; t[af_cli]=$(secs "$s" "$(now)"); check_af "$half"
if ((http)); then
restore; s=$(now); curl -sS --max-time 3600 "${url}autofreeze" >/dev/null; t[af_http]=$(secs "$s" "$(now)"); check_af "$half"
fi
restore; s=$(now)
"${my[@]}" <<'SQL'
START TRANSACTION;
INSERT INTO weblogs (date,admin,ip,event)
  SELECT NOW(),'guest','127.0.0.1',CONCAT('AUTOFREEZE (',login,') ON BALANCE ',Cash) FROM users
  WHERE Passive=0 AND Cash<=-20 AND Credit=0 ORDER BY login;
UPDATE users SET Passive=1, PassiveTime=UNIX_TIMESTAMP() WHERE Passive=0 AND Cash<=-20 AND Credit=0;
INSERT INTO weblogs (date,admin,ip,event) VALUES (NOW(),'guest','127.0.0.1','AUTOFREEZE DONE COUNT `x`');
COMMIT;
SQL
t[af_sql]=$(secs "$s" "$(now)"); check_af "$half"

# Stargazer peer on the first N_STG users only (tags of the rest dropped)
if ((nstg > 0)); then
restore
"${my[@]}" -e "DELETE FROM tags WHERE login NOT IN (SELECT login FROM (SELECT login FROM users ORDER BY login LIMIT $nstg) x);
  DELETE FROM users WHERE login NOT IN (SELECT login FROM (SELECT login FROM users ORDER BY login LIMIT $nstg) x);"
"${my[@]}" -e "DROP TABLE IF EXISTS bench_users_stg; CREATE TABLE bench_users_stg ENGINE=InnoDB AS SELECT * FROM users;"
args=()
while read -r login cash; do args+=(--user "$login:$cash:0:0:0:1:Demo-100:0"); done \
  < <("${my[@]}" -e "SELECT login, Cash FROM users ORDER BY login")
# a previous run's file would give its port before the new peer rewrites it
rm -f "$stack/bench-peer.out"
"$build/stgpeer" --listen 127.0.0.1:0 --admin admin:123456 --mode normal "${args[@]}" >"$stack/bench-peer.out" 2>&1 &
peer_pid=$!
for _ in $(seq 50); do grep -qs 'listening on' "$stack/bench-peer.out" && break; sleep 0.1; done
port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$stack/bench-peer.out")
setkey "$billing" baseconf sgconfxml
setkey "$billing" STG_HOST 127.0.0.1
setkey "$billing" STG_PORT "$port"
setkey "$billing" NOSTGCHECKPID 1
restore_stg() { "${my[@]}" -e "DELETE FROM users; INSERT INTO users SELECT * FROM bench_users_stg; DELETE FROM payments; DELETE FROM weblogs;"; }
restore_stg; s=$(now); "$build/ubapi" --root "$root" vserviceschargefee >/dev/null; t[vs_stg]=$(secs "$s" "$(now)"); check_vs "$nstg"
restore_stg; s=$(now); curl -sS --max-time 3600 "${url}vserviceschargefee" >/dev/null; t[vs_stg_http]=$(secs "$s" "$(now)"); check_vs "$nstg"
restore_stg; s=$(now); "$build/ubapi" --root "$root" autofreeze >/dev/null; t[af_stg]=$(secs "$s" "$(now)"); check_af "$(((nstg + 1) / 2))"
kill "$peer_pid"; peer_pid=
"${my[@]}" -e "DROP TABLE bench_users_stg"
fi
"${my[@]}" -e "DELETE FROM users; INSERT INTO users SELECT * FROM bench_users_saved; DROP TABLE bench_users_saved; DELETE FROM payments; DELETE FROM weblogs;"

ratio() { [[ $1 == skipped ]] && { echo -; return; }; awk "BEGIN{printf \"%.1f\", $1 / ($2 > 0 ? $2 : 0.001)}"; }
# PHP's time for the same user count, scaled from the reference figures
# (32 s per 10,000 users for vserviceschargefee, 13 s per 5,000 for
# autofreeze: the fast end), divided by ours
php_vs() { [[ $2 == skipped ]] && { echo -; return; }; awk "BEGIN{printf \"%.0f\", 32 * $1 / 10000 / ($2 > 0 ? $2 : 0.001)}"; }
php_af() { [[ $2 == skipped ]] && { echo -; return; }; awk "BEGIN{printf \"%.0f\", 13 * $1 / 5000 / ($2 > 0 ? $2 : 0.001)}"; }
row() { printf '%-46s %9s %11s %12s\n' "$@"; }
echo
row "run" "seconds" "x SQL bound" "PHP/this"
row "vserviceschargefee $n users, SQL lower bound" "${t[vs_sql]}" "1.0" "-"
row "vserviceschargefee $n, direct, CLI" "${t[vs_cli]}" "$(ratio "${t[vs_cli]}" "${t[vs_sql]}")" "$(php_vs "$n" "${t[vs_cli]}")"
row "vserviceschargefee $n, direct, nginx" "${t[vs_http]}" "$(ratio "${t[vs_http]}" "${t[vs_sql]}")" "$(php_vs "$n" "${t[vs_http]}")"
row "vserviceschargefee $nstg, Stargazer peer, CLI" "${t[vs_stg]}" "-" "$(php_vs "$nstg" "${t[vs_stg]}")"
row "vserviceschargefee $nstg, Stargazer peer, nginx" "${t[vs_stg_http]}" "-" "$(php_vs "$nstg" "${t[vs_stg_http]}")"
row "autofreeze $n ($half frozen), SQL bound" "${t[af_sql]}" "1.0" "-"
row "autofreeze $n, direct, CLI" "${t[af_cli]}" "$(ratio "${t[af_cli]}" "${t[af_sql]}")" "$(php_af "$n" "${t[af_cli]}")"
row "autofreeze $n, direct, nginx" "${t[af_http]}" "$(ratio "${t[af_http]}" "${t[af_sql]}")" "$(php_af "$n" "${t[af_http]}")"
row "autofreeze $nstg, Stargazer peer, CLI" "${t[af_stg]}" "-" "$(php_af "$nstg" "${t[af_stg]}")"
echo "reference: PHP ~32 s for vserviceschargefee over 10,000 users, 13-16 s for autofreeze over 5,000"
