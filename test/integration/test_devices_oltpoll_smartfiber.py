"""oltpoll / herd with the PONSFE90BT collector (SmartFiber E9004-BT EPON)
against a real snmpd on 127.8.16.3:161 serving test/snmp/smartfiber.snmprec.

Expected containers are PONSFE90BT's rules applied to smartfiber.snmprec by
hand (and matched what Ubilling's own class, run under PHP 8.2 against the
same agent, wrote):
* ONUs are the MAC table rows "<port>.<llid> = Hex-STRING: .."; the MAC loses
  its blanks and becomes lower-case "xx:xx:..";
* RX level = the text between "(" and "dBm" (any case) of the signal string,
  rounded to 2 places (a PHP float); an empty or 0 level is no signal: no
  entry, the offline level in the history (2.10 reads 0.0: d:0 in the
  container but still the offline level in the history);
* distances and dereg codes (1 Wire down, 3 Power off, else Unknown) are
  joined by index; ifDescr 9 / 10 name PON ports 1 / 2, every blank of the
  row removed; the first ONU of a port carries its custom description;
* FDB entries belong to the first three characters of their index and are
  numbered by its last character: 1.1.12 replaces 1.1.2 in place, 2.10.1
  lands on ONU 2.1, a VLAN of 0 is "", the empty MAC row is dropped.
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
from test_devices_oltpoll import PON, _fdb, _hist, _hist_levels, _lines, _pondata, _ser  # noqa: E402

IP = "127.8.16.3"
OLTID, MODELID = 24, 824
TPL = "SMARTFIBER_E9004_TEST"
SUBTREES = [".1.3.6.1.4.1.8888", ".1.3.6.1.2.1.2.2.1.2"]
M1, M2, M3, M4 = "00:11:22:33:44:55", "00:11:22:33:44:aa", "00:11:22:33:cc:01", "00:11:22:33:dd:02"
WIRE, POWER, UNKNOWN = ('<font color="#F80000">Wire down</font >', '<font color="#FF4400">Power off</font >',
                        '<font color="#000000">Unknown</font >')
SLOW = '"/usr/bin/snmpwalk -On -v2c -t 0.2 -r 0"'

COMMON = {
    ("signals", "OLTSIGNALS"): 'a:3:{s:17:"%s";d:-16.99;s:17:"%s";d:-21.46;s:17:"%s";d:0;}' % (M1, M2, M4),
    ("onucache", "ONUINDEX"): _ser({"1.1": M1, "1.2": M2, "2.1": M3, "2.10": M4}),
    ("macdev", "ONUMACDEVINDEX"): _ser({M1: "1.1", M2: "1.2", M3: "2.1", M4: "2.10"}),
    ("dist", "OLTDISTANCE"): _ser({M1: "120", M2: "0", M4: "3500"}),
    ("iface", "ONUINTERFACE"): _ser({M1: "EPON0/1 / 1:1", M2: "EPON0/1 / 1:2", M3: "EPON0/2 / 2:1",
                                    M4: "EPON0/2 / 2:10"}),
    ("iface", "OLTINTERFACEDESCR"): _ser({"EPON0/1 / 1": "StreetA", "EPON0/2 / 2": ""}),
    ("dereg", "ONUDEREGS"): _ser({M1: POWER, M2: WIRE, M3: UNKNOWN}),
}
FDB = _ser({M1: {1: _fdb("00:aa:bb:cc:dd:01", "100"), 2: _fdb("00:aa:bb:cc:dd:0c", "12")},
            M3: {1: _fdb("00:aa:bb:cc:dd:03", "")}})


def _setup(desc="OLT", text=None):
    base._zte_setup(TPL, MODELID, OLTID, IP, text)
    h.exec("UPDATE switches SET `desc`=%s, location='Sf' WHERE id=%s", (desc, OLTID))
    for ident in (M1, M2, M3, M4):
        d.rm(_hist(ident))


def _tpl_set(pairs):
    text = d.read(os.path.join(d.HERE, "templates", TPL))
    for sec, key, val in pairs:
        text = base._template_set(text, sec, key, val)
    return text


def _agent():
    return d.Agent([IP], os.path.join(d.HERE, "smartfiber.snmprec"), SUBTREES)


def _written():
    root = os.path.join(h.root, "exports", "pondata")
    return sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "*", "%d_*" % OLTID)))


def _check_common():
    for (sub, ext), want in COMMON.items():
        got = d.read(_pondata(sub, "%d_%s" % (OLTID, ext)))
        assert got == want, (sub, ext, got)


def test_oltpoll_smartfiber():
    _setup()
    with _agent(), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert _lines(body) == [
        "POLLING:24 127.8.16.3 - Sf",
        "OLT[24] | STARTING: polling",
        'OLT[24] | Using device SNMP template "SmartFiber E9004 test OLT"',
        'OLT[24] | Template mode:"HAL" collector name:"PONSFE90BT"',
        'OLT[24] | Polling prepare using PON HAL collector:"PONSFE90BT" with parameters OLT ID: 24 IP:127.8.16.3',
        "OLT[24] | RUNNING: PON HAL collector method:PONSFE90BT->collect",
        "OLT[24] | COMPLETED: PON HAL collector method:PONSFE90BT->collect",
        "OLT[24] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    _check_common()
    assert d.read(_pondata("fdb", "24_OLTFDB")) == FDB
    assert d.read(_pondata("temp", "24_OLTTEMPERATURE")) == "39"
    assert re.fullmatch(r"(\d+ days?, )?\d+:\d\d:\d\d\.\d\d", d.read(_pondata("uptime", "24_OLTUPTIME")))
    assert _written() == ["dereg/24_ONUDEREGS", "dist/24_OLTDISTANCE", "fdb/24_OLTFDB",
                          "iface/24_OLTINTERFACEDESCR", "iface/24_ONUINTERFACE", "macdev/24_ONUMACDEVINDEX",
                          "onucache/24_ONUINDEX", "signals/24_OLTSIGNALS", "temp/24_OLTTEMPERATURE",
                          "uptime/24_OLTUPTIME"]
    # the level as PHP echoes its float; no level / 0 dBm -> the offline level
    assert [_hist_levels(m) for m in (M1, M2, M3, M4)] == [["-16.99"], ["-21.46"], ["-9000"], ["-9000"]]
    stats = json.loads(d.read(_pondata("races", "PONYRUN_24")))
    assert stats["finished"] == 1 and stats["start"] <= stats["end"]
    assert "OLT[24] | FINISHED: polled successfully" in _lines(d.read(d.exports("oltpoll.log")))
    # a second poll appends to the history
    with _agent(), h.config(alter=dict(PON, PON_ONU_OFFLINE_SIGNAL="-77")):
        assert h.api_text("action=herd&oltid=24").endswith("FINISHED: polled successfully\nOK:HERD")
    assert [_hist_levels(m) for m in (M1, M2, M3, M4)] == \
        [["-16.99", "-16.99"], ["-21.46", "-21.46"], ["-9000", "-77"], ["-9000", "-77"]]
    _check_common()


def test_oltpoll_smartfiber_nofdb_no_custom_descr():
    # NOFDBQUERY: neither FDB table is walked, no FDB container; without
    # IFACECUSTOMDESCR in the template the descriptions are written empty
    text = "\n".join(ln for ln in d.read(os.path.join(d.HERE, "templates", TPL)).split("\n")
                     if not ln.startswith("IFACECUSTOMDESCR"))
    _setup(desc="OLT NOFDBQUERY", text=text)
    with _agent(), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert d.read(_pondata("fdb", "24_OLTFDB")) is None
    assert d.read(_pondata("iface", "24_OLTINTERFACEDESCR")) == "a:0:{}"
    for key in COMMON:
        if key != ("iface", "OLTINTERFACEDESCR"):
            assert d.read(_pondata(key[0], "24_" + key[1])) == COMMON[key], key
    assert not glob.glob(d.exports(IP + ":161_.1.3.6.1.4.1.8888.1.13.3.16.*"))


def test_oltpoll_smartfiber_unreachable_and_empty_agent():
    # an OLT that does not answer: no MAC rows, so nothing is written at all
    _setup()
    with h.config(alter=dict(PON, SNMPWALK_PATH=SLOW)):
        body = h.api_text("action=oltpoll")
    assert body.endswith("OLT[24] | COMPLETED: PON HAL collector method:PONSFE90BT->collect\n"
                         + body.splitlines()[-2][:19] + " | OLT[24] | FINISHED: polled successfully\nOK:OLTPOLL"), body
    assert _written() == []
    assert json.loads(d.read(_pondata("races", "PONYRUN_24")))["finished"] == 1
    # an agent without the vendor tree: snmpwalk's "No Such Object" row has an
    # index and a value, so PHP takes it for an ONU whose "MAC" is the text
    _setup()
    with d.Agent([IP]), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    oid = ".1.3.6.1.4.1.8888.1.13.3.1.1.9.0"
    ident = "no:su:ch:ob:je:ct:av:ai:la:bl:eo:nt:hi:sa:ge:nt:at:th:is:oi:d"
    assert d.read(_pondata("onucache", "24_ONUINDEX")) == _ser({oid: ident})
    assert d.read(_pondata("macdev", "24_ONUMACDEVINDEX")) == _ser({ident: oid})
    assert d.read(_pondata("signals", "24_OLTSIGNALS")) == "a:0:{}"
    assert d.read(_pondata("iface", "24_ONUINTERFACE")) == _ser({ident: oid.replace(".", ":")})
    for sub, ext in (("dist", "OLTDISTANCE"), ("dereg", "ONUDEREGS"), ("fdb", "OLTFDB"),
                     ("iface", "OLTINTERFACEDESCR")):
        assert d.read(_pondata(sub, "24_" + ext)) == "a:0:{}", (sub, ext)
    assert _hist_levels(ident) is None
    # snmpd's own sysUpTime still answers; the temperature row has no ":"
    assert re.fullmatch(r"(\d+ days?, )?\d+:\d\d:\d\d\.\d\d", d.read(_pondata("uptime", "24_OLTUPTIME")))
    assert d.read(_pondata("temp", "24_OLTTEMPERATURE")) is None


def test_oltpoll_smartfiber_method_and_name_case():
    # PHP class names are case-insensitive; the log keeps the template's spelling
    _setup(text=_tpl_set([("signal", "COLLECTORNAME", "ponSfe90bt")]))
    with _agent(), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert "OLT[24] | COMPLETED: PON HAL collector method:ponSfe90bt->collect" in _lines(body), body
    _check_common()
    # a method the class does not have: nothing polled, the lock released
    _setup(text=_tpl_set([("signal", "COLLECTORMETHOD", "pollEpon")]))
    with _agent(), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert _lines(body)[4:] == [
        'OLT[24] | Polling prepare using PON HAL collector:"PONSFE90BT" with parameters OLT ID: 24 IP:127.8.16.3',
        "OLT[24] | FAILED run PON HAL collector:PONSFE90BT->pollEpon METHOD_NOT_EXISTS",
        "OLT[24] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    assert _written() == []
    # a legacy SIGNALMODE names no collector for this template
    _setup(text=_tpl_set([("signal", "SIGNALMODE", "SFE90BT")]))
    with h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert _lines(body)[3:] == [
        'OLT[24] | Template mode:"SFE90BT" collector name:"PONSFE90BT"',
        "OLT[24] | Failed: collector name not defined",
        "OLT[24] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body


if __name__ == "__main__":
    h.main(globals())
