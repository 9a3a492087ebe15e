"""oltpoll / herd with the PONRC5508GPSC collector (Raisecom ISCOM5508-GPSC,
GPON, ident = ONU serial) against a real snmpd on 127.8.15.3:161 serving
test/snmp/raisecom.snmprec (spec §2.4, §2.4.2).

Every expected container below was worked out by hand from the snmprec,
following PONRC5508GPSC's PHP rules:
- serials: plastic index (ifIndex) -> value with "RCMG" and quotes removed;
  1007 ("RCMG" -> "") is dropped; ONU_SERIAL_CASE_MODE is read from [onu]
  (the stock template's [signal] copy is never read).
- ifName with blanks and "service-port" removed; an ONU's interface is its
  name with the last '/' turned into ':' ("onu5" has none: strrpos() is
  false, so its first character becomes ':'); PON ports are names holding
  "gpon-olt" past position 0 ("gpon-olt1/1" at 0 is not one): key = name
  without the prefix, value = its ifDescr (blanks removed) or
  "gpon-olt <key>".
- signal/UNI/FDB index (dots removed) -> "b/p:n": 1010100 -> 1/1:1,
  1910100 -> 1/1:1 again (later row wins), 1010300 / 1510300 -> 1/1:3,
  3010500 -> 3/1:5, 8105060 -> 1/(5-3):(06+94) = 1/2:100, 2010100 skipped.
  RX: 5500 -> (5500-15000)/500 = -19; 4321 -> -21.358 -> -21.36;
  63251 -> 96.502-131 = -34.498 -> -34.5; 0 and "n/a" (intval 0) are left out
  of the signals and written as the offline level in the history; PHP's
  round() gives floats, so d:-19.
- the ONU index is llid -> serial (array_flip: "12345678" was an int key, so
  it comes back as i:12345678), the MAC index and interfaces serial -> llid.
- distances / deregs joined by plastic index (a distance of 0 is kept:
  PHP tests the untrimmed " 0"); dereg 13 Wire down, 6 Power off, else
  Unknown.
- UNI "eth0": 1 -> UP, else DOWN; speed from the duplex code (99 and 0 ->
  UNKNOWN, no row -> "").
- FDB: the walk text is split at every '.', one octet string holds all MACs
  of an ONU (12 hex digits each; 8105060's trailing FF becomes "ff"); VLAN
  "0" -> ""; 1510200 (also 1/1:2) replaces entry 1 of 1010200's pair."""

import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "snmp"))

import harness as h  # noqa: E402
import devtest as d  # noqa: E402
import test_devices_oltpoll as base  # noqa: E402

IP = "127.8.15.3"
OLT, MODEL, TPL = 23, 823, "RAISECOM_ISCOM5508_TEST"
SUBTREES = [".1.3.6.1.4.1.8886", ".1.3.6.1.2.1.2.2.1.2", ".1.3.6.1.2.1.31.1.1.1.1"]
S1, S2, S3, S4, S5, S6, S8 = ("1A2B3C4D", "abCD0001", "12345678", "AABBCCDD", "0000FFFF", "00000006",
                              "00000003")
I3 = 12345678  # S3 as PHP holds it once it was an array key
SERIALS = [S1, S2, S3, S4, S5, S6, S8, "ABCD0001"]
PON = base.PON
_ser, _fdb, _pondata, _lines = base._ser, base._fdb, base._pondata, base._lines
WIRE = '<font color="#F80000">Wire down</font >'
POWER = '<font color="#FF4400">Power off</font >'
UNKNOWN = '<font color="#000000">Unknown</font >'
WALKED_FIRST = [".1.3.6.1.2.1.1.3.0", ".1.3.6.1.2.1.2.2.1.2", ".1.3.6.1.2.1.31.1.1.1.1",
                ".1.3.6.1.4.1.8886.1.27.2.1.1.10.0", ".1.3.6.1.4.1.8886.18.3.1.3.1.1.2",
                ".1.3.6.1.4.1.8886.18.3.6.3.1.1.16"]


