"""handlersrebuild (spec actions-network.md §1): the exact bytes of every
multinet/ file type, the global dhcpd.conf, the dhcpd restart argv (a
recording stub), weblogs, malformed rows dropped without breaking the
config, and atomic writes. Addresses are documentation ranges, written to
files only, never contacted."""
import contextlib
import os
import re
import shutil
import time

import harness as h

TABLES = ["users", "nethosts", "networks", "dhcp", "switchportassign", "switches", "switchmodels",
          "vlanhosts", "vlan_terminators", "pononu"]

GLOBAL_TPL = (b'option domain-name "ourisp"; \noption domain-name-servers 8.8.8.8; \ndefault-lease-time 3600; '
              b'\nmax-lease-time 43200; \nauthoritative; \nddns-update-style none; \nlog-facility local7; \n'
              b'one-lease-per-client true; \ndeny duplicates;  \n\n\nshared-network ourisp {\n\n{SUBNETS}\n\n}\n')
SUBNETS_TPL = (b'subnet {NETWORK} netmask {MASK} { \ndefault-lease-time 3600; \noption domain-name "ourisp"; \n'
               b'option subnet-mask {MASK}; \noption routers {ROUTERS}; \n'
               b'include "/usr/local/etc/multinet/{HOSTS}"; \n} \n')

RECORDER = """#!/bin/sh
for a in "$0" "$@"; do printf '%s\\n' "$a"; done >> {log}
echo '---' >> {log}
"""


# ---------------------------------------------------------------- fixtures


def setup():
    for t in TABLES:
        h.exec("DROP TABLE IF EXISTS `hr13_%s`" % t)
        h.exec("CREATE TABLE `hr13_%s` AS SELECT * FROM `%s`" % (t, t))
    clean()


def teardown():
    for t in TABLES:
        h.exec("DELETE FROM `%s`" % t)
        h.exec("INSERT INTO `%s` SELECT * FROM `hr13_%s`" % (t, t))
        h.exec("DROP TABLE `hr13_%s`" % t)
    clean_files()
    shutil.rmtree(os.path.join(h.root, "config", "dhcp"), ignore_errors=True)
    shutil.rmtree(stub_dir(), ignore_errors=True)
    for name in ("hr13_zte.ini", "hr13_gpon.ini"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(h.root, "config", "snmptemplates", name))
    shutil.rmtree(os.path.join(h.root, "content", "documents", "mysnmptemplates", "hr13"), ignore_errors=True)


def clean():
    for t in TABLES:
        h.exec("DELETE FROM `%s`" % t)
    clean_files()
    d = os.path.join(h.root, "config", "dhcp")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    put_template("global.template", GLOBAL_TPL)
    put_template("subnets.template", SUBNETS_TPL)


def clean_files():
    d = mdir()
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        p = os.path.join(d, f)
        if os.path.isfile(p):
            os.unlink(p)


def mdir():
    return os.path.join(h.root, "multinet")


def put_template(name, data):
    with open(os.path.join(h.root, "config", "dhcp", name), "wb") as f:
        f.write(data)


def stub_dir():
    return os.path.join(h.TEST_DIR, "hr13-stubs")


def read(name):
    with open(os.path.join(mdir(), name), "rb") as f:
        return f.read()


def exists(name):
    return os.path.exists(os.path.join(mdir(), name))


def add_user(login, ip, password="*"):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Address,Phone,"
           "Email,Note,RealName,StgGroup,Credit,TariffChange,Userdata0,Userdata1,Userdata2,"
           "Userdata3,Userdata4,Userdata5,Userdata6,Userdata7,Userdata8,Userdata9,CreditExpire,"
           "IP,Cash,FreeMb,LastCashAdd,LastCashAddTime,PassiveTime,LastActivityTime,NAS,"
           "D0,U0,D1,U1,D2,U2,D3,U3,D4,U4,D5,U5,D6,U6,D7,U7,D8,U8,D9,U9) "
           "VALUES (%s,%s,0,0,1,'Test','','','','','','',0,'','','','','','','','','','','',0,"
           "%s,0,0,0,0,0,0,'',0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0)",
           (login, password, ip))


