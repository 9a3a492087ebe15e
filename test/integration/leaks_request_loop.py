"""The FastCGI request loop under valgrind: one ubapi.fcgi process (Release
build) serves a few hundred requests of every front-controller kind straight
over its socket; valgrind must find no invalid access and no leak.
Registered only in builds without sanitizers (label valgrind)."""
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile

import harness as h

FCGI_BEGIN, FCGI_END, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT = 1, 3, 4, 5, 6


def _record(rtype, content, req_id=1):
    pad = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBx", 1, rtype, req_id, len(content), pad) + content + b"\0" * pad


def _pair(name, value):
    def length(n):
        return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)
    return length(len(name)) + length(len(value)) + name + value


def fcgi_get(sock_path, query, remote="127.0.0.1"):
    """One FastCGI responder request; returns the raw CGI response bytes."""
    params = b"".join(_pair(k.encode(), v.encode()) for k, v in (
        ("QUERY_STRING", query), ("REQUEST_METHOD", "GET"), ("REMOTE_ADDR", remote)))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(sock_path)
    s.sendall(_record(FCGI_BEGIN, struct.pack(">HB5x", 1, 0)) + _record(FCGI_PARAMS, params)
              + _record(FCGI_PARAMS, b"") + _record(FCGI_STDIN, b""))
    out, buf = b"", b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 8:
            _, rtype, _, clen, pad = struct.unpack(">BBHHBx", buf[:8])
            if len(buf) < 8 + clen + pad:
                break
            if rtype == FCGI_STDOUT:
                out += buf[8:8 + clen]
            buf = buf[8 + clen + pad:]
            if rtype == FCGI_END:
                s.close()
                return out
    s.close()
    return out


QUERIES = [
    ("module=remoteapi&action=identify", b"\r\n\r\n" + h.SERIAL[-4:].encode()),
    ("module=remoteapi&key=UBwrong&action=reset", b"ERROR:GET_WRONG_KEY"),
    ("module=remoteapi&key=%s&action=nosuch" % h.SERIAL, b"ERROR:UNKNOWN_ACTION"),
    ("module=remoteapi&key=%s" % h.SERIAL, b"ERROR:GET_NO_ACTION"),
    ("module=remoteapi&key=%s&action=reset" % h.SERIAL, b"ERROR:GET_NO_PARAM"),
    ("module=remoteapi&key=%s&action=usercash&login=nobody&summ=1,5" % h.SERIAL, b"ERROR:DIRTY_MONEY"),
    ("module=remoteapi&key=%s&action=usercash&login=nobody&summ=5&reqid=a%%20b" % h.SERIAL, b"ERROR:WRONG_REQID"),
    ("module=remoteapi&action=%FF", b"ERROR:BAD_QUERY_ENCODING"),
    # handlers that load data, take locks and build JSON, on an idle database
    ("module=remoteapi&key=%s&action=usercash&login=nobody&summ=5" % h.SERIAL, b"ERROR:WRONG_LOGIN"),
    ("module=remoteapi&key=%s&action=vserviceschargefee&dryrun=1" % h.SERIAL, b"OK:SERVICE_CHARGE_FEE"),
    ("module=remoteapi&key=%s&action=autofreeze&dryrun=1" % h.SERIAL, b"ERROR:NO_AUTOFREEZE_CASH_LIMIT"),
    ("module=remoteapi&key=%s&action=getagentdata&param=nobody" % h.SERIAL, b"\r\n\r\n"),
    ("module=remoteapi&key=%s&action=asterisk&number=0501234567&param=login" % h.SERIAL, b"ERROR: "),
    ("module=remoteapi&key=%s&action=reset&param=nobody&reqid=leak-1" % h.SERIAL, b"ERROR:WRONG_LOGIN"),
    ("module=other", b"ERROR:UNKNOWN_MODULE"),
    ("", b"ERROR:UNKNOWN_MODULE"),
]


def test_request_loop_is_clean_under_valgrind():
    valgrind = shutil.which("valgrind")
    assert valgrind, "valgrind is required (etc/install-deps.sh installs it)"
    work = tempfile.mkdtemp(prefix="ubapi-vg-")
    sock = os.path.join(work, "fcgi.sock")
    log = os.path.join(work, "valgrind.log")
    proc = subprocess.Popen([valgrind, "--quiet", "--error-exitcode=99", "--leak-check=full",
                             "--errors-for-leak-kinds=definite,indirect", "--log-file=" + log,
                             os.path.join(h.BUILD, "ubapi.fcgi"), "--root", h.root,
                             "--listen", "unix:" + sock])
    try:
        h.wait_until(lambda: os.path.exists(sock), timeout=60, what="ubapi.fcgi socket")
        for _ in range(20):
            for query, want in QUERIES:
                got = fcgi_get(sock, query)
                assert want in got, (query, got[:200])
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=120)
    with open(log) as f:
        report = f.read()
    shutil.rmtree(work, ignore_errors=True)
    assert rc == 0, "valgrind exit %d:\n%s" % (rc, report[-4000:])
    assert "definitely lost" not in report and "Invalid" not in report, report[-4000:]


if __name__ == "__main__":
    h.main(globals())
