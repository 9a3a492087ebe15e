"""Helpers shared by test/integration/test_devices_*.py: loopback-only
network fixtures (drop rules, snmpd agents) and directory rows.

Safety: every address used here is inside 127.8.0.0/16 (helper 8's slice of
loopback). "Dead" hosts are loopback addresses made silent by an nftables
table this module creates and always deletes."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import harness as h

HERE = os.path.dirname(os.path.abspath(__file__))
_counter = [0]


def _check_loopback(addr):
    assert addr.startswith("127."), "tests only ever address loopback: %r" % addr


@contextlib.contextmanager
def drop(addrs):
    """Silently drops every packet to addrs (127.x only) while the block runs."""
    addrs = list(addrs)
    for a in addrs:
        _check_loopback(a)
    _counter[0] += 1
    table = "ubapi_test_devices_%d_%d" % (os.getpid(), _counter[0])
    subprocess.run(["nft", "add", "table", "inet", table], check=True)
    try:
        subprocess.run(["nft", "add", "chain", "inet", table, "out",
                        "{ type filter hook output priority 0 ; }"], check=True)
        for i in range(0, len(addrs), 500):
            chunk = ", ".join(addrs[i:i + 500])
            subprocess.run(["nft", "add", "rule", "inet", table, "out", "ip", "daddr",
                            "{ %s }" % chunk, "drop"], check=True)
        yield
    finally:
        subprocess.run(["nft", "delete", "table", "inet", table], check=False)


def add_switch(id_, ip, desc="", location="", snmp="", modelid=0, snmpwrite=""):
    h.exec("INSERT INTO switches (id, modelid, ip, `desc`, location, snmp, snmpwrite) "
           "VALUES (%s,%s,%s,%s,%s,%s,%s)", (id_, modelid, ip, desc, location, snmp, snmpwrite))


def exports(name):
    return os.path.join(h.root, "exports", name)


def read(path, default=None):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8")
    except FileNotFoundError:
        return default


def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(data)
    os.chmod(path, mode)


def rm(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def script(name, body):
    """An executable stub under the test root."""
    d = os.path.join(h.root, "stubs")
    os.makedirs(d, exist_ok=True)
    p = os.path.join(d, name)
    write(p, "#!/bin/sh\n" + body, 0o755)
    return p


def storage(key):
    rows = h.sql("SELECT value FROM ubstorage WHERE `key`=%s ORDER BY id", (key,), strings=True)
    return [r[0] for r in rows]


FAST_ICMP = {"devices": {"icmp_timeout_ms": "400", "icmp_attempts": "2", "icmp_retry_ms": "50"}}


# ------------------------------------------------------------------ snmpd


def _free_udp_port(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Agent:
    """A real snmpd on loopback addresses, port 161, serving a .snmprec file
    through a pass_persist script under the subtrees given."""

    def __init__(self, addrs, snmprec=None, subtrees=(), port=161, extra=""):
        for a in addrs:
            _check_loopback(a)
        self.addrs = list(addrs)
        self.port = port
        self.dir = tempfile.mkdtemp(prefix="ubapi-snmpd-")
        conf = ["rocommunity public 127.0.0.0/8", "rwcommunity private 127.0.0.0/8",
                "agentaddress " + ",".join("udp:%s:%d" % (a, port) for a in self.addrs),
                "dontLogTCPWrappersConnects yes", "master no"]
        if snmprec:
            for st in subtrees:
                conf.append("pass_persist %s /usr/bin/python3 %s %s %s" % (
                    st, os.path.join(HERE, "snmprec_pass.py"), snmprec, os.path.join(self.dir, "sets.log")))
        conf.append(extra)
        self.conf = os.path.join(self.dir, "snmpd.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(conf) + "\n")
        self.log = os.path.join(self.dir, "snmpd.log")
        self.proc = subprocess.Popen(
            ["/usr/sbin/snmpd", "-f", "-C", "-c", self.conf, "-Lf", self.log, "-M", "/usr/share/snmp/mibs",
             "-p", os.path.join(self.dir, "snmpd.pid")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            r = subprocess.run(["snmpget", "-On", "-v2c", "-c", "public", "-r", "0", "-t", "0.3",
                                "%s:%d" % (self.addrs[-1], port), ".1.3.6.1.2.1.1.3.0"],
                               capture_output=True, text=True)
            if r.returncode == 0:
                break
            if self.proc.poll() is not None:
                raise RuntimeError("snmpd exited: " + (read(self.log, "") or ""))
        else:
            self.stop()
            raise RuntimeError("snmpd did not answer")

    def sets(self):
        return (read(os.path.join(self.dir, "sets.log"), "") or "").splitlines()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()


def snmpwalk(addr, oid, community="public", version="2c"):
    """What net-snmp's own snmpwalk -On prints: the reference for cache files."""
    r = subprocess.run(["snmpwalk", "-On", "-v" + version, "-c", community, "-Cc", addr, oid],
                       capture_output=True, timeout=30)
    return r.stdout.decode("utf-8")
