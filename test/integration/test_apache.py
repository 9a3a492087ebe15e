"""etc/apache/ubapi.conf as committed, in a real Apache 2.4 (Debian's
apache2 + mod_proxy_fcgi) in front of the stack's ubapi.fcgi pool.

Each test starts its own Apache on a free 127.0.0.1 port from a minimal
generated httpd.conf that Includes a copy of the snippet in which only the
socket path /run/ubapi/ubapi.sock is replaced by the stack's socket; the
rest of the snippet's text is the committed one. DocumentRoot has a billing/
folder whose index.php stands in for PHP Ubilling: a <FilesMatch "\.php$">
handler, as Debian's php-fpm configuration sets one, runs it (mod_include
instead of PHP), so a request the snippet leaves to PHP gets "PHP UBILLING"
and its query back, and a request the snippet takes shows that its handler
wins over that one."""
import contextlib
import http.client
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import harness as h

SERIAL = h.SERIAL
SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SNIPPET = os.path.join(SOURCE_DIR, "etc", "apache", "ubapi.conf")
SNIPPET_SOCKET = "/run/ubapi/ubapi.sock"
STACK_SOCKET = os.path.join(h.TEST_DIR, "run", h.SCHEMA + ".sock")
APACHE = "/usr/sbin/apache2"
MODULES = "/usr/lib/apache2/modules"
PHP_PAGE = b'PHP UBILLING <!--#echo encoding="none" var="QUERY_STRING" -->\n'
TABLES = ["ubstats", "weblogs", "payments", "paymentscorr", "ubstorage", "users"]
# Debian's Apache user; the snippet's comment says it may connect to the socket.
RUN_USER = "www-data"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _user_can_connect(path, user):
    """Whether `user` may connect to the unix socket at path (search
    permission on every parent directory, write on the socket)."""
    code = ("import socket,sys\ns=socket.socket(socket.AF_UNIX)\n"
            "try:\n s.connect(sys.argv[1])\nexcept OSError:\n sys.exit(1)\n")
    pw = pwd.getpwnam(user)
    p = subprocess.run([sys.executable, "-c", code, path], user=pw.pw_uid, group=pw.pw_gid,
                       extra_groups=[], capture_output=True, timeout=30)
    return p.returncode == 0


@contextlib.contextmanager
def _relay(target, workdir):
    """A unix socket in workdir that passes bytes both ways to target.

    Only for a stack whose directory Apache's unprivileged children cannot
    reach (a clone under /root run by root): it does not touch FastCGI, so
    ubapi still gets every parameter, REMOTE_ADDR included, from Apache."""
    path = os.path.join(workdir, "relay.sock")
    srv = socket.socket(socket.AF_UNIX)
    srv.bind(path)
    os.chmod(path, 0o666)
    srv.listen(16)
    srv.settimeout(0.2)
    stop = threading.Event()

    def pump(src, dst):
        try:
            while True:
                b = src.recv(65536)
                if not b:
                    break
                dst.sendall(b)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def serve():
        while not stop.is_set():
            try:
                a, _ = srv.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            b = socket.socket(socket.AF_UNIX)
            b.connect(target)
            for x, y in ((a, b), (b, a)):
                threading.Thread(target=pump, args=(x, y), daemon=True).start()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield path
    finally:
        stop.set()
        t.join(5)
        srv.close()


