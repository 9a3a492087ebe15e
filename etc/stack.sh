#!/usr/bin/env bash
# etc/stack.sh start|stop|status|reload|restart-db DIR
#
# A private ubapi stack under DIR, for the tests and the demo. Loopback only:
#   DIR/mariadb     MariaDB datadir and my.cnf (127.0.0.1:UBAPI_DB_PORT, socket DIR/run/mysqld.sock)
#                   databases ubapi_own  (schema/ubapi.sql + ubapi_requests.sql)
#                             ubapi_real (Ubilling's stargazer.sql + ubilling.sql + ubapi_requests.sql)
#                   user ubapi/ubapi with all privileges on both
#   DIR/root-own    Ubilling roots (config/, exports/, content/documents/) for each database
#   DIR/root-real
#   DIR/run         pid files and sockets (own.sock, real.sock: two ubapi.fcgi pools)
#   DIR/nginx       nginx.conf; servers on 127.0.0.1:UBAPI_HTTP_PORT_OWN and _REAL
#   DIR/log         every server's log
#   DIR/stack.env   the ports, socket, build dir and serial of the running stack
#
# start   starts what is not running; re-running is safe. MariaDB and nginx
#         are left running (nginx re-reads its config), the FastCGI pools are
#         restarted so a rebuilt binary is picked up. A database is (re)loaded
#         when it is missing or its schema files changed; UBAPI_FRESH=1 reloads
#         both databases and rewrites both roots.
# stop    stops everything (bounded waits, then SIGKILL); fails if a sanitizer
#         build of ubapi.fcgi left error reports in DIR/log.
# status  prints what runs; exit 0 when everything runs, 3 otherwise.
# reload  restarts only the FastCGI pools (after a rebuild).
# restart-db  stops and starts MariaDB only, keeping its data (tests of
#         workers reconnecting).
# Except for start, the ports and build dir default to the ones the running
# stack recorded in DIR/stack.env.
#
# Environment: UBAPI_BUILD (dir with ubapi.fcgi, default <repo>/build),
# UBAPI_DB_PORT (13306), UBAPI_HTTP_PORT_OWN (18080), UBAPI_HTTP_PORT_REAL
# (18081), UBAPI_WORKERS (2), UBAPI_SERIAL, UBAPI_SHARED (dir with
# reference/ubilling/*.sql), UBAPI_FRESH=1.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|status|reload|restart-db DIR   (DIR: absolute path)" >&2
  exit 2
}
die() { echo "stack: $*" >&2; exit 1; }
say() { echo "stack: $*"; }