def _setup(desc="OLT", text=None):
    base._zte_setup(TPL, MODEL, OLT, IP, text)
    h.exec("UPDATE switches SET `desc`=%s, location='Rc' WHERE id=%s", (desc, OLT))
    for s in SERIALS:
        d.rm(base._hist(s))


def _tpl(*changes):
    text = d.read(os.path.join(d.HERE, "templates", TPL))
    for sec, key, val in changes:
        text = base._template_set(text, sec, key, val)
    return text


def _agent():
    return d.Agent([IP], os.path.join(d.HERE, "raisecom.snmprec"), SUBTREES)


def _uni(state, speed):
    return {"eth0": {"unistatus": state, "unispeed": speed}}


def _want(s2=S2):
    return {
        ("signals", "OLTSIGNALS"): 'a:3:{s:8:"%s";d:-19;i:%d;d:-34.5;s:8:"%s";d:-21.36;}' % (S1, I3, S4),
        ("onucache", "ONUINDEX"): _ser({"1/1:1": S1, "1/1:2": s2, "1/2:100": I3, "3/1:5": S4, ":nu5": S5,
                                       "1/1:3": S8}),
        ("macdev", "ONUMACDEVINDEX"): _ser({S1: "1/1:1", s2: "1/1:2", I3: "1/2:100", S4: "3/1:5", S5: ":nu5",
                                           S8: "1/1:3"}),
        ("iface", "ONUINTERFACE"): _ser({S1: "1/1:1", s2: "1/1:2", I3: "1/2:100", S4: "3/1:5", S5: ":nu5",
                                        S8: "1/1:3"}),
        ("iface", "OLTINTERFACEDESCR"): _ser({"PON1/2": "StreetA", "x-1/3": "gpon-olt x-1/3"}),
        ("dist", "OLTDISTANCE"): _ser({S1: "1200", s2: "0", S4: "35", S6: "777"}),
        ("dereg", "ONUDEREGS"): _ser({S1: WIRE, s2: POWER, I3: UNKNOWN, S4: UNKNOWN}),
        ("unioperstats", "UNIOPERSTATS"): _ser({S1: _uni("UP", "1000M FULL"), s2: _uni("DOWN", "UNKNOWN"),
                                               I3: _uni("UP", ""), S4: _uni("UP", "100M HALF"),
                                               S8: _uni("UP", "UNKNOWN")}),
        ("fdb", "OLTFDB"): _ser({
            S1: {1: _fdb("00:aa:bb:cc:dd:01", "100"), 2: _fdb("00:aa:bb:cc:dd:02", "100")},
            s2: {1: _fdb("00:aa:bb:cc:dd:05", "300"), 2: _fdb("00:aa:bb:cc:dd:04", "")},
            I3: {1: _fdb("00:aa:bb:cc:dd:0a", ""), 2: _fdb("ff", "")},
            S4: {1: _fdb("00:aa:bb:cc:dd:07", "200"), 2: _fdb("00:aa:bb:cc:dd:08", "200"),
                 3: _fdb("00:aa:bb:cc:dd:09", "200")}}),
        ("temp", "OLTTEMPERATURE"): "42",
    }


def _check(want):
    for (sub, ext), w in want.items():
        got = d.read(_pondata(sub, "%d_%s" % (OLT, ext)))
        assert got == w, (sub, ext, got, w)


def _written():
    root = os.path.join(h.root, "exports", "pondata")
    return sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "*", "%d_*" % OLT)))


def _walked():
    pre = d.exports(IP + ":161_")
    return sorted(p[len(pre):] for p in glob.glob(pre + "*"))


