"""The front controller through real nginx -> ubapi.fcgi -> MariaDB and
through the CLI: every path in Ubilling's order, its exact reply, and no
database change where none is expected."""
import http.server
import os
import re
import stat
import subprocess
import threading
import time

import harness as h

SERIAL = h.SERIAL
SOURCE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FRONT_TABLES = ["ubstats", "weblogs", "payments", "paymentscorr", "ubstorage", "users"]


def reply(query, key=True, headers=None):
    status, hdrs, body = h.api(query, key=key, headers=headers)
    assert status == 200, "status %d for %r" % (status, query)
    return body.decode("utf-8")


def test_identify_without_key_gives_last_four():
    snap = h.snapshot(FRONT_TABLES)
    assert reply("action=identify", key=None) == SERIAL[-4:]
    h.assert_unchanged(snap)


def test_identify_save_writes_private_file():
    path = os.path.join(h.root, "exports", "ubserial")
    if os.path.exists(path):
        os.unlink(path)
    assert reply("action=identify&param=save", key=None) == SERIAL[-4:]
    with open(path) as f:
        assert f.read() == SERIAL  # whole serial, no newline
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    os.unlink(path)


def test_identify_creates_missing_serial_once():
    h.exec("DELETE FROM ubstats WHERE `key`='ubid'")
    try:
        first = reply("action=identify", key=None)
        rows = h.sql("SELECT value FROM ubstats WHERE `key`='ubid'")
        assert len(rows) == 1, rows
        assert re.fullmatch(r"UB[0-9a-f]{32}", rows[0][0]), rows
        assert first == rows[0][0][-4:]
        assert reply("action=identify", key=None) == first
        assert len(h.sql("SELECT id FROM ubstats WHERE `key`='ubid'")) == 1
    finally:
        h.exec("DELETE FROM ubstats WHERE `key`='ubid'")
        h.exec("INSERT INTO ubstats (`key`,`value`) VALUES ('ubid',%s)", (SERIAL,))


def test_no_key_paths():
    snap = h.snapshot(FRONT_TABLES)
    assert reply("", key=None) == "ERROR:GET_NO_KEY"
    assert reply("action=reset&param=x", key=None) == "ERROR:GET_NO_KEY"
    h.assert_unchanged(snap)


def test_wrong_and_empty_key():
    snap = h.snapshot(FRONT_TABLES)
    assert reply("action=identify", key="UB0000") == "ERROR:GET_WRONG_KEY"
    assert reply("action=reset&param=x", key="") == "ERROR:GET_WRONG_KEY"
    assert reply("action=reset", key=SERIAL + "0") == "ERROR:GET_WRONG_KEY"
    assert reply("action=reset", key=SERIAL[:-1]) == "ERROR:GET_WRONG_KEY"
    assert reply("action=reset", key=SERIAL.upper()) == "ERROR:GET_WRONG_KEY"
    # key[]= is an array in PHP: not the serial
    assert h.http("module=remoteapi&key[]=%s&action=x" % SERIAL)[2] == b"ERROR:GET_WRONG_KEY"
    h.assert_unchanged(snap)


def test_key_filtered_like_ubilling():
    # vf() drops - ' ; and friends before the comparison, as PHP does
    mangled = SERIAL[:6] + "-%27%3B" + SERIAL[6:]
    assert reply("action=nosuchaction", key=mangled) == "ERROR:UNKNOWN_ACTION"


def test_no_serial_row():
    with h.config(ubapi={None: {"serial_cache_ms": "0"}}):
        h.exec("DELETE FROM ubstats WHERE `key`='ubid'")
        try:
            for _ in range(4):
                assert reply("action=reset&param=x") == "ERROR:NO_UBSERIAL_EXISTS"
            assert h.table_count("ubstats") == 0 or not h.sql(
                "SELECT 1 FROM ubstats WHERE `key`='ubid'")
        finally:
            h.exec("INSERT INTO ubstats (`key`,`value`) VALUES ('ubid',%s)", (SERIAL,))