(($# == 2)) || usage
cmd=$1
dir=$2
case $cmd in start | stop | status | reload | restart-db) ;; *) usage ;; esac
[[ $dir == /* ]] || die "DIR must be an absolute path: $dir"
dir=${dir%/}

# Later commands act on the stack as it was started, whatever this shell's
# environment says.
if [[ $cmd != start && -f $dir/stack.env ]]; then
  while IFS='=' read -r key value; do
    case $key in
      UBAPI_DB_PORT | UBAPI_HTTP_PORT_OWN | UBAPI_HTTP_PORT_REAL | UBAPI_BUILD | UBAPI_SERIAL)
        [[ -n ${!key:-} ]] || export "$key=$value" ;;
    esac
  done <"$dir/stack.env"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
build=${UBAPI_BUILD:-$top/build}
db_port=${UBAPI_DB_PORT:-13306}
http_own=${UBAPI_HTTP_PORT_OWN:-18080}
http_real=${UBAPI_HTTP_PORT_REAL:-18081}
workers=${UBAPI_WORKERS:-2}
serial=${UBAPI_SERIAL:-UB0123456789abcdef0123456789abcdef}
fresh=${UBAPI_FRESH:-0}

run=$dir/run
logs=$dir/log
mycnf=$dir/mariadb/my.cnf
dbsock=$run/mysqld.sock
schemas=(own real)

# ---------------------------------------------------------------- helpers

# Runs "$@" until it succeeds, at most $1 seconds.
wait_for() {
  local secs=$1
  shift
  local deadline=$((SECONDS + secs))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

pid_of() { [[ -s $1 ]] && cat "$1"; }

# A zombie still answers kill -0 until its parent (init, for our daemons)
# reaps it, which can take a while: it counts as gone.
pid_running() {
  [[ $1 =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null &&
    ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"
}
pid_gone() { ! pid_running "$1"; }

alive() {
  local pid
  pid=$(pid_of "$1") || return 1
  pid_running "$pid"
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }
port_closed() { ! port_open "$1"; }

# Stops the process in pid file $1 with $2 (signal), waits $3 seconds, then
# SIGKILLs it. With $4=group the signals go to its process group, which
# setsid made equal to its pid: the pool's workers go with their master.
stop_pidfile() {
  local file=$1 sig=$2 secs=$3 scope=${4:-}
  local pid target
  pid=$(pid_of "$file") || { rm -f "$file"; return 0; }
  target=$pid
  [[ $scope == group ]] && target=-$pid
  if pid_running "$pid"; then
    kill "-$sig" -- "$target" 2>/dev/null || true
    if ! wait_for "$secs" pid_gone "$pid"; then
      echo "stack: pid $pid did not stop within ${secs}s, killing it" >&2
      kill -KILL -- "$target" 2>/dev/null || true
      wait_for 5 pid_gone "$pid" || true
    fi
  fi
  # A master that died first may leave workers behind in its group.
  if [[ $scope == group ]]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  rm -f "$file"
}

# Sets KEY=VALUE in an ini file (all active occurrences), appending it when
# absent; the rest of the file is kept as it is.
ini_set() {
  local file=$1 key=$2 value=$3 tmp
  tmp=$(mktemp "$file.XXXXXX")
  awk -v k="$key" -v v="$value" '
    BEGIN { done = 0 }
    {
      line = $0
      sub(/^[ \t]+/, "", line)
      if (index(line, k) == 1) {
        rest = substr(line, length(k) + 1)
        if (rest ~ /^[ \t]*=/) { print k "=" v; done = 1; next }
      }
      print
    }
    END { if (!done) print k "=" v }' "$file" >"$tmp"
  cat "$tmp" >"$file"
  rm -f "$tmp"
}

shared_dir() {
  local d
  if [[ -n ${UBAPI_SHARED:-} ]]; then
    d=$UBAPI_SHARED
  elif d=$(git -C "$top" rev-parse --show-toplevel 2>/dev/null); then
    d=$d/../shared
  else
    d=$top/../shared
  fi
  if [[ ! -f $d/reference/ubilling/ubilling.sql ]]; then
    # The tests need Ubilling's own schema; the demo can live without it.
    [[ ${UBAPI_REQUIRE_REFERENCE:-0} == 1 ]] &&
      die "Ubilling's reference schema not found in $d/reference/ubilling (set UBAPI_SHARED)"
    say "Ubilling's reference schema not found in $d/reference/ubilling: ubapi_real gets ubapi's own schema" >&2
    return 0
  fi
  (cd "$d" && pwd)
}

check_socket_path() {
  # sun_path holds 108 bytes including the NUL.
  ((${#1} < 100)) || die "socket path too long for a unix socket (${#1} chars): $1; use a shorter DIR"
}

# ---------------------------------------------------------------- MariaDB

db() { mariadb --defaults-file="$mycnf" "$@"; }
db_ping() { mariadb-admin --defaults-file="$mycnf" --connect-timeout=2 ping >/dev/null 2>&1; }

write_mycnf() {
  mkdir -p "$dir/mariadb/data" "$dir/mariadb/tmp"
  cat >"$mycnf" <<EOF
# Generated by etc/stack.sh: a private, loopback-only server for tests.
[mysqld]
datadir = $dir/mariadb/data
tmpdir = $dir/mariadb/tmp
socket = $dbsock
pid-file = $run/mysqld.pid
log-error = $logs/mariadb.err
port = $db_port
bind-address = 127.0.0.1
skip-name-resolve
# Ubilling's SQL relies on the non-strict mode (zero dates, implicit defaults).
sql_mode = NO_ENGINE_SUBSTITUTION
character-set-server = utf8mb3
collation-server = utf8mb3_general_ci
# Sized for a 2-core CI machine; durability does not matter for test data.
innodb_buffer_pool_size = 64M
innodb_log_file_size = 64M
innodb_flush_log_at_trx_commit = 2
innodb_doublewrite = 0
key_buffer_size = 16M
max_connections = 300
max_allowed_packet = 64M
performance_schema = OFF
skip-log-bin

[client]
socket = $dbsock
user = root
EOF
}

mariadb_start() {
  write_mycnf
  if db_ping; then
    if [[ $(pid_of "$run/mysqld.port" || true) == "$db_port" ]]; then
      say "mariadb already running (port $db_port)"
      return 0
    fi
    say "mariadb runs on another port: restarting it on $db_port"
    mariadb_stop
  fi
  rm -f "$dbsock" "$run/mysqld.pid"
  port_closed "$db_port" || die "port 127.0.0.1:$db_port is taken by another program (set UBAPI_DB_PORT)"

  if [[ ! -d $dir/mariadb/data/mysql ]]; then
    say "initialising mariadb in $dir/mariadb/data"
    rm -rf "$dir/mariadb/data" && mkdir -p "$dir/mariadb/data"
    rm -f "$dir"/mariadb/loaded-*
    mariadb-install-db --defaults-file="$mycnf" --auth-root-authentication-method=normal \
      --user=root --skip-test-db >"$logs/mariadb-install.log" 2>&1 ||
      { tail -n 30 "$logs/mariadb-install.log" >&2; die "mariadb-install-db failed (log: $logs/mariadb-install.log)"; }
  fi

  say "starting mariadb on 127.0.0.1:$db_port"
  # setsid: the server must not share a process group (or the caller's
  # stdout, which ctest waits on) with whoever started the stack.
  setsid mariadbd --defaults-file="$mycnf" --user=root </dev/null >>"$logs/mariadb.out" 2>&1 &
  local launcher=$!
  local deadline=$((SECONDS + 60))
  until db_ping; do
    if pid_gone "$launcher"; then
      tail -n 30 "$logs/mariadb.err" >&2 || true
      die "mariadbd exited during start-up (log: $logs/mariadb.err)"
    fi
    ((SECONDS < deadline)) || { tail -n 30 "$logs/mariadb.err" >&2 || true; die "mariadb not ready after 60s"; }
    sleep 0.2
  done
  echo "$db_port" >"$run/mysqld.port"
}

mariadb_stop() {
  if alive "$run/mysqld.pid"; then
    say "stopping mariadb"
    stop_pidfile "$run/mysqld.pid" TERM 60
  fi
  rm -f "$run/mysqld.pid" "$run/mysqld.port"
}

# Loads database ubapi_$1 from the given SQL files unless it is already loaded
# from exactly these files (a checksum of them is kept next to the datadir).
load_db() {
  local name=$1
  shift
  local dbname=ubapi_$name marker=$dir/mariadb/loaded-$name sum
  sum=$(cat "$@" | sha256sum | cut -d' ' -f1)
  if [[ $fresh != 1 && -f $marker && $(cat "$marker") == "$sum" ]] &&
    [[ -n $(db -N -e "SHOW DATABASES LIKE '$dbname'") ]]; then
    return 0
  fi
  say "loading $dbname from: $*"
  rm -f "$marker"
  db -e "DROP DATABASE IF EXISTS \`$dbname\`; CREATE DATABASE \`$dbname\` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci"
  local f
  for f in "$@"; do
    # Stargazer's dump creates and selects its own database "stg".
    sed -e '/^CREATE DATABASE /d' -e '/^USE /d' "$f" | db "$dbname" ||
      die "loading $f into $dbname failed"
  done
  echo "$sum" >"$marker"
}

databases_setup() {
  local shared
  shared=$(shared_dir)
  # ubapi.sql, then each family's tables (schema/ubapi-*.sql), then the
  # one table of ubapi's own
  local family=("$top"/schema/ubapi-*.sql)
  [[ -e ${family[0]} ]] || family=()
  load_db own "$top/schema/ubapi.sql" "${family[@]}" "$top/schema/ubapi_requests.sql"
  if [[ -n $shared ]]; then
    load_db real "$shared/reference/ubilling/stargazer.sql" "$shared/reference/ubilling/ubilling.sql" \
      "$top/schema/ubapi_requests.sql"
  else
    load_db real "$top/schema/ubapi.sql" "${family[@]}" "$top/schema/ubapi_requests.sql"
  fi

  local s sqlq=""
  for s in "${schemas[@]}"; do
    sqlq+="CREATE USER IF NOT EXISTS 'ubapi'@'127.0.0.1' IDENTIFIED BY 'ubapi';
      CREATE USER IF NOT EXISTS 'ubapi'@'localhost' IDENTIFIED BY 'ubapi';
      GRANT ALL PRIVILEGES ON \`ubapi_$s\`.* TO 'ubapi'@'127.0.0.1';
      GRANT ALL PRIVILEGES ON \`ubapi_$s\`.* TO 'ubapi'@'localhost';
      DELETE FROM \`ubapi_$s\`.ubstats WHERE \`key\` = 'ubid';
      INSERT INTO \`ubapi_$s\`.ubstats (\`key\`, \`value\`) VALUES ('ubid', '$serial');"
  done
  db -e "$sqlq"
}

# ---------------------------------------------------------------- roots

# Copies a sample into the root when the copy is missing, older than the
# sample, or UBAPI_FRESH=1; returns 1 when the copy was kept.
install_sample() {
  local src=$1 dst=$2
  if [[ $fresh == 1 || ! -f $dst || $src -nt $dst ]]; then
    cp "$src" "$dst"
    return 0
  fi
  return 1
}

make_root() {
  local name=$1 shared=$2
  local r=$dir/root-$name
  [[ $fresh == 1 ]] && rm -rf "$r"
  mkdir -p "$r/config" "$r/exports" "$r/content/documents" "$r/multinet"

  # Ubilling's own samples stand in until etc/ has them.
  local alter=$top/etc/alter.ini billing=$top/etc/billing.ini
  if [[ ! -f $alter ]]; then alter=$shared/reference/ubilling/alter.ini; fi
  if [[ ! -f $billing ]]; then billing=$shared/reference/ubilling/billing.ini; fi

  if install_sample "$alter" "$r/config/alter.ini"; then
    chmod u+w "$r/config/alter.ini"
    ini_set "$r/config/alter.ini" REMOTEAPI_ENABLED 1
  fi
  if install_sample "$billing" "$r/config/billing.ini"; then
    chmod u+w "$r/config/billing.ini"
    ini_set "$r/config/billing.ini" NOSTGCHECKPID 1
    # The stack runs no Stargazer: the billing core works on the users table.
    # Tests of the Stargazer client switch to it with harness.config().
    ini_set "$r/config/billing.ini" baseconf direct
  fi
  if [[ -f $top/etc/ubapi.ini ]]; then
    install_sample "$top/etc/ubapi.ini" "$r/config/ubapi.ini" || true
  fi

  # mysql.ini always follows the running database.
  cp "$top/etc/mysql.ini" "$r/config/mysql.ini"
  chmod u+w "$r/config/mysql.ini"
  ini_set "$r/config/mysql.ini" server '"127.0.0.1"'
  ini_set "$r/config/mysql.ini" port "\"$db_port\""
  ini_set "$r/config/mysql.ini" username '"ubapi"'
  ini_set "$r/config/mysql.ini" password '"ubapi"'
  ini_set "$r/config/mysql.ini" db "\"ubapi_$name\""
}

# ---------------------------------------------------------------- FastCGI pools

pool_start() {
  local name=$1 bin=$build/ubapi.fcgi
  local sock=$run/$name.sock pidf=$run/$name.pid
  [[ -x $bin ]] || die "$bin not found: build first (cmake -S . -B build && cmake --build build) or set UBAPI_BUILD"
  check_socket_path "$sock"
  pool_stop "$name"
  rm -f "$sock"
  # A sanitizer build of the pool reports into DIR/log (stop checks there);
  # leak checking is off for servers that are SIGTERMed mid-flight.
  ASAN_OPTIONS=${UBAPI_SERVER_ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:log_path=$logs/asan-$name} \
    UBSAN_OPTIONS=${UBAPI_SERVER_UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan-$name} \
    setsid "$bin" --root "$dir/root-$name" --listen "unix:$sock" --workers "$workers" \
    </dev/null >>"$logs/$name.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$pidf"
  local deadline=$((SECONDS + 20))
  until [[ -S $sock ]]; do
    if pid_gone "$pid"; then
      tail -n 20 "$logs/$name.log" >&2 || true
      die "ubapi.fcgi ($name) exited during start-up (log: $logs/$name.log)"
    fi
    ((SECONDS < deadline)) || die "ubapi.fcgi ($name) made no socket $sock within 20s"
    sleep 0.1
  done
  say "ubapi.fcgi $name: pid $pid, $workers workers, unix:$sock"
}

pool_stop() {
  local name=$1
  if alive "$run/$name.pid"; then
    say "stopping ubapi.fcgi $name"
  fi
  stop_pidfile "$run/$name.pid" TERM 10 group
  rm -f "$run/$name.sock"
}

# ---------------------------------------------------------------- nginx

ngx() { nginx -p "$dir/nginx/" -c "$dir/nginx/nginx.conf" -e "$logs/nginx-error.log" "$@"; }

nginx_config() {
  local tmpl=$top/etc/nginx/ubapi-site.conf.in name port
  mkdir -p "$dir/nginx/tmp"
  for name in "${schemas[@]}"; do
    port=$http_own
    [[ $name == real ]] && port=$http_real
    check_socket_path "$run/$name.sock"
    sed -e "s|@NAME@|$name|g" -e "s|@PORT@|$port|g" -e "s|@SOCKET@|$run/$name.sock|g" \
      -e "s|@LOGDIR@|$logs|g" -e "s|@ROOT@|$dir/root-$name|g" "$tmpl" >"$dir/nginx/site-$name.conf"
  done
  cat >"$dir/nginx/nginx.conf" <<EOF
# Generated by etc/stack.sh from etc/nginx/ubapi-site.conf.in.
daemon on;
master_process on;
worker_processes 2;
# Workers as root can reach the pools' sockets wherever DIR is (CI clones may
# live under /root); the stack only listens on 127.0.0.1.
user root;
pid $run/nginx.pid;
error_log $logs/nginx-error.log warn;

events {
    worker_connections 1024;
}

http {
    default_type text/plain;
    server_tokens off;
    keepalive_timeout 30s;
    client_body_temp_path $dir/nginx/tmp/client_body;
    fastcgi_temp_path $dir/nginx/tmp/fastcgi;
    proxy_temp_path $dir/nginx/tmp/proxy;
    uwsgi_temp_path $dir/nginx/tmp/uwsgi;
    scgi_temp_path $dir/nginx/tmp/scgi;

    include $dir/nginx/site-own.conf;
    include $dir/nginx/site-real.conf;
}
EOF
}

nginx_start() {
  local p
  nginx_config
  ngx -t -q 2>>"$logs/nginx-error.log" || { tail -n 20 "$logs/nginx-error.log" >&2; die "nginx config test failed"; }
  if alive "$run/nginx.pid"; then
    say "nginx already running: reloading its config"
    kill -HUP "$(pid_of "$run/nginx.pid")"
  else
    for p in "$http_own" "$http_real"; do
      port_closed "$p" || die "port 127.0.0.1:$p is taken by another program (set UBAPI_HTTP_PORT_OWN/_REAL)"
    done
    say "starting nginx on 127.0.0.1:$http_own (own) and 127.0.0.1:$http_real (real)"
    ngx </dev/null >>"$logs/nginx.out" 2>&1 || { tail -n 20 "$logs/nginx-error.log" >&2; die "nginx failed to start"; }
  fi
  for p in "$http_own" "$http_real"; do
    wait_for 15 port_open "$p" ||
      { tail -n 20 "$logs/nginx-error.log" >&2; die "nginx is not listening on 127.0.0.1:$p"; }
  done
}

nginx_stop() {
  if alive "$run/nginx.pid"; then
    say "stopping nginx"
    stop_pidfile "$run/nginx.pid" TERM 10
  fi
  rm -f "$run/nginx.pid"
}

# ---------------------------------------------------------------- commands

write_env() {
  cat >"$dir/stack.env" <<EOF
UBAPI_DB_PORT=$db_port
UBAPI_DB_SOCKET=$dbsock
UBAPI_HTTP_PORT_OWN=$http_own
UBAPI_HTTP_PORT_REAL=$http_real
UBAPI_BUILD=$build
UBAPI_SERIAL=$serial
EOF
}

sanitizer_reports() {
  local f found=0
  for f in "$logs"/asan-* "$logs"/ubsan-*; do
    [[ -f $f ]] || continue
    found=1
    echo "==== $f" >&2
    cat "$f" >&2
  done
  ((found == 0))
}

do_start() {
  mkdir -p "$run" "$logs"
  rm -f "$logs"/asan-* "$logs"/ubsan-*
  local t0=$SECONDS shared s
  shared=$(shared_dir)
  mariadb_start
  databases_setup
  for s in "${schemas[@]}"; do make_root "$s" "$shared"; done
  for s in "${schemas[@]}"; do pool_start "$s"; done
  nginx_start
  write_env
  say "ready in $((SECONDS - t0))s: http://127.0.0.1:$http_own/ (ubapi_own), http://127.0.0.1:$http_real/ (ubapi_real), mariadb 127.0.0.1:$db_port"
}

do_stop() {
  [[ -d $run ]] || { say "nothing under $dir"; return 0; }
  nginx_stop
  local s
  for s in "${schemas[@]}"; do pool_stop "$s"; done
  mariadb_stop
  say "stopped"
  sanitizer_reports || die "sanitizer reports from ubapi.fcgi above (files in $logs)"
}

do_status() {
  local rc=0 what
  report() {
    if alive "$2"; then
      printf '%-14s running (pid %s)\n' "$1" "$(pid_of "$2")"
    else
      printf '%-14s stopped\n' "$1"
      rc=3
    fi
  }
  report mariadb "$run/mysqld.pid"
  for what in "${schemas[@]}"; do report "ubapi.fcgi $what" "$run/$what.pid"; done
  report nginx "$run/nginx.pid"
  [[ -f $dir/stack.env ]] && sed 's/^/  /' "$dir/stack.env"
  return "$rc"
}

do_reload() {
  alive "$run/mysqld.pid" || die "the stack under $dir is not running (use start)"
  local s
  for s in "${schemas[@]}"; do pool_start "$s"; done
}

do_restart_db() {
  [[ -d $run ]] || die "no stack under $dir (use start)"
  mariadb_stop
  mariadb_start
}

case $cmd in
  start) do_start ;;
  restart-db) do_restart_db ;;
  stop) do_stop ;;
  status) do_status ;;
  reload) do_reload ;;
esac