def add_net(id_, desc, nettype, start, end, confname=None, dhcpconfig="", dhcp=True):
    h.exec("INSERT INTO networks (id,startip,endip,`desc`,nettype,use_radius) VALUES (%s,%s,%s,%s,%s,0)",
           (id_, start, end, desc, nettype))
    if dhcp:
        h.exec("INSERT INTO dhcp (netid,dhcpconfig,confname) VALUES (%s,%s,%s)", (id_, dhcpconfig, confname))


def add_host(netid, ip, mac="aa:bb:cc:dd:ee:ff", option="NULL"):
    h.exec("INSERT INTO nethosts (netid,ip,mac,`option`) VALUES (%s,%s,%s,%s)", (netid, ip, mac, option))


def net1():
    """Acceptance check 1's fixture, on 198.51.100.0/24."""
    add_net(1, "198.51.100.0/24", "dhcpstatic", "198.51.100.1", "198.51.100.254", "net1.conf")
    add_host(1, "198.51.100.5")


HOST5 = b"\n   host m198x51x100x5 {\n   hardware ethernet aa:bb:cc:dd:ee:ff;\n   fixed-address 198.51.100.5;\n   }\n"


def last_weblog():
    return h.sql("SELECT IFNULL(MAX(id),0) FROM weblogs")[0][0]


def weblogs_since(mark):
    return [(r[0], r[1], r[2]) for r in
            h.sql("SELECT admin, ip, event FROM weblogs WHERE id>%d ORDER BY id" % int(mark), strings=True)]


@contextlib.contextmanager
def recorder(sudo=False, alter=None):
    """RC_DHCPD (and SUDO when asked) are recording stubs; yields a function
    returning the argv lists they were run with."""
    d = stub_dir()
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    log = os.path.join(d, "argv.log")
    for name in ("rc-dhcpd", "sudo"):
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(RECORDER.format(log=log))
        os.chmod(p, 0o755)

    def calls():
        try:
            with open(log) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        return [c.strip("\n").split("\n") for c in text.split("---\n") if c.strip()]

    a = {"DHCP_ENABLED": "1", "OPT82_ENABLED": "0", "PPP_ENABLED": "0", "DHCP_DDNS_ENABLED": "0",
         "VLANGEN_SUPPORT": "0"}
    a.update(alter or {})
    billing = {"SUDO": (os.path.join(d, "sudo") + " -n") if sudo else "",
               "RC_DHCPD": os.path.join(d, "rc-dhcpd")}
    with h.config(alter=a, billing=billing):
        yield calls


def call():
    status, _, body = h.api("action=handlersrebuild")
    assert status == 200, status
    return body.decode()


def expected_global(subnets):
    return GLOBAL_TPL.replace(b"{SUBNETS}", subnets)


def subnet(network, mask, routers, hosts):
    return (SUBNETS_TPL.replace(b"{NETWORK}", network).replace(b"{MASK}", mask)
            .replace(b"{ROUTERS}", routers).replace(b"{HOSTS}", hosts)) + b"\n"


# ---------------------------------------------------------------- acceptance checks


def test_dhcpstatic_file_restart_and_weblogs():
    clean()
    net1()
    mark = last_weblog()
    with recorder() as calls:
        assert call() == "OK:HANDLERSREBUILD"
        assert read("net1.conf") == HOST5
        rc = os.path.join(stub_dir(), "rc-dhcpd")
        assert calls() == [[rc, "restart"]], calls()
    assert weblogs_since(mark) == [("guest", "127.0.0.1", "DHCPD RESTART"),
                                   ("guest", "127.0.0.1", "REMOTEAPI HANDLERSREBUILD")], weblogs_since(mark)


def test_global_conf_shipped_templates():
    clean()
    net1()
    with recorder():
        assert call() == "OK:HANDLERSREBUILD"
    conf = read("dhcpd.conf")
    assert b"subnet 198.51.100.0 netmask 255.255.255.0" in conf
    assert b"option routers 198.51.100.2;" in conf
    assert b'include "/usr/local/etc/multinet/net1.conf";' in conf
    assert conf == expected_global(subnet(b"198.51.100.0", b"255.255.255.0", b"198.51.100.2", b"net1.conf")), conf
    assert not exists("dhcpd.conf.lock")


