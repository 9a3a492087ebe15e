"""fullhostscan, rebuilduserdatacache and remotedhcp (spec actions-network.md
§2-§4): exact files (PHP serialize and json_encode bytes), replies, the DN
markers, and nmap's argv. Only 127.8.20.0/24 addresses are ever scanned: the
setup refuses any other network row."""
import contextlib
import ipaddress
import os
import re
import shutil
import subprocess
import time

import harness as h

TABLES = ["users", "nethosts", "networks", "dhcp", "address", "apt", "build", "street",
          "city", "mlg_ishimura", "ophtraff"]
SCAN_NET = ipaddress.ip_network("127.8.20.0/24")
NOW = "2026-03-15 12:00:00"
TS = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"


# ---------------------------------------------------------------- fixtures


def setup():
    # The fixtures need exact tables: whatever other tests left is put aside
    # and restored in teardown().
    for t in TABLES:
        h.exec("DROP TABLE IF EXISTS `nh10_%s`" % t)
        h.exec("CREATE TABLE `nh10_%s` AS SELECT * FROM `%s`" % (t, t))
    clean()


def teardown():
    for t in TABLES:
        h.exec("DELETE FROM `%s`" % t)
        h.exec("INSERT INTO `%s` SELECT * FROM `nh10_%s`" % (t, t))
        h.exec("DROP TABLE `nh10_%s`" % t)
    clean_files()


def clean():
    for t in TABLES:
        h.exec("DELETE FROM `%s`" % t)
    clean_files()