class Apache:
    def __init__(self, port, work):
        self.port, self.work = port, work
        self.error_log = os.path.join(work, "error.log")

    def get(self, target, headers=None):
        """GET target (path?query, sent as given); (status, headers, body)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", target, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, h.Headers(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def text(self, target, headers=None):
        status, _, body = self.get(target, headers)
        assert status == 200, "status %d for %r: %r\n%s" % (
            status, target, body[:200], self.log()[-3000:])
        return body.decode("utf-8")

    def log(self):
        with open(self.error_log, encoding="utf-8", errors="replace") as f:
            return f.read()


def _conf(work, port, socket_path):
    with open(SNIPPET, encoding="utf-8") as f:
        snippet = f.read()
    # the committed text, with its socket path and nothing else changed
    assert snippet.count(SNIPPET_SOCKET) == 1, "snippet must name %s once" % SNIPPET_SOCKET
    with open(os.path.join(work, "ubapi.conf"), "w", encoding="utf-8") as f:
        f.write(snippet.replace(SNIPPET_SOCKET, socket_path))
    modules = ["mpm_event", "authz_core", "dir", "mime", "include", "proxy", "proxy_fcgi"]
    lines = ["ServerRoot %s" % work,
             "DefaultRuntimeDir %s" % work,
             "PidFile %s/httpd.pid" % work,
             "ErrorLog %s/error.log" % work,
             "LogLevel warn proxy:debug proxy_fcgi:debug",
             "Mutex file:%s default" % work,
             "Listen 127.0.0.1:%d" % port,
             "ServerName 127.0.0.1"]
    lines += ["LoadModule %s_module %s/mod_%s.so" % (m, MODULES, m) for m in modules]
    if os.geteuid() == 0:
        # Apache will not serve as root: its children switch to this user.
        pw = pwd.getpwnam(RUN_USER)
        lines += ["User #%d" % pw.pw_uid, "Group #%d" % pw.pw_gid]
    lines += ["StartServers 1", "ServerLimit 1", "ThreadsPerChild 8", "ThreadLimit 8",
              "MaxRequestWorkers 8", "MinSpareThreads 1", "MaxSpareThreads 8",
              "TypesConfig /dev/null",
              "DocumentRoot %s/htdocs" % work,
              "DirectoryIndex index.php",
              "<Directory />", "    Require all granted", "    Options +Includes",
              "</Directory>",
              '<FilesMatch "\\.php$">', "    SetHandler server-parsed", "</FilesMatch>",
              "Include %s/ubapi.conf" % work, ""]
    path = os.path.join(work, "httpd.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    return path


@contextlib.contextmanager
def apache():
    """A running Apache with the snippet; stopped (with its children) on
    leaving the block, whatever happened inside it."""
    assert os.path.exists(APACHE), (
        "%s is missing: install Debian's apache2 (etc/install-deps.sh does)" % APACHE)
    assert os.path.exists(os.path.join(MODULES, "mod_proxy_fcgi.so")), "mod_proxy_fcgi is missing"
    assert os.path.exists(STACK_SOCKET), \
        "no FastCGI socket %s: is the stack running?" % STACK_SOCKET
    work = tempfile.mkdtemp(prefix="ubapi-apache-")
    os.chmod(work, 0o755)
    proc = None
    try:
        os.makedirs(os.path.join(work, "htdocs", "billing"))
        with open(os.path.join(work, "htdocs", "billing", "index.php"), "wb") as f:
            f.write(PHP_PAGE)
        with contextlib.ExitStack() as stack:
            sock = STACK_SOCKET
            if os.geteuid() == 0 and not _user_can_connect(sock, RUN_USER):
                sock = stack.enter_context(_relay(STACK_SOCKET, work))
            port = _free_port()
            conf = _conf(work, port, sock)
            a = Apache(port, work)
            check = subprocess.run([APACHE, "-t", "-f", conf], capture_output=True, text=True,
                                   timeout=30)
            assert check.returncode == 0, "apache2 -t: " + check.stderr + check.stdout
            with open(os.path.join(work, "stderr"), "wb") as err:
                proc = subprocess.Popen([APACHE, "-f", conf, "-DFOREGROUND"],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=err, start_new_session=True)
            deadline = time.monotonic() + 20
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        with open(os.path.join(work, "stderr"), errors="replace") as f:
                            err = f.read()
                        log = a.log() if os.path.exists(a.error_log) else ""
                        raise AssertionError("apache2 did not start: %s %s" % (err, log))
                    time.sleep(0.05)
            yield a
            bad = [ln for ln in a.log().splitlines()
                   if "[proxy:error]" in ln or "[proxy_fcgi:error]" in ln or ":crit]" in ln]
            assert not bad, "apache2 error log: " + "\n".join(bad)
    finally:
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()  # the parent stops its children
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            # the session's leftovers, if the parent died first
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


def _q(*parts):
    return "&".join(parts)


def _php(query):
    return ("PHP UBILLING %s\n" % query).encode()


def test_remoteapi_reaches_ubapi():
    snap = h.snapshot(TABLES)
    with apache() as a:
        assert a.text("/billing/?module=remoteapi&action=identify") == SERIAL[-4:]
        assert a.text("/billing/index.php?module=remoteapi&action=identify") == SERIAL[-4:]
        assert a.text("/billing/index.php?" + _q("module=remoteapi", "key=" + SERIAL,
                                                 "action=nosuchaction")) == "ERROR:UNKNOWN_ACTION"
        assert a.text("/billing/?" + _q("module=remoteapi", "key=" + SERIAL[:-1] + "x",
                                        "action=identify")) == "ERROR:GET_WRONG_KEY"
        # module need not come first, and ubapi's own headers pass through
        status, hdrs, body = a.get("/billing/?" + _q("action=identify", "module=remoteapi"))
        assert (status, body) == (200, SERIAL[-4:].encode()), (status, body[:300])
        assert hdrs.get("content-type") == "text/plain; charset=UTF-8", hdrs
        # the snippet's <Proxy "fcgi://ubapi/"> is the worker these requests use
        assert "has acquired connection for (ubapi:" in a.log(), a.log()[-3000:]
    h.assert_unchanged(snap)


def test_other_requests_stay_with_php():
    snap = h.snapshot(TABLES)
    with apache() as a:
        for query in ("module=remoteapix&action=identify",
                      "module=other&action=identify",
                      "foo=module=remoteapi&action=identify",
                      "xmodule=remoteapi&action=identify",
                      "module=remoteapi%26&action=identify",
                      "action=identify&module=remoteapi2",
                      "module=REMOTEAPI&action=identify"):
            for path in ("/billing/", "/billing/index.php"):
                status, _, body = a.get(path + "?" + query)
                assert (status, body) == (200, _php(query)), (path, query, status, body[:200])
        status, _, body = a.get("/billing/")
        assert (status, body) == (200, _php("")), (status, body[:200])
        # outside Ubilling's entry point nothing goes to ubapi either
        status, _, body = a.get("/billing/other.php?module=remoteapi&action=identify")
        assert status == 404 and SERIAL[-4:].encode() not in body, (status, body[:200])
        status, _, body = a.get("/?module=remoteapi&action=identify")
        assert status in (403, 404) and SERIAL[-4:].encode() not in body, (status, body[:200])
        assert "has acquired connection" not in a.log(), a.log()
    h.assert_unchanged(snap)


def test_ubapi_sees_the_client_address():
    bans = os.path.join(h.root, "config", "bans.ini")
    assert not os.path.exists(bans)
    try:
        with apache() as a:
            # bans match the peer's address: Apache passes 127.0.0.1 as REMOTE_ADDR
            with open(bans, "w") as f:
                f.write("127.0.0.1\n")
            assert a.text("/billing/?module=remoteapi&action=identify") == \
                "You are banned from this site"
            with open(bans, "w") as f:
                f.write("127.0.0.2\n")
            assert a.text("/billing/?module=remoteapi&action=identify") == SERIAL[-4:]
            os.unlink(bans)
            # behind Apache as a trusted proxy the IP ACL judges X-Forwarded-For
            acl = os.path.join(h.root, "content", "documents", "ipacl", "ip")
            os.makedirs(acl, exist_ok=True)
            entry = os.path.join(acl, "192.0.2.10")
            open(entry, "w").close()
            try:
                with h.config(billing={"IPACL_ENABLED": "1"},
                              ubapi={"server": {"trusted_proxies": "127.0.0.1"}}):
                    target = "/billing/?module=remoteapi&action=identify"
                    assert a.text(target) == SERIAL[-4:]
                    assert a.text(target, {"X-Forwarded-For": "198.51.100.7"}) == \
                        "ERROR:ACL_DENIED"
                    assert a.text(target, {"X-Forwarded-For": "192.0.2.10"}) == SERIAL[-4:]
            finally:
                os.unlink(entry)
    finally:
        if os.path.exists(bans):
            os.unlink(bans)


if __name__ == "__main__":
    h.main(globals())