def test_empty_network_writes_empty_file():
    clean()
    net1()
    with recorder():
        assert call() == "OK:HANDLERSREBUILD"
        assert read("net1.conf") == HOST5
        h.exec("DELETE FROM nethosts")
        assert call() == "OK:HANDLERSREBUILD"
    assert exists("net1.conf") and read("net1.conf") == b""


def test_ddns_host_names():
    clean()
    net1()
    add_host(1, "198.51.100.6", mac="aa:bb:cc:dd:ee:01")
    add_user("u1", "198.51.100.5")
    with recorder(alter={"DHCP_DDNS_ENABLED": "1"}):
        assert call() == "OK:HANDLERSREBUILD"
    text = read("net1.conf").decode()
    assert text.startswith("\n   host u1 {\n   hardware ethernet aa:bb:cc:dd:ee:ff;\n   fixed-address 198.51.100.5;\n"), text
    # no owner: "unknown" and 8 random [0-9a-z]
    assert re.search(r"\n   host unknown[0-9a-z]{8} \{\n   hardware ethernet aa:bb:cc:dd:ee:01;\n"
                     r"   fixed-address 198\.51\.100\.6;\n   \}\n$", text), text


def test_flags_off_nothing_global():
    clean()
    net1()
    mark = last_weblog()
    with recorder(alter={"DHCP_ENABLED": "0", "OPT82_ENABLED": "0"}) as calls:
        assert call() == "OK:HANDLERSREBUILD"
        assert calls() == []
    assert not exists("dhcpd.conf")
    assert not exists("net1.conf")  # dhcpstatic needs DHCP_ENABLED too
    assert [e for _, _, e in weblogs_since(mark)] == ["REMOTEAPI HANDLERSREBUILD"]


def test_pppstatic_and_pppdynamic():
    clean()
    add_net(2, "203.0.113.0/24", "pppstatic", "203.0.113.1", "203.0.113.254", dhcp=False)
    add_net(3, "192.0.2.0/24", "pppdynamic", "192.0.2.1", "192.0.2.254", dhcp=False)
    add_host(2, "203.0.113.2")
    add_host(2, "203.0.113.9")  # nobody owns it: empty login and password
    add_host(3, "192.0.2.7")
    add_user("u2", "203.0.113.2", "pass2")
    add_user("u3", "192.0.2.7", "pass3")
    with recorder(alter={"PPP_ENABLED": "0", "DHCP_ENABLED": "0"}):
        assert call() == "OK:HANDLERSREBUILD"
        assert not exists("ppp.2.static")
    with recorder(alter={"PPP_ENABLED": "1", "DHCP_ENABLED": "0"}) as calls:
        assert call() == "OK:HANDLERSREBUILD"
        assert calls() == []
    assert read("ppp.2.static") == b"u2 pass2 203.0.113.2\n  203.0.113.9\n"
    assert read("ppp.3.dynamic") == b"u3 pass3\n"
    assert not exists("dhcpd.conf")


def test_dhcp82_custom_template():
    clean()
    add_net(1, "198.51.100.0/24", "dhcp82", "198.51.100.1", "198.51.100.254", "o82.conf")
    add_host(1, "198.51.100.5", option="0a0b0c0d0e0f|5")
    add_user("u1", "198.51.100.5")
    put_template("option82.template", b"{HOSTNAME}|{REMOTEID}|{CIRCUITID}|{IP}\n")
    mark = last_weblog()
    with recorder(alter={"OPT82_ENABLED": "1", "DHCP_ENABLED": "0"}) as calls:
        assert call() == "OK:HANDLERSREBUILD"
        assert calls() == []  # no restart without DHCP_ENABLED
    assert read("o82.conf") == b"m198x51x100x5|0a0b0c0d0e0f|5|198.51.100.5\n"
    # an OPT82-only setup still gets its global conf
    assert b'include "/usr/local/etc/multinet/o82.conf";' in read("dhcpd.conf")
    assert [e for _, _, e in weblogs_since(mark)] == ["REMOTEAPI HANDLERSREBUILD"]


