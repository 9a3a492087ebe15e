"""Integration-test harness: the running stack, seen from a test.

Every test module runs against the private stack of etc/stack.sh (started by
the ctest fixture "stack"), on one of its two databases:

    UBAPI_TEST_DIR  the stack's directory (its stack.env gives ports and serial)
    UBAPI_SCHEMA    own (ubapi's schema/ubapi.sql) or real (Ubilling's real schema)
    UBAPI_BUILD     the build directory holding ubapi and ubapi.fcgi

A test module is plain functions named test_* and ends with

    if __name__ == "__main__":
        harness.main(globals())

Run one by hand (after `etc/stack.sh start $PWD/build/teststack`):

    UBAPI_TEST_DIR=$PWD/build/teststack UBAPI_SCHEMA=own UBAPI_BUILD=$PWD/build \
        /usr/bin/python3 test/integration/test_stack_smoke.py [test_name...]

Standard library and pymysql only.
"""

import contextlib
import http.client as _httpclient
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import traceback

import pymysql

# ---------------------------------------------------------------- environment


def _fatal(msg):
    print("harness: " + msg, file=sys.stderr)
    sys.exit(2)


TEST_DIR = os.environ.get("UBAPI_TEST_DIR") or _fatal(
    "UBAPI_TEST_DIR is not set (the directory of a stack started with etc/stack.sh start DIR)")
SCHEMA = os.environ.get("UBAPI_SCHEMA", "own")
if SCHEMA not in ("own", "real"):
    _fatal("UBAPI_SCHEMA must be own or real, not %r" % SCHEMA)


def _read_env(path):
    env = {}
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                key, sep, value = line.strip().partition("=")
                if sep:
                    env[key] = value
    except FileNotFoundError:
        _fatal("%s is missing: is the stack running? (etc/stack.sh start %s)" % (path, TEST_DIR))
    return env


STACK = _read_env(os.path.join(TEST_DIR, "stack.env"))
BUILD = os.environ.get("UBAPI_BUILD") or STACK.get("UBAPI_BUILD", "")
SERIAL = STACK.get("UBAPI_SERIAL", "UB0123456789abcdef0123456789abcdef")
HTTP_PORT = int(STACK["UBAPI_HTTP_PORT_" + SCHEMA.upper()])
DB_PORT = int(STACK["UBAPI_DB_PORT"])
DB_SOCKET = STACK.get("UBAPI_DB_SOCKET", os.path.join(TEST_DIR, "run", "mysqld.sock"))
DB_NAME = "ubapi_" + SCHEMA
DB_USER = DB_PASSWORD = "ubapi"
UBAPI = os.path.join(BUILD, "ubapi")

# The Ubilling root that this schema's FastCGI pool and the CLI use.
root = os.path.join(TEST_DIR, "root-" + SCHEMA)

HTTP_TIMEOUT = 60
CLI_TIMEOUT = 120

# ---------------------------------------------------------------- HTTP


class Headers(dict):
    """Response headers; lookups ignore case, repeated headers are joined."""

    def __init__(self, pairs=()):
        super().__init__()
        for k, v in pairs:
            k = k.lower()
            super().__setitem__(k, v if k not in self else self[k] + ", " + v)

    def __getitem__(self, k):
        return super().__getitem__(k.lower())

    def __contains__(self, k):
        return super().__contains__(k.lower())

    def get(self, k, default=None):
        return super().get(k.lower(), default)


