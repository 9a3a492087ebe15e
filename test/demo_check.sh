#!/usr/bin/env bash
# test/demo_check.sh: runs the README's demo command (etc/demo.sh) the way a
# new user would, checks what it shows against the stack it started, and
# stops that stack again. Part of test/run.sh, so the demo cannot rot.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
demo=$top/.demo
log=$(mktemp)
passed=0
failed=0
check() { # description, command...
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL demo: $what" >&2
  fi
}

"$top/etc/demo.sh" >"$log" 2>&1
rc=$?
check "etc/demo.sh exits 0" test "$rc" -eq 0
serial=$(sed -n 's/^UBAPI_SERIAL=//p' "$demo/stack.env" 2>/dev/null)
check "the demo stack has a serial" test -n "$serial"
# identify without a key answers the serial's last four characters
check "identify shows the serial's tail" grep -qx "${serial: -4}" "$log"
check "a wrong key is refused" grep -qx "ERROR:GET_WRONG_KEY" "$log"
check "the money call is made" grep -qx "OK:USERCASH" "$log"
paid=$(mariadb --defaults-file="$demo/mariadb/my.cnf" -N ubapi_own \
  -e "SELECT COUNT(*) FROM payments WHERE login='demo000001' AND summ=100 AND note='demo'" 2>/dev/null)
check "the payment row exists" test "${paid:-0}" -ge 1
users=$(mariadb --defaults-file="$demo/mariadb/my.cnf" -N ubapi_own -e "SELECT COUNT(*) FROM users" 2>/dev/null)
check "10,000 demo users are loaded" test "${users:-0}" -eq 10000
check "the stack stops" "$top/etc/stack.sh" stop "$demo"

if ((failed)); then
  echo "--- etc/demo.sh output" >&2
  cat "$log" >&2
fi
rm -f "$log"
echo "demo: $passed passed, $failed failed"
((failed == 0))