def test_dhcp82_fallback_template_and_switch_macros():
    clean()
    add_net(1, "198.51.100.0/24", "dhcp82", "198.51.100.1", "198.51.100.254", "o82.conf")
    add_host(1, "198.51.100.5", option="0a0b|7")
    add_host(1, "198.51.100.6", option="NULL")  # no second part
    add_user("u1", "198.51.100.5")
    add_user("u2", "198.51.100.6")
    h.exec("INSERT INTO switches (id,modelid,ip,`desc`,swid) VALUES (11,1,'127.0.0.11','sw','00:11:22:33:44:55')")
    h.exec("INSERT INTO switchportassign (login,switchid,port) VALUES ('u2',11,4)")
    h.exec("INSERT INTO switchportassign (login,switchid,port) VALUES ('u2',11,5)")
    with recorder(alter={"OPT82_ENABLED": "1"}):
        assert call() == "OK:HANDLERSREBUILD"
        # built-in template; the part-less host is left out (no switch macros)
        assert read("o82.conf") == (
            b'\nclass "m198x51x100x5" {\nmatch if binary-to-ascii (16, 8, "", option agent.remote-id) = "0a0b" '
            b'and binary-to-ascii (10, 8, "", option agent.circuit-id) = "7";\n}\n\npool {\n'
            b'range 198.51.100.5;\nallow members of "m198x51x100x5";\n}\n\n'), read("o82.conf")
        # {PORT} in the raw template lets part-less hosts in; {SwitchPort} is
        # replaced case-insensitively; one block per switchportassign row
        put_template("option82.template", b"{PORT}{hostname} {Ip} {switchip} {SWITCHMAC} {SwitchPort} [{REMOTEID}]\n")
        assert call() == "OK:HANDLERSREBUILD"
    assert read("o82.conf") == (b"{PORT}m198x51x100x5 198.51.100.5    [0a0b]\n"
                                + b"{PORT}m198x51x100x6 198.51.100.6 127.0.0.11 00:11:22:33:44:55 4 [{REMOTEID}]\n"
                                + b"{PORT}m198x51x100x6 198.51.100.6 127.0.0.11 00:11:22:33:44:55 5 [{REMOTEID}]\n"
                                ), read("o82.conf")


def test_dhcp82_vpu():
    clean()
    add_net(4, "198.51.100.0/24", "dhcp82_vpu", "198.51.100.1", "198.51.100.254", "vpu.conf")
    add_host(4, "198.51.100.5")
    add_host(4, "198.51.100.6")  # vlan 0: empty, left out
    add_host(4, "198.51.100.7")  # no vlanhosts row
    add_user("u1", "198.51.100.5")
    add_user("u2", "198.51.100.6")
    add_user("u3", "198.51.100.7")
    h.exec("INSERT INTO vlanhosts (vlanpoolid,login,vlan) VALUES (1,'u1',120),(1,'u2',0)")
    h.exec("INSERT INTO vlan_terminators (netid,`remote-id`) VALUES (4,'abcde'),(4,'later')")
    with recorder(alter={"OPT82_ENABLED": "1"}):
        assert call() == "OK:HANDLERSREBUILD"
    assert read("vpu.conf") == (
        b'\nclass "m198x51x100x5" { match if binary-to-ascii (16, 8, "", option agent.remote-id) = "abcde" '
        b'and binary-to-ascii(10, 16, "", substring(option agent.circuit-id,2,2)) = "120"; }\npool {\n'
        b'range 198.51.100.5;\nallow members of "m198x51x100x5";\n}\n\n'), read("vpu.conf")


def test_dhcp82_bdcom_and_deny_onu():
    clean()
    add_net(5, "198.51.100.0/24", "dhcp82_bdcom", "198.51.100.1", "198.51.100.254", "bdcom.conf")
    add_host(5, "198.51.100.5")
    add_host(5, "198.51.100.6")  # owner without an ONU
    add_user("u1", "198.51.100.5")
    add_user("u2", "198.51.100.6")
    h.exec("INSERT INTO pononu (onumodelid,oltid,mac,serial,login) VALUES (1,1,'ff:ff:ff:ff:ff:ff','','u1')")
    h.exec("INSERT INTO pononu (onumodelid,oltid,mac,serial,login) VALUES (1,1,'0a:00:1B:00:0c:d0','','u1')")
    put_template("global.template", b"{SUBNETS}--\n{DenyOnuMembers}")
    with recorder(alter={"OPT82_ENABLED": "1"}):
        assert call() == "OK:HANDLERSREBUILD"
    assert read("bdcom.conf") == (
        b'\nclass "m198x51x100x5" { match if binary-to-ascii(16,8,":",substring(option agent.remote-id,0,6)) = '
        b'"a:0:1B:0:c:d0"; }\npool {\nrange 198.51.100.5;\nallow members of "m198x51x100x5";\n}\n\n'), read("bdcom.conf")
    assert read("dhcpd.conf") == (subnet(b"198.51.100.0", b"255.255.255.0", b"198.51.100.2", b"bdcom.conf")
                                  + b'--\ndeny members of "m198x51x100x5";\ndeny members of "m198x51x100x6";\n')


