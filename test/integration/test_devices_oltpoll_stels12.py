"""oltpoll / herd with the PONStels12 collector (Stels FD12xx EPON OLTs,
spec §2.4) against a real snmpd on 127.8.13.3:161 serving stels12.snmprec.

Expected containers are worked out by hand from stels12.snmprec with
PONStels12's rules:
* MAC index: "<device index> = <MAC>", spaces -> ':', lower case; ident =
  MAC. RX rows "<index>.0.0 = <raw>" ('.0.0 ' removed): DOWNVALUE 65535 ->
  Offline, non-numeric ("n/a" -> '"n/a"') -> Fail, else raw / 100 (an int
  when exact: -2100 -> -21). ONUs: F 16779777 = 0x1000A01, A 16780033 =
  0x1000B01, B 16780034 = 0x1000B02, C 16780289 = 0x1000C01, D 16780298 =
  0x1000C0A, E 16781313 = 0x1001001.
* distances: the distance rows joined with the MAC index (not the ONU
  index); the ONU cache is that MAC index (int keys).
* interfaces: from the MAC index container read back from disk; PON port
  row numbers 11 -> 1, 12 -> 2, 13 -> 3; hex(index) chars -4..-3 = port,
  -2..-1 = LLID; a port not in the walk (0x0A, 0x10) -> "On ho".
* dereg rows 11, 12, 14 (< 100: start = (n - 10) * 256 + 16779776, i.e.
  16780032, 16780288, 16780800) and 16781312 (as is); an ONU takes the last
  row whose start it reaches, none -> "On ho". "power=off" is cut at the '='.
* FDB rows "<MAC as decimals>.<vlan> = <ONU MAC>" numbered by their line in
  the walk: the 17-byte ONU MAC on line 5 wraps onto line 6, so the next
  rows are 7 and 8; an octet 300 becomes "12c" and shifts the colons; an
  unknown ONU MAC is kept.
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

IP = "127.8.13.3"
OLT, MODEL = 21, 821
TPL = "STELS_FD12XX_TEST"
SUBTREES = [".1.3.6.1.4.1.17409", ".1.3.6.1.4.1.34592"]
F, A, B, C, D, E = ("00:11:22:33:ff:01", "00:11:22:33:44:55", "00:11:22:33:44:aa",
                    "00:11:22:33:cc:01", "00:11:22:33:dd:02", "00:11:22:33:ee:01")
IDENTS = [F, A, B, C, D, E]
IDX = {F: 16779777, A: 16780033, B: 16780034, C: 16780289, D: 16780298, E: 16781313}
PON = base.PON
LONG = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff"
fdb = base._fdb
ser = base._ser

COMMON = {
    ("signals", "OLTSIGNALS"): ('a:5:{s:17:"00:11:22:33:ff:01";d:-18.5;s:17:"00:11:22:33:44:55";d:-23.45;'
                               's:17:"00:11:22:33:44:aa";s:7:"Offline";s:17:"00:11:22:33:cc:01";i:-21;'
                               's:17:"00:11:22:33:dd:02";s:4:"Fail";}'),
    ("macdev", "ONUMACDEVINDEX"): ser({m: IDX[m] for m in IDENTS}),
    ("onucache", "ONUINDEX"): ser({IDX[m]: m for m in IDENTS}),
    ("dist", "OLTDISTANCE"): ser({F: "5", A: "1200", B: "35", C: "0"}),
    ("iface", "ONUINTERFACE"): ser({F: "pon0/0/On ho", A: "pon0/0/1:1", B: "pon0/0/1:2", C: "pon0/0/2:1",
                                   D: "pon0/0/2:10", E: "pon0/0/On ho"}),
    ("dereg", "ONUDEREGS"): ser({F: "On ho", A: "wire down", B: "wire down", C: "power", D: "power",
                                E: "dying gasp"}),
}
FDB = ser({
    A: {1: fdb("00:aa:bb:cc:dd:01", "100"), 2: fdb("00:aa:bb:cc:dd:02", "100")},
    C: {3: fdb("00:aa:bb:cc:dd:03", "200"), 7: fdb("00:aa:bb:cc:dd:06", "300")},
    "00:99:88:77:66:55": {4: fdb("00:aa:bb:cc:dd:04", "1")},
    LONG: {5: fdb("00:aa:bb:cc:dd:05", "300")},
    D: {8: fdb("00:aa:bb:cc:dd:12:c", "10")},
})
HIST = [["-18.5"], ["-23.45"], ["-9000"], ["-21"], ["Fail"], None]
UNREACHABLE = '"/usr/bin/snmpwalk -On -v2c -t 0.2 -r 0"'


def _pondata(sub, name):
    return base._pondata(sub, "%d_%s" % (OLT, name))


def _written():
    root = os.path.join(h.root, "exports", "pondata")
    return sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "*", "%d_*" % OLT)))


def _setup(desc="OLT", text=None, tpl=None):
    if text is None:
        text = d.read(os.path.join(d.HERE, "templates", TPL))
    for (sec, key), value in (tpl or {}).items():
        text = base._template_set(text, sec, key, value)
    base._zte_setup(TPL, MODEL, OLT, IP, text)
    h.exec("UPDATE switches SET `desc`=%s, location='Stels12' WHERE id=%s", (desc, OLT))
    for ident in IDENTS:
        d.rm(base._hist(ident))


def _agent():
    return d.Agent([IP], os.path.join(d.HERE, "stels12.snmprec"), SUBTREES)


def _check_common(skip=()):
    for (sub, ext), want in COMMON.items():
        if (sub, ext) not in skip:
            got = d.read(_pondata(sub, ext))
            assert got == want, (sub, ext, got)


def test_oltpoll_stels12():
    _setup()
    with _agent(), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert base._lines(body) == [
        "POLLING:21 127.8.13.3 - Stels12",
        "OLT[21] | STARTING: polling",
        'OLT[21] | Using device SNMP template "Stels FD12XX test OLT"',
        'OLT[21] | Template mode:"HAL" collector name:"PONStels12"',
        'OLT[21] | Polling prepare using PON HAL collector:"PONStels12" with parameters OLT ID: 21 IP:127.8.13.3',
        "OLT[21] | RUNNING: PON HAL collector method:PONStels12->collect",
        "OLT[21] | COMPLETED: PON HAL collector method:PONStels12->collect",
        "OLT[21] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    _check_common()
    assert d.read(_pondata("fdb", "OLTFDB")) == FDB
    # no [system] walks, no interface descriptions, no UNI states
    assert _written() == ["dereg/21_ONUDEREGS", "dist/21_OLTDISTANCE", "fdb/21_OLTFDB", "iface/21_ONUINTERFACE",
                          "macdev/21_ONUMACDEVINDEX", "onucache/21_ONUINDEX",
                          "signals/21_OLTSIGNALS"]
    assert [base._hist_levels(m) for m in IDENTS] == HIST
    stats = json.loads(d.read(base._pondata("races", "PONYRUN_21")))
    assert stats["finished"] == 1 and stats["start"] <= stats["end"]
    log = base._lines(d.read(d.exports("oltpoll.log")))
    assert log[-1] == "OLT[21] | FINISHED: polled successfully"
    # every walk PHP makes is cached as snmpwalk printed it, the unused ONU
    # index included; the RX rows keep their ".0.0"
    assert d.read(d.exports(IP + ":161_.1.3.6.1.4.1.17409.2.3.4.2.1.1")) == (
        ".1.3.6.1.4.1.17409.2.3.4.2.1.1.16780033.0.0 = INTEGER: 1\n"
        ".1.3.6.1.4.1.17409.2.3.4.2.1.1.16780289.0.0 = INTEGER: 2\n")
    assert d.read(d.exports(IP + ":161_.1.3.6.1.4.1.17409.2.3.4.2.1.4")).startswith(
        ".1.3.6.1.4.1.17409.2.3.4.2.1.4.16779777.0.0 = INTEGER: -1850\n")
    assert sorted(os.path.basename(p) for p in glob.glob(d.exports(IP + ":161_*"))) == sorted(
        IP + ":161_" + o for o in (
            ".1.3.6.1.4.1.17409.2.3.4.2.1.4", ".1.3.6.1.4.1.17409.2.3.4.1.1.15", ".1.3.6.1.4.1.17409.2.3.4.2.1.1",
            ".1.3.6.1.4.1.17409.2.3.3.3.1.3", ".1.3.6.1.4.1.34592.1.3.100.12.3.1.1.7",
            ".1.3.6.1.4.1.17409.2.3.4.1.1.28", ".1.3.6.1.4.1.34592.1.3.100.12.2.1.1.4"))
    # a second poll appends to the history and rewrites the same bytes
    with _agent(), h.config(alter=PON):
        assert h.api_text("action=herd&oltid=21").endswith("FINISHED: polled successfully\nOK:HERD")
    _check_common()
    assert d.read(_pondata("fdb", "OLTFDB")) == FDB
    assert [base._hist_levels(m) for m in IDENTS] == [x * 2 if x else None for x in HIST]


def test_oltpoll_stels12_legacy_mode_nofdb():
    # SIGNALMODE="STELS12" is PONStels12->collect; NOFDBQUERY: no FDB walk
    # and no FDB container
    _setup(desc="OLT NOFDBQUERY", tpl={("signal", "SIGNALMODE"): "STELS12"})
    with _agent(), h.config(alter=dict(PON, PON_ONU_OFFLINE_SIGNAL="-77")):
        body = h.api_text("action=herd&oltid=21")
    assert base._lines(body)[2:] == [
        'OLT[21] | Template mode:"STELS12" collector name:"PONStels12"',
        'OLT[21] | Polling prepare using PON HAL collector:"PONStels12" with parameters OLT ID: 21 IP:127.8.13.3',
        "OLT[21] | RUNNING: PON HAL collector method:PONStels12->collect",
        "OLT[21] | COMPLETED: PON HAL collector method:PONStels12->collect",
        "OLT[21] | FINISHED: polled successfully",
        "OK:HERD"], body
    _check_common()
    assert d.read(_pondata("fdb", "OLTFDB")) is None
    assert d.read(d.exports(IP + ":161_.1.3.6.1.4.1.34592.1.3.100.12.2.1.1.4")) is None
    assert [base._hist_levels(m) for m in IDENTS] == [["-18.5"], ["-23.45"], ["-77"], ["-21"], ["Fail"], None]


def test_oltpoll_stels12_unreachable():
    # nothing answers, nothing polled before: only the FDB container (PHP
    # writes it whatever happened) is written, empty
    _setup()
    with h.config(alter=dict(PON, SNMPWALK_PATH=UNREACHABLE)):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert _written() == ["fdb/21_OLTFDB"]
    assert d.read(_pondata("fdb", "OLTFDB")) == "a:0:{}"
    assert d.read(d.exports(IP + ":161_.1.3.6.1.4.1.17409.2.3.4.1.1.28")) == ""
    # after a good poll: the MAC index left on disk still gates the
    # interfaces and the FDB, so both are rewritten empty; the rest is kept
    with _agent(), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("OK:OLTPOLL")
    with h.config(alter=dict(PON, SNMPWALK_PATH=UNREACHABLE)):
        assert h.api_text("action=herd&oltid=21").endswith("FINISHED: polled successfully\nOK:HERD")
    _check_common(skip=[("iface", "ONUINTERFACE")])
    assert d.read(_pondata("iface", "ONUINTERFACE")) == "a:0:{}"
    assert d.read(_pondata("fdb", "OLTFDB")) == "a:0:{}"
    assert [base._hist_levels(m) for m in IDENTS] == HIST


def test_oltpoll_stels12_no_mac_table():
    # an OLT without the MAC table: snmpwalk falls back to a GET and prints
    # "<oid> = No Such Instance ...", which PHP takes for one ONU keyed by the
    # whole OID. Its index is no number: PHP's dechex() throws on it in the
    # interfaces step (ubapi skips the ONU there); the dereg step compares it
    # as a string, below every start.
    oid = ".1.3.6.1.4.1.17409.9"
    ghost = "no:such:instance:currently:exists:at:this:oid"
    _setup(tpl={("signal", "MACINDEX"): oid})
    with _agent(), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert d.read(d.exports(IP + ":161_" + oid)) == oid + " = No Such Instance currently exists at this OID\n"
    want = {
        ("signals", "OLTSIGNALS"): "a:0:{}",
        ("macdev", "ONUMACDEVINDEX"): ser({ghost: oid}),
        ("dist", "OLTDISTANCE"): "a:0:{}",
        ("onucache", "ONUINDEX"): ser({oid: ghost}),
        ("iface", "ONUINTERFACE"): "a:0:{}",
        ("dereg", "ONUDEREGS"): ser({ghost: "On ho"}),
        ("fdb", "OLTFDB"): FDB,
    }
    assert _written() == sorted("%s/21_%s" % k for k in want)
    for (sub, ext), w in want.items():
        assert d.read(_pondata(sub, ext)) == w, (sub, ext, d.read(_pondata(sub, ext)))
    assert base._hist_levels(ghost) is None


def test_oltpoll_stels12_signals_only_and_missing_method():
    # DISTINDEX empty: no distance, ONU index or interface walks
    _setup(tpl={("misc", "DISTINDEX"): ""})
    with _agent(), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert _written() == ["dereg/21_ONUDEREGS", "fdb/21_OLTFDB", "macdev/21_ONUMACDEVINDEX",
                          "signals/21_OLTSIGNALS"]
    _check_common(skip=[("onucache", "ONUINDEX"), ("dist", "OLTDISTANCE"), ("iface", "ONUINTERFACE")])
    assert d.read(d.exports(IP + ":161_.1.3.6.1.4.1.17409.2.3.4.2.1.1")) is None
    # a method PONStels12 does not have
    _setup(tpl={("signal", "COLLECTORMETHOD"): "pollEpon"})
    with _agent(), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert base._lines(body)[4:] == [
        'OLT[21] | Polling prepare using PON HAL collector:"PONStels12" with parameters OLT ID: 21 IP:127.8.13.3',
        "OLT[21] | FAILED run PON HAL collector:PONStels12->pollEpon METHOD_NOT_EXISTS",
        "OLT[21] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    assert _written() == []
    assert glob.glob(d.exports(IP + ":161_*")) == []
    # method names match case-insensitively, as PHP's method_exists does
    _setup(tpl={("signal", "COLLECTORMETHOD"): "COLLECT"})
    with _agent(), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert "OLT[21] | COMPLETED: PON HAL collector method:PONStels12->COLLECT" in base._lines(body), body
    assert "signals/21_OLTSIGNALS" in _written()


if __name__ == "__main__":
    h.main(globals())
