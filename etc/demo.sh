#!/usr/bin/env bash
# etc/demo.sh: ubapi running behind nginx on this machine, with 10,000 demo
# subscribers, in one command. Safe to re-run (the stack is reused and the
# demo data reloaded). Everything lives under <repo>/.demo and listens on
# 127.0.0.1 only: nginx 28080 (ubapi's schema) and 28081 (Ubilling's real
# schema), MariaDB 23306, so it never clashes with the tests' stack.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
demo=$top/.demo
users=${UBAPI_DEMO_USERS:-10000}
export UBAPI_DB_PORT=${UBAPI_DB_PORT:-23306}
export UBAPI_HTTP_PORT_OWN=${UBAPI_HTTP_PORT_OWN:-28080}
export UBAPI_HTTP_PORT_REAL=${UBAPI_HTTP_PORT_REAL:-28081}
export UBAPI_BUILD=${UBAPI_BUILD:-$top/build}
build=$UBAPI_BUILD
base=http://127.0.0.1:$UBAPI_HTTP_PORT_OWN/

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
"$top/etc/install-deps.sh"

step "build (Release) in $build"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j "$(nproc)" >"$build/demo-build.log" 2>&1 ||
  { tail -n 40 "$build/demo-build.log" >&2; echo "demo: build failed (log: $build/demo-build.log)" >&2; exit 1; }
echo "built $build/ubapi and $build/ubapi.fcgi"

step "stack under .demo/"
"$top/etc/stack.sh" start "$demo"

step "demo data: $users subscribers into ubapi_own"
UBAPI_STACK=$demo "$top/schema/demo-data.sh" "$users" ubapi_own

serial=$(sed -n 's/^UBAPI_SERIAL=//p' "$demo/stack.env")

call() {
  local what=$1 query=$2 reply
  reply=$(curl -sS --max-time 30 -w '\n[HTTP %{http_code}]' "$base?$query") || reply="(curl failed)"
  printf '\n# %s\n$ curl '\''%s?%s'\''\n%s\n' "$what" "$base" "$query" "$reply"
}

step "a few calls through nginx"
call "identify without a key: the last 4 characters of the serial" \
  "module=remoteapi&action=identify"
call "identify with the key" \
  "module=remoteapi&key=$serial&action=identify"
call "a wrong key" \
  "module=remoteapi&key=UB00000000000000000000000000000000&action=identify"
call "no key, no action" \
  "module=remoteapi"

list=$("$build/ubapi" --list 2>/dev/null || true)
if grep -q '^usercash' <<<"$list"; then
  show() { mariadb --defaults-file="$demo/mariadb/my.cnf" --table ubapi_own -e "$1"; }
  step "money through the API: 100 onto demo000001 (billing core 'direct': SQL on users)"
  show "SELECT login, Cash FROM users WHERE login = 'demo000001'"
  call "usercash: add 100 to the balance of demo000001" "module=remoteapi&key=$serial&action=usercash&login=demo000001&summ=100&note=demo"
  show "SELECT login, Cash FROM users WHERE login = 'demo000001';
        SELECT id, login, date, admin, balance, summ, note FROM payments ORDER BY id DESC LIMIT 1"
fi

step "the command-line twin (same front controller, no key: trusted by file permissions)"
echo "\$ build/ubapi --root .demo/root-own identify"
"$build/ubapi" --root "$demo/root-own" identify || true
echo
if [[ -n $list ]]; then
  echo "\$ build/ubapi --list    ($(wc -l <<<"$list") actions; the first few:)"
  head -n 8 <<<"$list"
fi

cat <<EOF

== more
The API (key = serial $serial):
  curl '${base}?module=remoteapi&key=$serial&action=ACTION[&param=...]'
  ubapi's own schema:   $base           database ubapi_own
  Ubilling's schema:    http://127.0.0.1:$UBAPI_HTTP_PORT_REAL/   database ubapi_real (no demo data)
  Every action:         build/ubapi --list
  The CLI:              build/ubapi --root .demo/root-own 'ACTION[&param=...]'
  Its config:           .demo/root-own/config/{alter,billing,mysql,ubapi}.ini
  The database:         mariadb --defaults-file=.demo/mariadb/my.cnf ubapi_own
  Logs:                 .demo/log/
  Status:               etc/stack.sh status $demo
Stop it all with:
  etc/stack.sh stop $demo
EOF