def http(query="", headers=None, method="GET", path="/", timeout=HTTP_TIMEOUT):
    """GET http://127.0.0.1:<schema's port>/?<query> through nginx.

    query is sent as given (percent-encode it yourself); returns
    (status, Headers, body bytes). Use http_raw() for bytes that http.client
    refuses to put in a request line (spaces, control characters)."""
    if isinstance(query, bytes):
        query = query.decode("latin-1")
    if query.startswith("?"):
        query = query[1:]
    url = path + ("?" + query if query else "")
    conn = _httpclient.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=timeout)
    try:
        conn.request(method, url, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, Headers(resp.getheaders()), body
    finally:
        conn.close()


def api(query="", key=True, headers=None, timeout=HTTP_TIMEOUT):
    """http('module=remoteapi&key=<SERIAL>&' + query).

    key=True sends the stack's serial, key=None/False sends no key at all,
    any other value is sent as the key (as given, not encoded)."""
    parts = ["module=remoteapi"]
    if key is True:
        parts.append("key=" + SERIAL)
    elif key is not None and key is not False:
        parts.append("key=" + str(key))
    query = query.lstrip("?&") if query else ""
    if query:
        parts.append(query)
    return http("&".join(parts), headers=headers, timeout=timeout)


def api_text(query="", key=True, headers=None):
    """The body of api(...) as text (UTF-8, errors replaced)."""
    return api(query, key=key, headers=headers)[2].decode("utf-8", "replace")


def _dechunk(data):
    out = b""
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            return out
        out += data[:size]
        data = data[size + 2:]


def http_raw(request, timeout=HTTP_TIMEOUT):
    """Sends request bytes exactly as given to nginx (add the blank line
    yourself) and reads until the server closes; returns (status, Headers,
    body bytes), status 0 if the answer is not HTTP."""
    with socket.create_connection(("127.0.0.1", HTTP_PORT), timeout=timeout) as s:
        s.sendall(request)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    data = b"".join(chunks)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    m = re.match(rb"HTTP/\d\.\d (\d{3})", lines[0] if lines else b"")
    if not m:
        return 0, Headers(), data
    pairs = []
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        pairs.append((k.decode("latin-1").strip(), v.decode("latin-1").strip()))
    hdrs = Headers(pairs)
    if "chunked" in hdrs.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    return int(m.group(1)), hdrs, body


# ---------------------------------------------------------------- CLI


def cli(args, env=None, input=None, timeout=CLI_TIMEOUT):
    """Runs build/ubapi --root <root> *args; returns (rc, stdout, stderr) bytes.

    args is a list (or one string); env adds to (value None: removes from)
    this process's environment."""
    if isinstance(args, str):
        args = [args]
    e = dict(os.environ)
    for k, v in (env or {}).items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = str(v)
    p = subprocess.run([UBAPI, "--root", root] + list(args), env=e, input=input,
                       stdin=None if input is not None else subprocess.DEVNULL,
                       capture_output=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


# ---------------------------------------------------------------- database

_conns = {}


def _connect(strings=False, user=DB_USER, password=DB_PASSWORD, database=DB_NAME):
    kw = dict(host="127.0.0.1", port=DB_PORT, user=user, password=password,
              database=database, autocommit=True, charset="utf8mb4", connect_timeout=10)
    if strings:
        # No decoders: every value comes back as the server's text.
        kw["conv"] = {}
    return pymysql.connect(**kw)


def db(new=False, strings=False):
    """The schema's database as the app user ubapi (autocommit).

    A shared connection, re-opened when it dropped; new=True gives a fresh
    one for the caller to close (e.g. to hold a lock while ubapi runs).
    strings=True returns values as text, exactly as the server prints them."""
    if new:
        return _connect(strings)
    c = _conns.get(strings)
    if c is None:
        c = _conns[strings] = _connect(strings)
    else:
        c.ping(reconnect=True)
    return c


def db_root():
    """A new root connection over the stack's unix socket (no database)."""
    return pymysql.connect(unix_socket=DB_SOCKET, user="root", autocommit=True,
                           charset="utf8mb4", connect_timeout=10)


def sql(q, args=(), strings=False):
    """Runs a query; returns its rows as a list of tuples.

    pymysql placeholders (%s); with args, write a literal % as %%."""
    with db(strings=strings).cursor() as cur:
        cur.execute(q, args if args else None)
        return list(cur.fetchall())


def exec(q, args=()):  # noqa: A001 (the brief's name; builtins.exec is not needed here)
    """Runs a statement; returns the number of affected rows."""
    with db().cursor() as cur:
        return cur.execute(q, args if args else None)


def insert(q, args=()):
    """Runs an INSERT; returns its AUTO_INCREMENT id."""
    with db().cursor() as cur:
        cur.execute(q, args if args else None)
        return cur.lastrowid


def table_count(name):
    return sql("SELECT COUNT(*) FROM `%s`" % name.replace("`", "``"))[0][0]


def tables():
    """Every table of the schema's database."""
    return [r[0] for r in sql("SHOW TABLES")]


def snapshot(names=None):
    """Row count and CHECKSUM TABLE EXTENDED of each table (all tables when
    names is None): compare later with assert_unchanged()."""
    if names is None:
        names = tables()
    elif isinstance(names, str):
        names = [names]
    snap = {}
    for t in names:
        q = t.replace("`", "``")
        snap[t] = (sql("SELECT COUNT(*) FROM `%s`" % q)[0][0],
                   sql("CHECKSUM TABLE `%s` EXTENDED" % q)[0][1])
    return snap


def assert_unchanged(snap):
    """AssertionError naming every table whose rows differ from the snapshot.

    Only contents count: an AUTO_INCREMENT counter bumped by a rolled-back
    insert is not a change."""
    now = snapshot(list(snap))
    changed = ["%s (rows %d -> %d)" % (t, snap[t][0], now[t][0])
               for t in snap if snap[t] != now[t]]
    assert not changed, "tables changed: " + ", ".join(changed)


# ---------------------------------------------------------------- config files
#
# Every change to the root's ini files is undone after each test by main()
# (and by config() on leaving its block). Writes are atomic (rename), and the
# new file's mtime is at least a second after the old one so that a
# reader that caches by mtime in whole seconds still notices.

_originals = {}  # path -> original bytes (None: the file did not exist)


def _path(name):
    return os.path.join(root, "config", name)


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def _write(path, data, record=True):
    if record:
        _originals.setdefault(path, _read(path))
    try:
        before = os.stat(path).st_mtime
    except FileNotFoundError:
        before = 0
    if data is None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return
    tmp = path + ".harness-tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    stamp = max(time.time(), before + 1)
    os.utime(tmp, (stamp, stamp))
    os.replace(tmp, path)


def _value(v, quote):
    if v is True or v is False:
        v = "1" if v else "0"
    v = str(v)
    return '"%s"' % v if quote else v


_SECTION = re.compile(r"^\s*\[([^\]]*)\]\s*$")


def _edit(text, section, key, line):
    """Replaces the active `key=` lines of the section (None: the keys before
    any [section], i.e. all of a flat Ubilling file) with line, or deletes
    them when line is None; adds the line at the end of the section (after
    its last non-blank line) when the key is absent."""
    keyre = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
    out = []
    cur = None
    found = False
    seen = section is None
    end = None  # index in out of the section's last non-blank line
    for ln in text.splitlines():
        m = _SECTION.match(ln)
        if m:
            cur = m.group(1).strip()
            out.append(ln)
            if cur == section:
                seen, end = True, len(out) - 1
            continue
        if cur == section and keyre.match(ln):
            if line is not None and not found:
                out.append(line)
                end = len(out) - 1
            found = True
            continue
        out.append(ln)
        if cur == section and ln.strip():
            end = len(out) - 1
    if line is not None and not found:
        if seen:
            out.insert(0 if end is None else end + 1, line)
        else:
            if out and out[-1].strip():
                out.append("")
            out += ["[%s]" % section, line]
    return "\n".join(out) + "\n"


def _set(name, section, key, value, quote=False):
    path = _path(name)
    text = (_read(path) or b"").decode("utf-8")
    line = None if value is None else "%s=%s" % (key, _value(value, quote))
    _write(path, _edit(text, section, key, line).encode("utf-8"))


def alter_set(key, value, quote=False):
    """Sets KEY=value in config/alter.ini (value None deletes, True/False
    become 1/0, quote=True writes KEY="value")."""
    _set("alter.ini", None, key, value, quote)


def alter_del(key):
    _set("alter.ini", None, key, None)


def billing_set(key, value, quote=False):
    _set("billing.ini", None, key, value, quote)


def billing_del(key):
    _set("billing.ini", None, key, None)


def ubapi_set(section, key, value, quote=False):
    """Sets key=value in [section] of config/ubapi.ini (section None: before
    any section), creating the file or section when needed."""
    _set("ubapi.ini", section, key, value, quote)


def ubapi_del(section, key):
    _set("ubapi.ini", section, key, None)


def ini_get(name, key, section=None):
    """The raw value of key in config/<name> (quotes kept), or None."""
    text = (_read(_path(name)) or b"").decode("utf-8")
    cur = None
    val = None
    keyre = re.compile(r"^\s*" + re.escape(key) + r"\s*=(.*)$")
    for ln in text.splitlines():
        m = _SECTION.match(ln)
        if m:
            cur = m.group(1).strip()
            continue
        m = keyre.match(ln)
        if m and cur == section:
            val = m.group(1).strip()
    return val


def restore_config():
    """Puts back every config file changed since the last restore."""
    while _originals:
        path, data = _originals.popitem()
        if _read(path) != data:
            _write(path, data, record=False)


# Tests that write phones and call at once: the workers' phone index may
# otherwise see a new number only after phones_ids_ms (1 s by default; that
# bound is tested by test_asterisk.test_index_freshness).
PHONES_AT_ONCE = {None: {"phones_ids_ms": "0"}}


@contextlib.contextmanager
def config(alter=None, billing=None, ubapi=None):
    """with config(alter={"KEY": "1", "GONE": None}, billing={...},
    ubapi={"section": {"key": "v"}}): ... restores the files afterwards."""
    saved = {p: _read(p) for p in (_path("alter.ini"), _path("billing.ini"), _path("ubapi.ini"))}
    try:
        for k, v in (alter or {}).items():
            alter_set(k, v)
        for k, v in (billing or {}).items():
            billing_set(k, v)
        for sec, kv in (ubapi or {}).items():
            for k, v in kv.items():
                ubapi_set(sec, k, v)
        yield
    finally:
        for p, data in saved.items():
            if _read(p) != data:
                _write(p, data, record=False)


# ---------------------------------------------------------------- helpers


def wait_until(cond, timeout=10.0, interval=0.05, what="condition"):
    """Polls cond() until it is true; AssertionError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("%s not met within %.1fs" % (what, timeout))
        time.sleep(interval)


class Skip(Exception):
    pass


def skip(reason):
    """Ends the current test as skipped."""
    raise Skip(reason)


def only_schema(schema):
    """Skips the current test unless it runs on `schema` (own or real)."""
    if SCHEMA != schema:
        raise Skip("only on the %s schema" % schema)


# ---------------------------------------------------------------- runner


def _where(exc):
    for fs in reversed(traceback.extract_tb(exc.__traceback__)):
        if os.path.abspath(fs.filename) != os.path.abspath(__file__):
            return "%s:%d: %s" % (os.path.basename(fs.filename), fs.lineno, (fs.line or "").strip())
    fs = traceback.extract_tb(exc.__traceback__)[-1]
    return "%s:%d" % (os.path.basename(fs.filename), fs.lineno)


def main(namespace):
    """Runs the module's test_* functions in definition order (or only the
    ones named on the command line), then the closing line `N passed, M
    failed`; exits 1 if any failed. Optional setup()/teardown() run once
    around them. Config files are restored after every test."""
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    wanted = sys.argv[1:]
    if wanted:
        tests = [(n, f) for n, f in tests if n in wanted]
        unknown = set(wanted) - {n for n, _ in tests}
        if unknown:
            _fatal("no such test: " + ", ".join(sorted(unknown)))
    module = os.path.basename(namespace.get("__file__", "tests"))
    print("# %s on schema %s (%s, http 127.0.0.1:%d)" % (module, SCHEMA, DB_NAME, HTTP_PORT), flush=True)
    passed = failed = skipped = 0
    setup, teardown = namespace.get("setup"), namespace.get("teardown")
    try:
        if callable(setup):
            setup()
    except Exception as e:  # a broken setup fails every test, visibly
        traceback.print_exc()
        print("FAIL setup: %s: %s" % (type(e).__name__, e), flush=True)
        print("0 passed, %d failed" % max(len(tests), 1), flush=True)
        restore_config()
        sys.exit(1)
    for name, fn in tests:
        t0 = time.monotonic()
        try:
            fn()
        except Skip as e:
            skipped += 1
            print("SKIP %s: %s" % (name, e), flush=True)
        except AssertionError as e:
            failed += 1
            msg = str(e) or "assertion failed"
            print("FAIL %s: %s [%s]" % (name, msg, _where(e)), flush=True)
        except Exception as e:
            failed += 1
            traceback.print_exc()
            print("FAIL %s: %s: %s [%s]" % (name, type(e).__name__, e, _where(e)), flush=True)
        else:
            passed += 1
            print("PASS %s (%.2fs)" % (name, time.monotonic() - t0), flush=True)
        finally:
            restore_config()
    if callable(teardown):
        try:
            teardown()
        except Exception as e:
            failed += 1
            traceback.print_exc()
            print("FAIL teardown: %s: %s" % (type(e).__name__, e), flush=True)
        restore_config()
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line, flush=True)
    sys.exit(1 if failed else 0)


# ---------------------------------------------------------------- Stargazer peer


class StgPeer:
    """A running test/peers/stgpeer on 127.0.0.1 (see stgpeer()). log() is
    every request XML it received, state() its users as dicts."""

    FIELDS = ("cash", "credit", "passive", "down", "aonline", "tariff", "creditexpire")

    def __init__(self, proc, port, logfile, statefile):
        self.proc, self.port, self.logfile, self.statefile = proc, port, logfile, statefile

    def log(self):
        if not os.path.exists(self.logfile):
            return []
        with open(self.logfile, encoding="utf-8", errors="replace") as f:
            return [line.rstrip("\n") for line in f if line.strip()]

    def setuser_log(self):
        """Only the SetUser requests, in order."""
        return [x for x in self.log() if x.startswith("<SetUser")]

    def state(self):
        users = {}
        if os.path.exists(self.statefile):
            with open(self.statefile, encoding="utf-8") as f:
                for line in f:
                    parts = line.split()
                    if parts:
                        users[parts[0]] = dict(zip(self.FIELDS, parts[1:]))
        return users


@contextlib.contextmanager
def stgpeer(users=(), mode="normal", admin="admin:123456", configure=True):
    """with stgpeer(users=["u1:12.5:0:0:0:1:Test:0"]) as peer: ... runs the
    loopback Stargazer peer and (configure=True) points billing.ini at it
    (baseconf sgconfxml, NOSTGCHECKPID=1, short timeout in ubapi.ini)."""
    import tempfile
    binary = os.path.join(BUILD, "stgpeer")
    work = tempfile.mkdtemp(prefix="stgpeer-")
    logfile, statefile = os.path.join(work, "log"), os.path.join(work, "state")
    args = [binary, "--listen", "127.0.0.1:0", "--admin", admin, "--mode", mode,
            "--log", logfile, "--state", statefile]
    for u in users:
        args += ["--user", u]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not m:
            raise AssertionError("stgpeer did not start: %r" % line)
        peer = StgPeer(proc, int(m.group(1)), logfile, statefile)
        login, password = admin.split(":", 1)
        if configure:
            with config(billing={"baseconf": "sgconfxml", "STG_HOST": "127.0.0.1",
                                 "STG_PORT": str(peer.port), "STG_LOGIN": login,
                                 "STG_PASSWD": password, "NOSTGCHECKPID": "1"},
                        ubapi={"billing": {"stg_timeout_ms": "1500"}}):
                yield peer
        else:
            yield peer
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)