def test_serial_cache_bounds():
    """Workers remember a matched serial for serial_cache_ms (1 s by
    default): a new serial works at once, the old one stops within that."""
    new = "UB" + "0f" * 16
    for _ in range(4):
        assert reply("action=nosuchaction") == "ERROR:UNKNOWN_ACTION"
    h.exec("UPDATE ubstats SET `value`=%s WHERE `key`='ubid'", (new,))
    try:
        for _ in range(4):
            assert reply("action=nosuchaction", key=new) == "ERROR:UNKNOWN_ACTION"
        h.exec("UPDATE ubstats SET `value`=%s WHERE `key`='ubid'", (SERIAL,))
        # `new` is remembered by the workers now; revoked, it stops within 1 s
        t0 = time.monotonic()
        h.wait_until(lambda: all(reply("action=nosuchaction", key=new) == "ERROR:GET_WRONG_KEY"
                                 for _ in range(4)), timeout=3, what="old serial refused")
        assert time.monotonic() - t0 < 2.5
        for _ in range(4):
            assert reply("action=nosuchaction") == "ERROR:UNKNOWN_ACTION"
    finally:
        h.exec("UPDATE ubstats SET `value`=%s WHERE `key`='ubid'", (SERIAL,))


def test_no_action_and_unknown_action():
    snap = h.snapshot(FRONT_TABLES)
    assert reply("") == "ERROR:GET_NO_ACTION"
    assert reply("action=") == "ERROR:UNKNOWN_ACTION"
    assert reply("action=nosuchaction") == "ERROR:UNKNOWN_ACTION"
    # identify answers only on the key-less path, as in Ubilling
    assert reply("action=identify") == "ERROR:UNKNOWN_ACTION"
    h.assert_unchanged(snap)


def test_api_disabled_comes_first():
    with h.config(alter={"REMOTEAPI_ENABLED": "0"}):
        assert reply("action=identify", key=None) == "ERROR:API_DISABLED"
        assert reply("action=reset") == "ERROR:API_DISABLED"
        assert reply("", key="wrong") == "ERROR:API_DISABLED"
        rc, out, _ = h.cli("identify")
        assert (rc, out) == (1, b"ERROR:API_DISABLED")
    with h.config(alter={"REMOTEAPI_ENABLED": None}):
        assert reply("action=identify", key=None) == "ERROR:API_DISABLED"
    # the gate is read with Ubilling's RCMS reader: "off" stays a truthy word
    with h.config(alter={"REMOTEAPI_ENABLED": "off"}):
        assert reply("action=identify", key=None) == SERIAL[-4:]


def test_disabled_calls_are_trimmed():
    with h.config(alter={"REMOTEAPI_DISABLE_CALLS": '"usercash, reset"'}):
        snap = h.snapshot(FRONT_TABLES)
        assert reply("action=reset&param=x") == "ERROR:ACTION_DISABLED"
        assert reply("action=usercash&login=x&summ=1") == "ERROR:ACTION_DISABLED"
        rc, out, _ = h.cli("reset&param=x")
        assert (rc, out) == (1, b"ERROR:ACTION_DISABLED")
        h.assert_unchanged(snap)
    # and the next request sees the edit undone
    assert reply("action=reset") == "ERROR:GET_NO_PARAM"


def test_module_must_be_remoteapi():
    status, _, body = h.http("key=%s&action=identify" % SERIAL)
    assert (status, body) == (200, b"ERROR:UNKNOWN_MODULE")
    status, _, body = h.http("module=users&key=%s&action=identify" % SERIAL)
    assert body == b"ERROR:UNKNOWN_MODULE"
    # Ubilling takes the basename of module
    status, _, body = h.http("module=..%%2Fremoteapi&action=identify")
    assert body.decode() == SERIAL[-4:]


