"""oltpoll / herd with the PONstels16 collector (Stels FD16xx GPON) against a
real snmpd on 127.8.14.3:161 serving test/snmp/stels16.snmprec (spec §2.4).

Expected containers are worked out by hand from stels16.snmprec following
api.ponstels16.php (see the comments at each value):
- serial = MAC index value trimmed, blanks -> ':', SERIAL_CASE_MODE applied
  ("0" as is); a row whose value is empty() ("0") is dropped (ONU F);
- RX = raw / 100 (an int when exact), 65535 -> Offline, non-numeric -> Fail;
- distances join the *raw* serial rows, so F's "0" serial is the int key 0;
- interface = prefix + <n-th row of the port table holding the port>:<onu>,
  port and onu being hex digits -4..-3 and -2..-1 of the device index;
  a port missing from the table gives "On ho";
- dereg reason = the last row (walk order) whose index, or for an index
  < 100 (index-10)*256+16779776, is <= the ONU's device index; none: "On ho";
- FDB entries are numbered by their row in the walk (1-based, every row);
- UNI: the last "<dev>.0.<port>" row of an ONU, status kept as a string.
"""

import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "snmp"))

import harness as h  # noqa: E402
import devtest as d  # noqa: E402
import test_devices_oltpoll as base  # noqa: E402

IP = "127.8.14.3"
OLT, MODEL = 22, 822
TPL = "STELS_FD16XX_GPON_TEST"
SUBTREES = [".1.3.6.1.4.1.17409"]
PON = base.PON

G, A, B = "53:54:45:4C:00:00:00:0A", "53:54:45:4C:00:00:00:01", "53:54:45:4C:00:00:00:02"
C, D, E = "53:54:45:4C:AB:CD:00:03", '"ZXIC1234"', "53:54:45:4C:00:00:00:05"
IDENTS = [G, A, B, C, D, E]
LOWER = [x.lower() for x in IDENTS]
IDX = {G: 16779779, A: 16780033, B: 16780034, C: 16780289, D: 16780293, E: 16780545}


class F(str):
    """A PHP float in _ser()."""


def _ser(v):
    if isinstance(v, F):
        return "d:%s;" % v
    if isinstance(v, dict):
        out = "a:%d:{" % len(v)
        for k, x in v.items():
            out += base._ser(k) + _ser(x)
        return out + "}"
    return base._ser(v)


def _p(name):
    return base._pondata(name.split("/")[0], name.split("/")[1])


def _setup(desc="OLT", text=None, modify=None):
    text = text if text is not None else d.read(os.path.join(d.HERE, "templates", TPL))
    for sec, key, val in modify or []:
        text = base._template_set(text, sec, key, val)
    base._zte_setup(TPL, MODEL, OLT, IP, text)
    h.exec("UPDATE switches SET `desc`=%s, location='Stels16' WHERE id=%s", (desc, OLT))
    for ident in IDENTS + LOWER:
        d.rm(base._hist(ident))


def _agent():
    return d.Agent([IP], os.path.join(d.HERE, "stels16.snmprec"), SUBTREES)


def _written():
    root = os.path.join(h.root, "exports", "pondata")
    return sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "*", "%d_*" % OLT)))


def _expected(idents=IDENTS):
    g, a, b, c, dd, e = idents
    return {
        # G has no RX row; E's value is a string -> Fail
        "signals/22_OLTSIGNALS": _ser({a: F("-21.5"), b: "Offline", c: -20, dd: F("-23.45"), e: "Fail"}),
        "macdev/22_ONUMACDEVINDEX": _ser({x: IDX[y] for x, y in zip(idents, IDENTS)}),
        # F (16780036) has serial "0": key 0; D and G have no distance row
        "dist/22_OLTDISTANCE": _ser({a: "1234", b: "0", 0: "77", c: "560", e: "3"}),
        "onucache/22_ONUINDEX": _ser({16779779: g, 16780033: a, 16780034: b, 16780036: "0",
                                     16780289: c, 16780293: dd, 16780545: e}),
        # port table rows: 10 -> 1, 11 -> 2, 12 -> 3; E is on port 0x0d
        "iface/22_ONUINTERFACE": _ser({g: "pon0/0/1:3", a: "pon0/0/2:1", b: "pon0/0/2:2", c: "pon0/0/3:1",
                                      dd: "pon0/0/3:5", e: "pon0/0/On ho"}),
        # key 11 -> 16780032: A (16780033) gets it; G is below every row
        "dereg/22_ONUDEREGS": _ser({g: "On ho", a: "PON LOS", b: "Power Off", c: "Wire Down",
                                   dd: "Wire Down", e: "Wire Down"}),
        "unioperstats/22_UNIOPERSTATS": _ser({g: {"eth1": "0"}, a: {"eth2": "2"}, b: {"eth1": "2"},
                                             c: {"eth1": "1"}}),
    }