def test_oltpoll_raisecom_full():
    _setup()
    with _agent(), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert _lines(body) == [
        "POLLING:23 127.8.15.3 - Rc",
        "OLT[23] | STARTING: polling",
        'OLT[23] | Using device SNMP template "Raisecom ISCOM5508 test OLT"',
        'OLT[23] | Template mode:"HAL" collector name:"PONRC5508GPSC"',
        'OLT[23] | Polling prepare using PON HAL collector:"PONRC5508GPSC" with parameters OLT ID: 23 IP:127.8.15.3',
        "OLT[23] | RUNNING: PON HAL collector method:PONRC5508GPSC->collect",
        "OLT[23] | COMPLETED: PON HAL collector method:PONRC5508GPSC->collect",
        "OLT[23] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    _check(_want())
    assert re.fullmatch(r"(\d+ days?, )?\d+:\d\d:\d\d\.\d\d", d.read(_pondata("uptime", "23_OLTUPTIME")))
    # UNI states are written whatever PON_ONU_UNI_STATUS_ENABLED says (PHP's class never reads it)
    assert len(_written()) == 11, _written()
    # history: ONUs with a signal row only; 0 / "n/a" -> the offline level
    assert [base._hist_levels(s) for s in (S1, S2, S3, S4, S5, S6, S8)] == \
        [["-19"], ["-9000"], ["-34.5"], ["-21.36"], None, None, ["-9000"]]
    assert json.loads(d.read(_pondata("races", "PONYRUN_23")))["finished"] == 1
    # the raw walks are cached as snmpwalk printed them (the hex string wraps after 16 bytes)
    assert d.read(d.exports(IP + ":161_.1.3.6.1.4.1.8886.18.3.6.12.1.1.1")).endswith(
        ".1.3.6.1.4.1.8886.18.3.6.12.1.1.1.3010500 = Hex-STRING: 00 AA BB CC DD 07 00 AA BB CC DD 08 00 AA BB CC \n"
        "DD 09 \n.1.3.6.1.4.1.8886.18.3.6.12.1.1.1.8105060 = Hex-STRING: 00 AA BB CC DD 0A FF \n")
    assert _walked() == sorted(WALKED_FIRST + [
        ".1.3.6.1.4.1.8886.18.3.1.3.1.1.15", ".1.3.6.1.4.1.8886.18.3.1.3.1.1.16",
        ".1.3.6.1.4.1.8886.18.3.6.12.1.1.1", ".1.3.6.1.4.1.8886.18.3.6.5.1.1.20",
        ".1.3.6.1.4.1.8886.18.3.6.5.1.1.6", ".1.3.6.1.4.1.8886.18.3.6.5.1.1.8"])
    # a second poll appends to the history and rewrites the containers alike
    with _agent(), h.config(alter=dict(PON, PON_ONU_OFFLINE_SIGNAL="-77", PON_ONU_UNI_STATUS_ENABLED="1")):
        assert h.api_text("action=herd&oltid=23").endswith("FINISHED: polled successfully\nOK:HERD")
    _check(_want())
    assert [base._hist_levels(s) for s in (S1, S2, S8)] == [["-19", "-19"], ["-9000", "-77"], ["-9000", "-77"]]


def test_oltpoll_raisecom_case_mode_nofdb_and_options():
    # [onu] ONU_SERIAL_CASE_MODE=2 upper-cases every serial; the [signal]
    # copy of the key (where the stock template has it) is ignored; the
    # collector name matches case-insensitively; NOFDBQUERY: no FDB walk,
    # no FDB container; no UNIDUPLEXSPEED key: empty speeds
    text = _tpl(("signal", "ONU_SERIAL_CASE_MODE", "1"), ("onu", "ONU_SERIAL_CASE_MODE", "2"),
                ("signal", "COLLECTORNAME", "ponrc5508gpsc"), ("misc", "UNIDUPLEXSPEED", ""))
    text = text.replace('UNIDUPLEXSPEED = ""\n', "")
    _setup(desc="OLT NOFDBQUERY", text=text)
    with _agent(), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert "OLT[23] | RUNNING: PON HAL collector method:ponrc5508gpsc->collect" in _lines(body), body
    assert body.endswith("FINISHED: polled successfully\nOK:OLTPOLL"), body
    up = "ABCD0001"
    want = _want(up)
    del want[("fdb", "OLTFDB")]
    want[("signals", "OLTSIGNALS")] = 'a:3:{s:8:"%s";d:-19;i:%d;d:-34.5;s:8:"%s";d:-21.36;}' % (S1, I3, S4)
    want[("unioperstats", "UNIOPERSTATS")] = _ser({S1: _uni("UP", ""), up: _uni("DOWN", ""), I3: _uni("UP", ""),
                                                  S4: _uni("UP", ""), S8: _uni("UP", "")})
    _check(want)
    assert d.read(_pondata("fdb", "23_OLTFDB")) is None
    assert base._hist_levels(up) == ["-9000"] and base._hist_levels(S2) is None
    assert ".1.3.6.1.4.1.8886.18.3.6.12.1.1.1" not in _walked()
    assert ".1.3.6.1.4.1.8886.18.3.6.5.1.1.20" not in _walked()


def test_oltpoll_raisecom_optional_tables_absent():
    # no DISTINDEX / DEREGREASON / UNIOPERSTATUS keys: those containers are
    # not written and their tables not walked
    text = "\n".join(ln for ln in _tpl().split("\n")
                     if not re.match(r"(DISTINDEX|DEREGREASON|UNIOPERSTATUS) =", ln))
    _setup(text=text)
    with _agent(), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert _written() == ["fdb/23_OLTFDB", "iface/23_OLTINTERFACEDESCR", "iface/23_ONUINTERFACE",
                          "macdev/23_ONUMACDEVINDEX", "onucache/23_ONUINDEX", "signals/23_OLTSIGNALS",
                          "temp/23_OLTTEMPERATURE", "uptime/23_OLTUPTIME"]
    want = _want()
    for k in [("dist", "OLTDISTANCE"), ("dereg", "ONUDEREGS"), ("unioperstats", "UNIOPERSTATS")]:
        del want[k]
    _check(want)


def test_oltpoll_raisecom_no_interfaces():
    # serials but no ifName answer: no ONU interface, so no signals, ONU
    # index, UNI or FDB; distances and deregs (joined by ifIndex) still come.
    # The walk of a missing subtree answers one "No Such Object" row, which
    # PHP keeps as a name, so the (empty) interface containers are written.
    _setup(text=_tpl(("misc", "IFACENAME", ".1.3.6.1.4.1.8886.99")))
    with _agent(), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
        ref = d.snmpwalk(IP, ".1.3.6.1.4.1.8886.99")
    assert ref.startswith(".1.3.6.1.4.1.8886.99 = No Such ") and ref.count("\n") == 1, ref
    assert d.read(d.exports(IP + ":161_.1.3.6.1.4.1.8886.99")) == ref
    assert _written() == ["dereg/23_ONUDEREGS", "dist/23_OLTDISTANCE", "iface/23_OLTINTERFACEDESCR",
                          "iface/23_ONUINTERFACE", "temp/23_OLTTEMPERATURE", "uptime/23_OLTUPTIME"]
    assert d.read(_pondata("iface", "23_ONUINTERFACE")) == "a:0:{}"
    assert d.read(_pondata("iface", "23_OLTINTERFACEDESCR")) == "a:0:{}"
    w = _want()
    _check({k: w[k] for k in [("dist", "OLTDISTANCE"), ("dereg", "ONUDEREGS")]})
    assert all(base._hist_levels(s) is None for s in SERIALS)


def test_oltpoll_raisecom_unreachable_and_missing_method():
    # an OLT that does not answer: no serials, so nothing but the first
    # round's (empty) raw walks; no container at all
    _setup()
    with h.config(alter=dict(PON, SNMPWALK_PATH='"/usr/bin/snmpwalk -On -v2c -t 0.2 -r 0"')):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert _written() == []
    assert _walked() == sorted(WALKED_FIRST)
    assert all(d.read(d.exports(IP + ":161_" + oid)) == "" for oid in WALKED_FIRST)
    assert json.loads(d.read(_pondata("races", "PONYRUN_23")))["finished"] == 1
    # a method the class does not have
    _setup(text=_tpl(("signal", "COLLECTORMETHOD", "pollGpon")))
    with h.config(alter=PON):
        body = h.api_text("action=herd&oltid=23")
    assert _lines(body)[-3:] == [
        "OLT[23] | FAILED run PON HAL collector:PONRC5508GPSC->pollGpon METHOD_NOT_EXISTS",
        "OLT[23] | FINISHED: polled successfully", "OK:HERD"], body
    assert _written() == [] and _walked() == []


if __name__ == "__main__":
    h.main(globals())