def test_reply_headers():
    status, hdrs, body = h.api("action=identify", key=None)
    assert status == 200
    assert hdrs.get("content-type") == "text/plain; charset=UTF-8", hdrs
    assert "no-store" in hdrs.get("cache-control", "")


def test_undecodable_query_is_400():
    snap = h.snapshot(FRONT_TABLES)
    for bad in ("module=remoteapi&action=reset&param=%00", "module=remoteapi&action=%FF",
                "module=remoteapi&note=%C0%AF"):
        status, _, body = h.http(bad)
        assert (status, body) == (400, b"ERROR:BAD_QUERY_ENCODING"), (bad, status, body)
    status, _, body = h.http("module=remoteapi&" + "&".join("v%d=1" % i for i in range(1001)))
    assert (status, body) == (400, b"ERROR:TOO_MANY_PARAMS")
    h.assert_unchanged(snap)


def test_last_repeated_key_wins():
    assert reply("action=identify&key=wrong&key=" + SERIAL) == "ERROR:UNKNOWN_ACTION"
    assert reply("action=identify&key=" + SERIAL + "&key=wrong") == "ERROR:GET_WRONG_KEY"


def test_maintenance_file():
    path = os.path.join(h.root, "UPDATE")
    open(path, "w").close()
    try:
        assert reply("action=identify", key=None) == "Ubilling maintance in progress"
    finally:
        os.unlink(path)
    assert reply("action=identify", key=None) == SERIAL[-4:]


def test_stargazer_pid_check():
    missing = os.path.join(h.root, "no-such-stargazer.pid")
    with h.config(billing={"baseconf": "sgconfxml", "NOSTGCHECKPID": "0", "STGPID": missing}):
        assert reply("action=identify", key=None) == "ERROR:STARGAZER_NOT_RUNNING"
        open(missing, "w").close()
        try:
            assert reply("action=identify", key=None) == SERIAL[-4:]
        finally:
            os.unlink(missing)
    with h.config(billing={"baseconf": "direct", "NOSTGCHECKPID": "0", "STGPID": missing}):
        assert reply("action=identify", key=None) == SERIAL[-4:]


def test_cli_usage_list_help():
    rc, out, _ = h.cli("--help")
    assert rc == 0 and b"usage: ubapi" in out
    rc, out, _ = h.cli("--list")
    names = [line.split()[0] for line in out.decode().splitlines()]
    assert rc == 0 and "identify" in names and "reset" in names
    assert names == sorted(names)
    rc, _, err = h.cli([])
    assert rc == 2 and b"usage" in err
    rc, _, _ = h.cli(["--bogus"])
    assert rc == 2


def test_cli_runs_without_key():
    rc, out, _ = h.cli("identify")
    assert (rc, out) == (0, SERIAL[-4:].encode())
    rc, out, _ = h.cli("nosuchaction")
    assert (rc, out) == (1, b"ERROR:UNKNOWN_ACTION")
    rc, out, _ = h.cli("reset")
    assert (rc, out) == (1, b"ERROR:GET_NO_PARAM")