# rows 1 and 4 belong to A, row 3 to C; row 2 is F's (no serial), row 5 unknown
FDB = _ser({A: {1: base._fdb("00:11:22:33:44:55", "100"), 4: base._fdb("00:aa:bb:cc:dd:02", "100")},
            C: {3: base._fdb("00:aa:bb:cc:dd:01", "200")}})


def _check(want):
    for name, w in want.items():
        got = d.read(_p(name))
        assert got == w, (name, got, w)


def test_oltpoll_stels16_hal():
    # [system] is not read by this collector: no uptime container; the UNI
    # states are written although PON_ONU_UNI_STATUS_ENABLED is 0
    _setup(modify=[("system", "UPTIME", ".1.3.6.1.2.1.1.3.0")])
    d.rm(d.exports(IP + ":161_.1.3.6.1.4.1.17409.2.3.3.6.1.1"))
    with _agent(), h.config(alter=dict(PON, PON_ONU_UNI_STATUS_ENABLED="0")):
        body = h.api_text("action=oltpoll")
        onuindex_walk = d.snmpwalk(IP, ".1.3.6.1.4.1.17409.2.3.3.6.1.1")
    assert base._lines(body) == [
        "POLLING:22 127.8.14.3 - Stels16",
        "OLT[22] | STARTING: polling",
        'OLT[22] | Using device SNMP template "Stels FD16XX test OLT"',
        'OLT[22] | Template mode:"HAL" collector name:"PONStels16"',
        'OLT[22] | Polling prepare using PON HAL collector:"PONStels16" with parameters OLT ID: 22 IP:127.8.14.3',
        "OLT[22] | RUNNING: PON HAL collector method:PONStels16->collect",
        "OLT[22] | COMPLETED: PON HAL collector method:PONStels16->collect",
        "OLT[22] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    want = _expected()
    want["fdb/22_OLTFDB"] = FDB
    _check(want)
    assert _written() == sorted(want)
    assert [base._hist_levels(x) for x in IDENTS] == [None, ["-21.5"], ["-9000"], ["-20"], ["-23.45"], ["Fail"]]
    assert json.loads(d.read(base._pondata("races", "PONYRUN_22")))["finished"] == 1
    log = base._lines(d.read(d.exports("oltpoll.log")))
    assert log[-1] == "OLT[22] | FINISHED: polled successfully"
    # the ONU index is walked (and its raw cache written) though unused
    assert d.read(d.exports(IP + ":161_.1.3.6.1.4.1.17409.2.3.3.6.1.1")) == onuindex_walk
    assert onuindex_walk.count("\n") == 2


def test_oltpoll_stels16_single_case_nofdb():
    # SIGNAL_POLL_TYPE="single": one walk of SIGINDEX.<index> per serial; G's
    # answers "No Such Instance" and is skipped. SERIAL_CASE_MODE=1 lowers
    # the serials everywhere (the distance parser's too). NOFDBQUERY: no FDB.
    _setup(desc="OLT NOFDBQUERY", modify=[("signal", "SIGNAL_POLL_TYPE", "single"),
                                          ("onu", "SERIAL_CASE_MODE", "1")])
    for f in glob.glob(d.exports(IP + ":161_*")):
        os.unlink(f)
    with _agent(), h.config(alter=dict(PON, PON_ONU_OFFLINE_SIGNAL="-77")):
        body = h.api_text("action=herd&oltid=22")
    assert body.endswith("OLT[22] | FINISHED: polled successfully\nOK:HERD"), body
    assert "OLT[22] | RUNNING: PON HAL collector method:PONStels16->collect" in base._lines(body)
    want = _expected(LOWER)
    _check(want)
    assert _written() == sorted(want)
    assert [base._hist_levels(x) for x in LOWER] == [None, ["-21.5"], ["-77"], ["-20"], ["-23.45"], ["Fail"]]
    assert [base._hist_levels(x) for x in IDENTS[:3]] == [None, None, None]
    sig = ".1.3.6.1.4.1.17409.2.3.3.6.1.2"
    assert d.read(d.exports("%s:161_%s.16780033" % (IP, sig))) == "%s.16780033.0.0 = INTEGER: -2150\n" % sig
    assert d.read(d.exports("%s:161_%s.16779779" % (IP, sig))) == \
        "%s.16779779 = No Such Instance currently exists at this OID\n" % sig
    assert d.read(d.exports("%s:161_%s" % (IP, sig))) is None
    assert d.read(d.exports("%s:161_.1.3.6.1.4.1.17409.2.3.2.4.2.1.4" % IP)) is None


def test_oltpoll_stels16_unreachable():
    slow = dict(PON, SNMPWALK_PATH='"/usr/bin/snmpwalk -On -v2c -t 0.2 -r 0"')
    # nothing polled before: only the FDB container (always written) appears
    _setup()
    with h.config(alter=slow):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert _written() == ["fdb/22_OLTFDB"]
    assert d.read(_p("fdb/22_OLTFDB")) == "a:0:{}"
    # after a good poll: the interface map is rebuilt from the MAC index left
    # on disk and comes out empty, the FDB is emptied, the rest is kept
    _setup()
    with _agent(), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("OK:OLTPOLL")
    with h.config(alter=slow):
        assert h.api_text("action=herd&oltid=22").endswith("FINISHED: polled successfully\nOK:HERD")
    want = _expected()
    want["iface/22_ONUINTERFACE"] = "a:0:{}"
    want["fdb/22_OLTFDB"] = "a:0:{}"
    _check(want)
    assert [base._hist_levels(x) for x in IDENTS] == [None, ["-21.5"], ["-9000"], ["-20"], ["-23.45"], ["Fail"]]


def test_oltpoll_stels16_unknown_poll_type_stale_macdev_no_uni():
    # an unknown SIGNAL_POLL_TYPE polls no signals at all, so the interface
    # map comes from whatever ONUMACDEVINDEX is on disk; no UNIOPERSTATUS in
    # the template: no UNI walk even with PON_ONU_UNI_STATUS_ENABLED=1
    text = "\n".join(ln for ln in d.read(os.path.join(d.HERE, "templates", TPL)).split("\n")
                     if not ln.startswith("UNIOPERSTATUS"))
    _setup(text=text, modify=[("signal", "SIGNAL_POLL_TYPE", "often")])
    d.write(_p("macdev/22_ONUMACDEVINDEX"), _ser({"X": 16780289, "Y": "16779777", 7: 300}))
    with _agent(), h.config(alter=dict(PON, PON_ONU_UNI_STATUS_ENABLED="1")):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    want = _expected()
    # 300 = 0x12c: PHP's substr() gives "12" (port 18, not in the table), "2c"
    want["iface/22_ONUINTERFACE"] = _ser({"X": "pon0/0/3:1", "Y": "pon0/0/1:1", 7: "pon0/0/On ho"})
    want["fdb/22_OLTFDB"] = FDB
    for k in ("signals/22_OLTSIGNALS", "unioperstats/22_UNIOPERSTATS"):
        del want[k]
    want["macdev/22_ONUMACDEVINDEX"] = _ser({"X": 16780289, "Y": "16779777", 7: 300})
    _check(want)
    assert _written() == sorted(want)
    assert [base._hist_levels(x) for x in IDENTS] == [None] * 6


def test_oltpoll_stels16_missing_method():
    _setup(modify=[("signal", "COLLECTORMETHOD", "pollGpon")])
    with _agent(), h.config(alter=PON):
        body = h.api_text("action=herd&oltid=22")
    lines = base._lines(body)
    assert lines[-3:] == ["OLT[22] | FAILED run PON HAL collector:PONStels16->pollGpon METHOD_NOT_EXISTS",
                          "OLT[22] | FINISHED: polled successfully", "OK:HERD"], body
    assert _written() == []
    assert re.search(r'"finished":1', d.read(base._pondata("races", "PONYRUN_22")))


if __name__ == "__main__":
    h.main(globals())