def test_dhcp82_zte():
    clean()
    tdir = os.path.join(h.root, "config", "snmptemplates")
    os.makedirs(tdir, exist_ok=True)
    with open(os.path.join(tdir, "hr13_zte.ini"), "w") as f:
        f.write("[signal]\nSIGNALMODE=ZTE\n")
    with open(os.path.join(tdir, "hr13_gpon.ini"), "w") as f:
        f.write("[signal]\nSIGNALMODE=ZTE_GPON\n")
    h.exec("INSERT INTO switchmodels (id,modelname,snmptemplate) VALUES (21,'zte epon','hr13_zte.ini'),"
           "(22,'zte gpon','hr13_gpon.ini'),(23,'none','hr13_missing.ini')")
    h.exec("INSERT INTO switches (id,modelid,ip,`desc`) VALUES (31,21,'127.0.0.31','OLT epon'),"
           "(32,22,'127.0.0.32','OLT gpon'),(33,23,'127.0.0.33','OLT other'),(34,21,'127.0.0.34','switch')")
    add_net(6, "198.51.100.0/24", "dhcp82_zte", "198.51.100.1", "198.51.100.254", "zte.conf")
    for n, olt, mac, serial in ((5, 31, "aa:bb:0c:dd:ee:0f", ""), (6, 32, "11:22:33:44:55:66", "zte:c1:2a"),
                                (7, 32, "11:22:33:44:55:77", ""), (8, 33, "11:22:33:44:55:88", "x"),
                                (9, 34, "11:22:33:44:55:99", "y")):
        add_host(6, "198.51.100.%d" % n)
        add_user("z%d" % n, "198.51.100.%d" % n)
        h.exec("INSERT INTO pononu (onumodelid,oltid,mac,serial,login) VALUES (1,%s,%s,%s,%s)",
               (olt, mac, serial, "z%d" % n))

    def block(hn, cid, ip):
        return (b'\nclass "%s" { match if substring(option agent.circuit-id,49,12) = "%s"; }\npool {\n'
                b'range %s;\nallow members of "%s";\n}\n\n') % (hn, cid, ip, hn)
    with recorder(alter={"OPT82_ENABLED": "1"}):
        assert call() == "OK:HANDLERSREBUILD"
        # EPON: the MAC; GPON: the serial (empty serial: left out); unknown
        # template and a non-OLT switch: left out
        assert read("zte.conf") == (block(b"m198x51x100x5", b"AABB0CDDEE0F", b"198.51.100.5")
                                    + block(b"m198x51x100x6", b"ZTEC12A", b"198.51.100.6")), read("zte.conf")
        # the private copy replaces the stock template
        pdir = os.path.join(h.root, "content", "documents", "mysnmptemplates")
        os.makedirs(pdir, exist_ok=True)
        priv = os.path.join(pdir, "hr13_zte.ini")
        with open(priv, "w") as f:
            f.write("[signal]\nSIGNALMODE=ZTE_GPON\n")
        try:
            assert call() == "OK:HANDLERSREBUILD"
        finally:
            os.unlink(priv)
        assert read("zte.conf") == block(b"m198x51x100x6", b"ZTEC12A", b"198.51.100.6"), read("zte.conf")