class _Peer(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_GET(self):
        _Peer.seen.append(self.path)
        body = b"PHP:" + self.path.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_php_fallback_forwards_unknown_actions():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Peer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/billing/" % server.server_address[1]
    try:
        with h.config(ubapi={"fallback": {"php_fallback_url": url}}):
            q = "action=onlythephpknows&param=a%20b"
            body = reply(q)
            want = "/billing/?module=remoteapi&key=%s&%s" % (SERIAL, q)
            assert body == "PHP:" + want, body
            # the CLI adds the key PHP needs
            rc, out, _ = h.cli("onlythephpknows&param=x")
            assert rc == 0
            assert out.decode() == "PHP:/billing/?module=remoteapi&key=%s&action=onlythephpknows&param=x" % SERIAL
            # known actions never leave ubapi
            n = len(_Peer.seen)
            assert reply("action=reset") == "ERROR:GET_NO_PARAM"
            assert len(_Peer.seen) == n
    finally:
        server.shutdown()
        server.server_close()
    # a fallback that cannot be reached is an error, not a hang
    with h.config(ubapi={"fallback": {"php_fallback_url": url, "php_fallback_timeout": "2"}}):
        assert reply("action=onlythephpknows") == "ERROR:PHP_FALLBACK_FAILED"


def test_worker_survives_database_restart():
    assert reply("action=nosuchaction") == "ERROR:UNKNOWN_ACTION"
    subprocess.run([os.path.join(SOURCE_DIR, "etc", "stack.sh"), "restart-db", h.TEST_DIR],
                   check=True, capture_output=True, timeout=180)
    # warm workers reconnect on their own; give every worker one request
    for _ in range(4):
        assert reply("action=nosuchaction") == "ERROR:UNKNOWN_ACTION"
    assert reply("action=identify", key=None) == SERIAL[-4:]


def test_ban_list():
    bans = os.path.join(h.root, "config", "bans.ini")
    assert not os.path.exists(bans)
    try:
        with open(bans, "w") as f:
            f.write("10.0.0.*\n127.0.*.1\n")
        snap = h.snapshot(FRONT_TABLES)
        assert reply("action=identify", key=None) == "You are banned from this site"
        assert reply("action=reset&param=x") == "You are banned from this site"
        h.assert_unchanged(snap)
        # the command line is trusted: no ban applies
        assert h.cli("identify")[1] == SERIAL[-4:].encode()
        with open(bans, "w") as f:
            f.write("127.0.0.2\n127.0.0.1x\n\n")
        assert reply("action=identify", key=None) == SERIAL[-4:]
    finally:
        if os.path.exists(bans):
            os.unlink(bans)


def test_ip_acl():
    acl = os.path.join(h.root, "content", "documents", "ipacl")
    ipdir, netdir = os.path.join(acl, "ip"), os.path.join(acl, "nets")
    os.makedirs(ipdir, exist_ok=True)
    os.makedirs(netdir, exist_ok=True)
    made = []

    def allow(d, name):
        path = os.path.join(d, name)
        open(path, "w").close()
        made.append(path)

    fwd = {"X-Forwarded-For": "198.51.100.7"}
    try:
        # enabled but no entries (dot files do not count): open to all
        allow(ipdir, ".htaccess")
        with h.config(billing={"IPACL_ENABLED": "1"},
                      ubapi={"server": {"trusted_proxies": "127.0.0.1"}}):
            assert reply("action=identify", key=None, headers=fwd) == SERIAL[-4:]
            allow(ipdir, "192.0.2.10")
            # 127.0.0.1 is always allowed; a client behind the trusted proxy is not
            assert reply("action=identify", key=None) == SERIAL[-4:]
            snap = h.snapshot(FRONT_TABLES)
            assert reply("action=identify", key=None, headers=fwd) == "ERROR:ACL_DENIED"
            h.assert_unchanged(snap)
            assert reply("action=identify", key=None,
                         headers={"X-Forwarded-For": "192.0.2.10"}) == SERIAL[-4:]
            allow(netdir, "198.51.100.0_24")
            assert reply("action=identify", key=None, headers=fwd) == SERIAL[-4:]
            assert reply("action=identify", key=None,
                         headers={"X-Forwarded-For": "198.51.101.7"}) == "ERROR:ACL_DENIED"
        with h.config(billing={"IPACL_ENABLED": "0"},
                      ubapi={"server": {"trusted_proxies": "127.0.0.1"}}):
            assert reply("action=identify", key=None,
                         headers={"X-Forwarded-For": "198.51.101.7"}) == SERIAL[-4:]
    finally:
        for path in made:
            os.unlink(path)


if __name__ == "__main__":
    h.main(globals())
