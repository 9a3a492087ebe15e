#!/usr/bin/env bash
# schema/demo-data.sh N DB...
#
# Fills each database with N demo subscribers (schema/demo-data.sql; it
# replaces the contents of the tables it fills) and prints the time taken.
# Connection: with UBAPI_STACK=DIR, root over the socket of the stack that
# etc/stack.sh runs under DIR; otherwise the mariadb client's own defaults
# (~/.my.cnf, MYSQL_UNIX_PORT, MYSQL_TCP_PORT...).
set -euo pipefail

if (($# < 2)) || [[ ! $1 =~ ^[0-9]+$ ]] || (($1 < 1 || $1 > 999999)); then
  echo "usage: $0 N DB...   (1 <= N <= 999999; set UBAPI_STACK=DIR for a stack's database)" >&2
  exit 2
fi
n=$1
shift
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

client=(mariadb)
if [[ -n ${UBAPI_STACK:-} ]]; then
  [[ -f $UBAPI_STACK/mariadb/my.cnf ]] || { echo "demo-data: no stack under $UBAPI_STACK" >&2; exit 1; }
  client=(mariadb "--defaults-file=$UBAPI_STACK/mariadb/my.cnf")
fi

for dbname in "$@"; do
  start=$(date +%s.%N)
  { echo "SET @demo_users = $n;"; cat "$here/demo-data.sql"; } | "${client[@]}" --batch --skip-column-names "$dbname" >/dev/null
  end=$(date +%s.%N)
  printf 'demo-data: %d users into %s in %.1fs\n' "$n" "$dbname" "$(echo "$end - $start" | bc 2>/dev/null || awk "BEGIN{print $end - $start}")"
done