def test_global_macros_overrides_and_masks():
    clean()
    add_net(1, "198.51.100.0/24", "dhcpstatic", "198.51.100.1", "198.51.100.254", "net1.conf")
    # per-network override, with a deny macro inside (SUBNETS goes first)
    add_net(2, "203.0.113.0/30", "dhcpdynamic", "203.0.113.255", "203.0.113.2", "dyn.conf",
            dhcpconfig="pool {STARTIP}-{endip} /{cidr} {Network} r={ROUTERS} m={MASK} h={HOSTS}\n{DENYMEMBERS}")
    add_net(3, "192.0.2.9/32", "dhcpstatic", "192.0.2.9", "192.0.2.9", "one.conf")  # /32 -> 0.0.0.0
    add_net(4, "192.0.2.0/24", "dhcpstatic", "192.0.2.1", "192.0.2.254", None)  # NULL confname: no subnet
    h.exec("INSERT INTO dhcp (netid,dhcpconfig,confname) VALUES (99,'','gone.conf')")  # network deleted
    add_host(1, "198.51.100.5", option="aa|1")
    add_host(1, "198.51.100.6", option=None)  # NULL option: not a member
    add_user("v1", "203.0.113.1")
    add_user("v2", "203.0.113.2")
    h.exec("INSERT INTO vlanhosts (vlanpoolid,login,vlan) VALUES (1,'v2',5)")
    put_template("global.template", b"[{SUBNETS}]\n{denymembers}|{DENYVLANGENMEMBERS}|{DENYONUMEMBERS}")
    deny5 = b'deny members of "m198x51x100x5";\n'
    with recorder(alter={"VLANGEN_SUPPORT": "1"}):
        assert call() == "OK:HANDLERSREBUILD"
    assert read("dhcpd.conf") == (
        b"[" + subnet(b"198.51.100.0", b"255.255.255.0", b"198.51.100.2", b"net1.conf")
        + b"pool 203.0.113.255-203.0.113.2 /30 203.0.113.0 r=203.0.114.0 m=255.255.255.252 h=dyn.conf\n"
        + deny5 + b"\n"
        + subnet(b"192.0.2.9", b"0.0.0.0", b"192.0.2.10", b"one.conf")
        + b"]\n" + deny5 + b'|deny members of "m203x0x113x2";\n|'), read("dhcpd.conf")
    assert not exists("gone.conf")


def test_duplicate_dhcp_rows_last_data_first_place():
    clean()
    add_net(1, "198.51.100.0/24", "dhcpstatic", "198.51.100.1", "198.51.100.254", "first.conf")
    add_net(2, "203.0.113.0/24", "dhcpstatic", "203.0.113.1", "203.0.113.254", "two.conf")
    h.exec("INSERT INTO dhcp (netid,dhcpconfig,confname) VALUES (1,'','second.conf')")
    add_host(1, "198.51.100.5")
    put_template("subnets.template", b"{HOSTS}")
    with recorder():
        assert call() == "OK:HANDLERSREBUILD"
    assert read("second.conf") == HOST5
    assert not exists("first.conf")
    assert read("dhcpd.conf") == expected_global(b"second.conf\ntwo.conf\n")


# ---------------------------------------------------------------- malformed rows


def test_malformed_rows_are_dropped():
    clean()
    net1()
    add_host(1, "198.51.100.7", mac=None)                 # PHP: "hardware ethernet ;"
    add_host(1, "198.51.100.8", mac="zz:bb:cc:dd:ee:ff")
    add_host(1, "198.51.100.9", mac='aa:bb;}"host x {')
    add_host(1, "198.51.100.300")
    add_host(1, '198.51.100.10"; evil')
    add_net(2, "203.0.113.0/33", "dhcpstatic", "203.0.113.1", "203.0.113.254", "badcidr.conf")
    add_net(3, "not a cidr", "dhcpstatic", "203.0.113.1", "203.0.113.254", "junk.conf")
    add_net(4, "192.0.2.0/24", "dhcpstatic", "192.0.2.1;", "192.0.2.254", "badstart.conf")
    add_net(5, "192.0.2.0/24", "dhcpstatic", "192.0.2.1", "192.0.2.254", "../escape.conf")
    add_net(6, "198.51.100.0/24", "dhcp82", "198.51.100.1", "198.51.100.254", "o82.conf")
    add_host(6, "198.51.100.5", option='aa"|1')
    add_host(6, "198.51.100.6", option="bb|2\nclass")
    add_host(6, "198.51.100.11", option="cc|3")
    for n in (5, 6, 11):
        add_user("m%d" % n, "198.51.100.%d" % n)
    put_template("option82.template", b"{HOSTNAME}:{REMOTEID}:{CIRCUITID}\n")
    with recorder(alter={"OPT82_ENABLED": "1"}) as calls:
        assert call() == "OK:HANDLERSREBUILD"
        assert len(calls()) == 1
    assert read("net1.conf") == HOST5
    assert read("o82.conf") == b"m198x51x100x11:cc:3\n"
    assert not os.path.exists(os.path.join(h.root, "escape.conf"))
    conf = read("dhcpd.conf")
    # the rows with a bad CIDR, start IP or confname are left out; the rest is intact
    assert conf == expected_global(subnet(b"198.51.100.0", b"255.255.255.0", b"198.51.100.2", b"net1.conf")
                                   + subnet(b"198.51.100.0", b"255.255.255.0", b"198.51.100.2", b"o82.conf")), conf