def clean_files():
    for name in ("prevtraff", "nmaphostscan", "cache_address", "cache_ips", "cache_mac"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(exports(name))
    shutil.rmtree(dn_dir(), ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(timeline_path())
    mdir = os.path.join(h.root, "multinet")
    os.makedirs(mdir, exist_ok=True)
    for f in os.listdir(mdir):
        p = os.path.join(mdir, f)
        if os.path.isfile(p):
            os.unlink(p)


def exports(name):
    return os.path.join(h.root, "exports", name)


def dn_dir():
    return os.path.join(h.root, "content", "dn")


def timeline_path():
    return os.path.join(h.root, "content", "documents", "dntimeline.log")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def add_user(login, ip, u0=0, cash=0, credit=0):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Address,Phone,"
           "Email,Note,RealName,StgGroup,Credit,TariffChange,Userdata0,Userdata1,Userdata2,"
           "Userdata3,Userdata4,Userdata5,Userdata6,Userdata7,Userdata8,Userdata9,CreditExpire,"
           "IP,Cash,FreeMb,LastCashAdd,LastCashAddTime,PassiveTime,LastActivityTime,NAS,"
           "D0,U0,D1,U1,D2,U2,D3,U3,D4,U4,D5,U5,D6,U6,D7,U7,D8,U8,D9,U9) "
           "VALUES (%s,'*',0,0,1,'Test','','','','','','',%s,'','','','','','','','','','','',0,"
           "%s,%s,0,0,0,0,0,'',0,%s,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0)",
           (login, credit, ip, cash, u0))


def add_network(id_, desc, nettype="dhcpstatic", bad=False):
    """A networks row. A real CIDR must lie in 127.8.20.0/24 (the test never
    lets anything else reach nmap); bad=True rows must not parse as any
    network and exist only to be refused by ubapi."""
    if bad:
        with contextlib.suppress(ValueError):
            ipaddress.ip_network(desc.strip(), strict=False)
            raise AssertionError("bad network row %r parses as a network" % desc)
    else:
        net = ipaddress.ip_network(desc, strict=True)
        assert net.subnet_of(SCAN_NET), "refusing to scan %s: not in %s" % (desc, SCAN_NET)
    h.exec("INSERT INTO networks (id,startip,endip,`desc`,nettype,use_radius) "
           "VALUES (%s,'','',%s,%s,0)", (id_, desc, nettype))


def dn_files():
    return sorted(f for f in os.listdir(dn_dir()) if not f.startswith("."))


def make_dn():
    os.makedirs(dn_dir(), exist_ok=True)
    os.makedirs(os.path.dirname(timeline_path()), exist_ok=True)


def timeline_lines():
    try:
        return read(timeline_path()).decode().splitlines()
    except FileNotFoundError:
        return []


def reply(query):
    status, hdrs, body = h.api(query)
    assert status == 200, status
    return body.decode("utf-8")


RECORDER = """#!/bin/sh
# records its argv, one per line, then prints what nmap would
for a in "$@"; do printf '%s\\n' "$a"; done >> {log}
echo '---' >> {log}
printf 'Starting Nmap 7.93 ( https://nmap.org ) at 2026-03-15 12:00 UTC\\n'
printf 'Nmap scan report for 127.8.20.5\\nHost is up (0.00010s latency).\\n'
printf 'Nmap done: 8 IP addresses (1 host up) scanned in 0.01 seconds\\n'
"""


@contextlib.contextmanager
def recorder():
    d = os.path.join(h.TEST_DIR, "nmap10")
    os.makedirs(d, exist_ok=True)
    script, log = os.path.join(d, "nmap"), os.path.join(d, "argv.log")
    with open(script, "w") as f:
        f.write(RECORDER.replace("{log}", log))
    os.chmod(script, 0o755)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(log)
    calls = []

    def load():
        calls.clear()
        try:
            text = read(log).decode()
        except FileNotFoundError:
            return calls
        for block in text.split("---\n")[:-1]:
            calls.append(block.splitlines())
        return calls
    yield script, load


_drops = [0]


@contextlib.contextmanager
def drop(addrs):
    """Silently drops every packet to addrs (127.8.20.x only) while the block runs."""
    for a in addrs:
        assert ipaddress.ip_address(a) in SCAN_NET, a
    _drops[0] += 1
    table = "ubapi_test_nh10_%d_%d" % (os.getpid(), _drops[0])
    subprocess.run(["nft", "add", "table", "inet", table], check=True)
    try:
        subprocess.run(["nft", "add", "chain", "inet", table, "out",
                        "{ type filter hook output priority 0 ; }"], check=True)
        subprocess.run(["nft", "add", "rule", "inet", table, "out", "ip", "daddr",
                        "{ %s }" % ", ".join(addrs), "drop"], check=True)
        yield
    finally:
        subprocess.run(["nft", "delete", "table", "inet", table], check=False)


# ---------------------------------------------------------------- rebuilduserdatacache


def test_userdatacache_ips_numeric_login_and_null():
    clean()
    add_user("ivanov", "172.16.0.2")
    add_user("1001", None)
    assert reply("action=rebuilduserdatacache") == "OK:REBUILDUSERDATACACHE"
    # primary-key (login) order; "1001" is an int key, NULL is N;
    assert read(exports("cache_ips")) == b'a:2:{i:1001;N;s:6:"ivanov";s:10:"172.16.0.2";}'
    assert read(exports("cache_address")) == b"a:0:{}"
    assert read(exports("cache_mac")) == b"a:0:{}"


def ser_str(v):
    b = v.encode()
    return b's:%d:"%s";' % (len(b), b)


def ser_map(pairs):
    """PHP serialize() of a flat array; int keys given as ints."""
    out = b"a:%d:{" % len(pairs)
    for k, v in pairs:
        out += (b"i:%d;" % k if isinstance(k, int) else ser_str(k)) + (b"N;" if v is None else ser_str(v))
    return out + b"}"


def add_address(login, city, street, build, apt):
    cid = h.insert("INSERT INTO city (cityname) VALUES (%s)", (city,))
    sid = h.insert("INSERT INTO street (cityid,streetname) VALUES (%s,%s)", (cid, street))
    bid = h.insert("INSERT INTO build (streetid,buildnum) VALUES (%s,%s)", (sid, build))
    aid = h.insert("INSERT INTO apt (buildid,apt) VALUES (%s,%s)", (bid, apt))
    h.insert("INSERT INTO address (login,aptid) VALUES (%s,%s)", (login, aid))


def test_userdatacache_address_zero_tolerance_city():
    clean()
    add_address("ivanov", "Kyiv", "Lenina", "12", "0")
    with h.config(alter={"ZERO_TOLERANCE": "1", "CITY_DISPLAY": "1"}):
        assert reply("action=rebuilduserdatacache") == "OK:REBUILDUSERDATACACHE"
        assert read(exports("cache_address")) == b'a:1:{s:6:"ivanov";s:14:"Kyiv Lenina 12";}'
    with h.config(alter={"ZERO_TOLERANCE": "0", "CITY_DISPLAY": "0"}):
        assert reply("action=rebuilduserdatacache") == "OK:REBUILDUSERDATACACHE"
        assert read(exports("cache_address")) == b'a:1:{s:6:"ivanov";s:11:"Lenina 12/0";}'
    # missing keys are off, as in PHP
    with h.config(alter={"ZERO_TOLERANCE": None, "CITY_DISPLAY": None}):
        assert reply("action=rebuilduserdatacache") == "OK:REBUILDUSERDATACACHE"
        assert read(exports("cache_address")) == b'a:1:{s:6:"ivanov";s:11:"Lenina 12/0";}'


def test_userdatacache_address_php_rules():
    clean()
    add_address("1001", "Київ", "Шевченка", "3", "00")    # numeric zero, int key, UTF-8 bytes
    add_address("petrov", "Kyiv", "Lenina", "5", "")      # "" is not zero: trailing /
    add_address("0101", "Kyiv", "Lenina", "7", " 0")      # " 0" is zero; "0101" stays a string key
    add_address("sidorov", "Kyiv", "Lenina", "9", "0a")   # not numeric: kept
    add_address("petrov", "Kyiv", "Franka", "1", "2")     # repeated login: first place, last value
    with h.config(alter={"ZERO_TOLERANCE": "1", "CITY_DISPLAY": "1"}):
        assert reply("action=rebuilduserdatacache") == "OK:REBUILDUSERDATACACHE"
    expected = ser_map([(1001, "Київ Шевченка 3"), ("petrov", "Kyiv Franka 1/2"),
                        ("0101", "Kyiv Lenina 7"), ("sidorov", "Kyiv Lenina 9/0a")])
    assert expected.startswith(b'a:4:{i:1001;s:27:"')
    assert read(exports("cache_address")) == expected, read(exports("cache_address"))


def test_userdatacache_mac_duplicate_ip_and_empty():
    clean()
    assert reply("action=rebuilduserdatacache") == "OK:REBUILDUSERDATACACHE"
    assert read(exports("cache_mac")) == b"a:0:{}"
    h.exec("INSERT INTO nethosts (netid,ip,mac,`option`) VALUES (1,'172.16.0.2','14:88:00:00:00:01','NULL')")
    h.exec("INSERT INTO nethosts (netid,ip,mac,`option`) VALUES (1,'172.16.0.3',NULL,'NULL')")
    h.exec("INSERT INTO nethosts (netid,ip,mac,`option`) VALUES (2,'172.16.0.2','14:88:00:00:00:02','NULL')")
    rc, out, _ = h.cli(["rebuilduserdatacache"])
    assert (rc, out) == (0, b"OK:REBUILDUSERDATACACHE"), (rc, out)
    assert read(exports("cache_mac")) == (b'a:2:{s:10:"172.16.0.2";s:17:"14:88:00:00:00:02";'
                                          b's:10:"172.16.0.3";N;}')


def test_userdatacache_changes_no_table():
    clean()
    add_user("ivanov", "172.16.0.2")
    snap = h.snapshot(["users", "weblogs", "ubstorage"])
    assert reply("action=rebuilduserdatacache") == "OK:REBUILDUSERDATACACHE"
    h.assert_unchanged(snap)


# ---------------------------------------------------------------- remotedhcp


def dhcp_row(confname, netid=1):
    h.insert("INSERT INTO dhcp (netid,dhcpconfig,confname) VALUES (%s,'',%s)", (netid, confname))


def multinet(name, data):
    with open(os.path.join(h.root, "multinet", name), "wb") as f:
        f.write(data)


def test_remotedhcp_disabled():
    clean()
    dhcp_row("net1.conf")
    for v in ("0", None, ""):
        with h.config(alter={"REMOTEDHCP_ENABLED": v}):
            assert reply("action=remotedhcp") == "ERROR:REMOTEDHCP_DISABLED"


def test_remotedhcp_no_rows_is_empty_list():
    clean()
    multinet("dhcpd.conf", b"x")
    with h.config(alter={"REMOTEDHCP_ENABLED": "1"}):
        status, hdrs, body = h.api("action=remotedhcp")
    assert body == b"[]"
    assert hdrs["Content-Type"].startswith("application/json"), hdrs


def test_remotedhcp_one_config():
    clean()
    dhcp_row("net1.conf")
    multinet("net1.conf", b"a/b\n")
    with h.config(alter={"REMOTEDHCP_ENABLED": "1"}):
        status, hdrs, body = h.api("action=remotedhcp")
    assert body == b'{"dhcpd.conf":{"content":"#EX_DHCPDCONF_NOT_EXISTS"},"net1.conf":{"content":"a\\/b\\n"}}', body
    assert hdrs["Content-Type"].startswith("application/json"), hdrs


def test_remotedhcp_trimmed_missing_name():
    clean()
    dhcp_row(" x.conf ")
    with h.config(alter={"REMOTEDHCP_ENABLED": "1"}):
        body = reply("action=remotedhcp")
    assert body == '{"dhcpd.conf":{"content":"#EX_DHCPDCONF_NOT_EXISTS"},"x.conf":{"content":"#x.conf_NOT_EXISTS"}}'


def test_remotedhcp_order_duplicates_escapes_and_unsafe_names():
    clean()
    multinet("dhcpd.conf", "subnet \"Київ\" {\n\t<&'>\x01\x7f}\U0001F600".encode())
    multinet("b.conf", b"B1")
    dhcp_row("b.conf")
    dhcp_row("a.conf")
    dhcp_row("")          # skipped: PHP would read the directory itself
    dhcp_row(None)
    dhcp_row("../etc")    # never a name the client could write outside multinet/
    dhcp_row("x/y")
    dhcp_row(" b.conf")   # same key after trim: first place, read again
    with h.config(alter={"REMOTEDHCP_ENABLED": "1"}):
        body = reply("action=remotedhcp")
    assert body == ('{"dhcpd.conf":{"content":"subnet \\"\\u041a\\u0438\\u0457\\u0432\\" {\\n\\t<&\'>\\u0001\x7f}'
                    '\\ud83d\\ude00"},"b.conf":{"content":"B1"},"a.conf":{"content":"#a.conf_NOT_EXISTS"}}'), body
    # a row named dhcpd.conf replaces the global entry's value, keeps its place
    dhcp_row("dhcpd.conf")
    os.unlink(os.path.join(h.root, "multinet", "dhcpd.conf"))
    with h.config(alter={"REMOTEDHCP_ENABLED": "1"}):
        body = reply("action=remotedhcp")
    assert body.startswith('{"dhcpd.conf":{"content":"#dhcpd.conf_NOT_EXISTS"},"b.conf":'), body


def test_remotedhcp_invalid_utf8():
    clean()
    dhcp_row("bad.conf")
    multinet("bad.conf", b"host \xff\xfe;\n")
    with h.config(alter={"REMOTEDHCP_ENABLED": "1"}):
        assert reply("action=remotedhcp") == "ERROR:REMOTEDHCP_BAD_ENCODING"


# ---------------------------------------------------------------- fullhostscan


DN_ON = {"DN_FULLHOSTSCAN": "1"}


def test_fullhostscan_first_run_traffdiff():
    clean()
    make_dn()
    for f in ("olduser", ".keep"):
        with open(os.path.join(dn_dir(), f), "w") as fh:
            fh.write("x")
    add_user("u1", "127.8.20.5", u0=100)
    add_user("1001", None, u0=7)
    snap = h.snapshot(["users", "weblogs"])
    with h.config(alter=DN_ON):
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "OK:FULLHOSTSCAN"
    h.assert_unchanged(snap)
    assert read(exports("prevtraff")) == (
        b'a:2:{i:0;a:3:{s:5:"login";s:4:"1001";s:2:"IP";N;s:5:"traff";s:1:"7";}'
        b'i:1;a:3:{s:5:"login";s:2:"u1";s:2:"IP";s:10:"127.8.20.5";s:5:"traff";s:3:"100";}}')
    assert read(exports("nmaphostscan")) == b"== Traffic analysis diff here ==\n"
    assert dn_files() == []
    assert os.path.exists(os.path.join(dn_dir(), ".keep"))  # dot files stay
    lines = timeline_lines()
    assert len(lines) == 1 and re.fullmatch(TS + ";0", lines[0]), lines


def test_fullhostscan_traffic_change_then_none():
    clean()
    make_dn()
    add_user("u1", "127.8.20.5", u0=100)
    add_user("u2", "127.8.20.6", u0=5)
    with h.config(alter=DN_ON):
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "OK:FULLHOSTSCAN"
        h.exec("UPDATE users SET U0=U0+1, U7=3 WHERE login='u1'")
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "OK:FULLHOSTSCAN"
        assert read(exports("nmaphostscan")) == (b"== Traffic analysis diff here ==\n"
                                                 b"login u1 127.8.20.5 looks like alive\n")
        assert dn_files() == ["u1"]
        assert read(os.path.join(dn_dir(), "u1")) == b"alive"
        assert timeline_lines()[-1].endswith(";1")
        assert b's:5:"traff";s:3:"104";' in read(exports("prevtraff"))
        # no change: the marker goes
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "OK:FULLHOSTSCAN"
        assert dn_files() == []
        assert timeline_lines()[-1].endswith(";0")
        assert len(timeline_lines()) == 3


def test_fullhostscan_nn_without_traffdiff_clears_dn():
    clean()
    make_dn()
    add_user("u1", "127.8.20.5")
    with open(os.path.join(dn_dir(), "u1"), "w") as f:
        f.write("rate 100")  # other tools' markers are wiped too, as in PHP
    with h.config(alter=DN_ON):
        assert reply("action=fullhostscan&nn=1") == "OK:FULLHOSTSCAN"
    assert read(exports("nmaphostscan")) == b""
    assert dn_files() == []
    assert not os.path.exists(exports("prevtraff"))


def test_fullhostscan_prev_written_by_php_forms():
    """prevtraff as PHP may have left it: int and string traff compare
    loosely, garbage counts as no previous data."""
    clean()
    make_dn()
    add_user("u1", "127.8.20.5", u0=100)
    add_user("u2", "127.8.20.6", u0=50)
    add_user("777", "127.8.20.7", u0=1)
    with open(exports("prevtraff"), "wb") as f:
        f.write(b'a:3:{i:0;a:3:{s:5:"login";s:2:"u1";s:2:"IP";s:10:"127.8.20.5";s:5:"traff";i:100;}'
                b'i:1;a:3:{s:5:"login";s:2:"u2";s:2:"IP";s:10:"127.8.20.6";s:5:"traff";s:3:"049";}'
                b'i:2;a:3:{s:5:"login";i:777;s:2:"IP";N;s:5:"traff";d:1;}}')
    with h.config(alter=DN_ON):
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "OK:FULLHOSTSCAN"
    assert read(exports("nmaphostscan")) == (b"== Traffic analysis diff here ==\n"
                                             b"login u2 127.8.20.6 looks like alive\n")
    assert dn_files() == ["u2"]
    with open(exports("prevtraff"), "wb") as f:
        f.write(b"garbage")
    with h.config(alter=DN_ON):
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "OK:FULLHOSTSCAN"
    assert read(exports("nmaphostscan")) == b"== Traffic analysis diff here ==\n"
    assert read(exports("prevtraff")).startswith(b'a:3:{i:0;a:3:{s:5:"login";s:3:"777";')


def test_fullhostscan_ishimura_and_ophanim_traffic():
    clean()
    make_dn()
    add_user("u1", "127.8.20.5", u0=100)
    add_user("u2", "127.8.20.6", u0=10)
    # this month (NOW) counts; other months and years do not
    h.exec("INSERT INTO mlg_ishimura (login,month,year,U0,D0,cash) VALUES ('u1',3,2026,5,6,0)")
    h.exec("INSERT INTO mlg_ishimura (login,month,year,U0,D0,cash) VALUES ('u2',4,2026,500,600,0)")
    h.exec("INSERT INTO ophtraff (login,month,year,U0,D0) VALUES ('u1',3,2026,1,2)")
    h.exec("INSERT INTO ophtraff (login,month,year,U0,D0) VALUES ('u2',3,2025,9,9)")
    env = {"UBAPI_NOW": NOW}
    with h.config(alter={"DN_FULLHOSTSCAN": "1", "ISHIMURA_ENABLED": "1", "OPHANIMFLOW_ENABLED": "1"}):
        rc, out, _ = h.cli(["fullhostscan&nn=1&param=traffdiff"], env=env)
        assert (rc, out) == (0, b"OK:FULLHOSTSCAN")
        # u1: 100 + (6+5) + (2+1) as a PHP int; u2 untouched stays the SQL string
        assert read(exports("prevtraff")) == (
            b'a:2:{i:0;a:3:{s:5:"login";s:2:"u1";s:2:"IP";s:10:"127.8.20.5";s:5:"traff";i:114;}'
            b'i:1;a:3:{s:5:"login";s:2:"u2";s:2:"IP";s:10:"127.8.20.6";s:5:"traff";s:2:"10";}}')
        h.exec("UPDATE ophtraff SET D0=D0+1 WHERE login='u1'")
        rc, out, _ = h.cli(["fullhostscan&nn=1&param=traffdiff"], env=env)
        assert (rc, out) == (0, b"OK:FULLHOSTSCAN")
        assert read(exports("nmaphostscan")).endswith(b"login u1 127.8.20.5 looks like alive\n")
        assert dn_files() == ["u1"]
        assert timeline_lines()[-1] == "2026-03-15 12:00:00;1"


def test_fullhostscan_recorded_nmap_argv():
    clean()
    make_dn()
    add_user("u1", "127.8.20.5")
    add_network(1, "127.8.20.0/29")
    add_network(2, "127.8.20.0/24 -oN /tmp/nh10-pwned", bad=True)
    add_network(3, "-iL/etc/passwd", bad=True)
    add_network(4, "127.8.20.0/33", bad=True)
    add_network(5, "127.08.20.0/24", bad=True)
    add_network(6, "127.8.20.8/29")
    with recorder() as (script, calls):
        with h.config(alter={"DN_FULLHOSTSCAN": "1", "NMAP_PATH": script}):
            rc, out, _ = h.cli(["fullhostscan"], env={"UBAPI_NOW": NOW})
            assert (rc, out) == (0, b"127.8.20.0/29 :2026-03-15 12:00:00:SCANNED\n"
                                    b"127.8.20.8/29 :2026-03-15 12:00:00:SCANNED\n"
                                    b"OK:FULLHOSTSCAN"), out
            assert calls() == [["-sP", "-n", "127.8.20.0/29"], ["-sP", "-n", "127.8.20.8/29"]]
            assert not os.path.exists("/tmp/nh10-pwned")
            assert dn_files() == ["u1"]
            assert timeline_lines()[-1] == "2026-03-15 12:00:00;1"  # one IP, named twice
            # the same through nginx; nn=0 is "not set" (PHP empty) and still scans
            body = reply("action=fullhostscan&nn=0")
            assert re.fullmatch(r"127\.8\.20\.0/29 :%s:SCANNED\n127\.8\.20\.8/29 :%s:SCANNED\nOK:FULLHOSTSCAN"
                                % (TS, TS), body), body
            assert len(calls()) == 4
            # extra words of NMAP_PATH are argv words, before PHP's own
            with h.config(alter={"NMAP_PATH": script + " --unprivileged -T4"}):
                assert reply("action=fullhostscan&nn=1") == "OK:FULLHOSTSCAN"
                assert len(calls()) == 4  # nn=1: no scan
                reply("action=fullhostscan")
                assert calls()[-1] == ["--unprivileged", "-T4", "-sP", "-n", "127.8.20.8/29"]
        scanned = read(exports("nmaphostscan")).decode()
        assert scanned.count("Nmap scan report for 127.8.20.5") == 2


def test_fullhostscan_real_nmap_loopback():
    nmap = shutil.which("nmap")
    if not nmap:
        h.skip("nmap is not installed (etc/install-deps.sh installs it)")
    clean()
    make_dn()
    add_user("alive1", "127.8.20.2")
    add_user("dead1", "127.8.20.3")
    add_user("alive2", "127.8.20.6")
    add_user("dead2", "127.8.20.5")
    add_user("elsewhere", "127.8.21.1")
    add_network(1, "127.8.20.0/29")
    # nmap as root takes loopback targets as up without probing them;
    # --unprivileged makes it really connect, so the drop rule tells
    with drop(["127.8.20.3", "127.8.20.5"]):
        with h.config(alter={"DN_FULLHOSTSCAN": "1", "NMAP_PATH": nmap + " --unprivileged"}):
            body = reply("action=fullhostscan")
    assert re.fullmatch(r"127\.8\.20\.0/29 :%s:SCANNED\nOK:FULLHOSTSCAN" % TS, body), body
    scanned = read(exports("nmaphostscan")).decode()
    up = re.findall(r"Nmap scan report for (\S+)", scanned)
    assert up == ["127.8.20.%d" % i for i in (0, 1, 2, 4, 6, 7)], scanned
    assert dn_files() == ["alive1", "alive2"]
    assert timeline_lines()[-1].endswith(";6")


def test_fullhostscan_missing_dn_dir():
    clean()
    add_user("u1", "127.8.20.5")
    os.makedirs(os.path.dirname(timeline_path()), exist_ok=True)
    with h.config(alter=DN_ON):
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "FAIL:NO_CONTENT_DN_EXISTS"
    # the scan file and prevtraff are written before the DN check, as in PHP
    assert read(exports("nmaphostscan")) == b"== Traffic analysis diff here ==\n"
    assert os.path.exists(exports("prevtraff"))
    with h.config(alter={"DN_FULLHOSTSCAN": "0"}):
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "OK:FULLHOSTSCAN"
    with h.config(alter={"DN_FULLHOSTSCAN": None}):
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "OK:FULLHOSTSCAN"
    assert not os.path.exists(dn_dir())


def test_fullhostscan_unsafe_login_never_a_path():
    clean()
    make_dn()
    add_user("..", "127.8.20.5", u0=1)
    add_user("a/b", "127.8.20.6", u0=1)
    with h.config(alter=DN_ON):
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "OK:FULLHOSTSCAN"
        h.exec("UPDATE users SET U0=2")
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "OK:FULLHOSTSCAN"
    assert b"login .. 127.8.20.5 looks like alive\n" in read(exports("nmaphostscan"))
    assert dn_files() == []
    assert not os.path.exists(os.path.join(h.root, "content", "alive"))
    assert timeline_lines()[-1].endswith(";2")


def test_fullhostscan_one_run_at_a_time():
    clean()
    make_dn()
    holder = h.db(new=True)
    try:
        with holder.cursor() as c:
            c.execute("SELECT GET_LOCK('ubapi_fullhostscan', 0)")
            assert c.fetchone()[0] == 1
        with h.config(alter=DN_ON):
            assert reply("action=fullhostscan&nn=1&param=traffdiff") == "SKIP:FULLHOSTSCAN_ALREADY_RUNNING"
        assert not os.path.exists(exports("nmaphostscan"))
    finally:
        holder.close()
    with h.config(alter=DN_ON):
        assert reply("action=fullhostscan&nn=1&param=traffdiff") == "OK:FULLHOSTSCAN"


if __name__ == "__main__":
    h.main(globals())