# ---------------------------------------------------------------- writing and running


def test_files_replaced_atomically():
    clean()
    net1()
    with recorder():
        for name in ("net1.conf", "dhcpd.conf"):
            with open(os.path.join(mdir(), name), "wb") as f:
                f.write(b"old contents")
        keep = {n: os.open(os.path.join(mdir(), n), os.O_RDONLY) for n in ("net1.conf", "dhcpd.conf")}
        try:
            before = {n: os.fstat(fd).st_ino for n, fd in keep.items()}
            assert call() == "OK:HANDLERSREBUILD"
            for n, fd in keep.items():
                # a new inode took the name (rename), the old file was never
                # truncated or rewritten in place
                assert os.stat(os.path.join(mdir(), n)).st_ino != before[n], n
                assert os.pread(fd, 100, 0) == b"old contents", n
        finally:
            for fd in keep.values():
                os.close(fd)
    assert read("net1.conf") == HOST5
    assert sorted(os.listdir(mdir())) == ["dhcpd.conf", "net1.conf"], os.listdir(mdir())


def test_stale_lock_is_broken():
    clean()
    net1()
    with open(os.path.join(mdir(), "dhcpd.conf.lock"), "w") as f:
        f.write("lock")
    with recorder(), h.config(ubapi={"devices": {"dhcpd_lock_wait_ms": "300"}}):
        assert call() == "OK:HANDLERSREBUILD"
    assert b"net1.conf" in read("dhcpd.conf")
    assert not exists("dhcpd.conf.lock")


def test_restart_argv_with_sudo():
    clean()
    net1()
    with recorder(sudo=True) as calls:
        rc, out, _ = h.cli(["handlersrebuild"])
        assert (rc, out) == (0, b"OK:HANDLERSREBUILD"), (rc, out)
        d = stub_dir()
        # no shell: SUDO's words, RC_DHCPD, "restart"
        assert calls() == [[os.path.join(d, "sudo"), "-n", os.path.join(d, "rc-dhcpd"), "restart"]], calls()


def test_missing_multinet_dir_still_ok():
    clean()
    net1()
    moved = mdir() + ".hr13"
    shutil.rmtree(moved, ignore_errors=True)
    os.rename(mdir(), moved)
    try:
        mark = last_weblog()
        with recorder() as calls:
            assert call() == "OK:HANDLERSREBUILD"
            assert len(calls()) == 1
        assert [e for _, _, e in weblogs_since(mark)] == ["DHCPD RESTART", "REMOTEAPI HANDLERSREBUILD"]
        assert not os.path.exists(mdir())
    finally:
        os.rename(moved, mdir())


def test_overlapping_call_is_refused_at_once():
    clean()
    net1()
    other = h.db(new=True)
    try:
        with other.cursor() as c:
            c.execute("SELECT GET_LOCK('ubapi_handlersrebuild', 0)")
            assert c.fetchone()[0] == 1
        with recorder() as calls:
            t0 = time.monotonic()
            assert call() == "SKIP:HANDLERSREBUILD_ALREADY_RUNNING"
            assert time.monotonic() - t0 < 2   # never waits (DECISIONS 16)
            assert calls() == []
        assert not exists("net1.conf")
    finally:
        other.close()
    with recorder():
        assert call() == "OK:HANDLERSREBUILD"
    assert read("net1.conf") == HOST5


if __name__ == "__main__":
    h.main(globals())
