"""oltpoll and herd against a real snmpd on 127.8.0.3:161 serving a
BDCOM-like OLT (spec §2.4): the attractor containers byte for byte, the
signal history, polling stats, locks, the compressor skip."""

import glob
import hashlib
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "snmp"))

import harness as h  # noqa: E402
import devtest as d  # noqa: E402

IP = "127.8.0.3"
TPL = "BDCOM_P3310C"
SUBTREES = [".1.3.6.1.4.1.3320", ".1.3.6.1.2.1.2.2.1.2", ".1.3.6.1.2.1.31.1.1.1.18"]
MAC1, MAC2 = "00:11:22:33:44:55", "00:11:22:33:44:aa"
PON = {"PON_ENABLED": "1", "HERD_OF_PONIES": "0", "UBCACHE_STORAGE": "files"}


def _pondata(sub, name):
    return os.path.join(h.root, "exports", "pondata", sub, name)


def _hist(ident):
    return os.path.join(h.root, "content", "documents", "onusig", hashlib.md5(ident.encode()).hexdigest())


def _clean(template_text=None):
    h.exec("DELETE FROM switches")
    h.exec("DELETE FROM switchmodels WHERE id IN (803, 804)")
    h.exec("DELETE FROM weblogs WHERE event LIKE 'PON %%'")
    shutil.rmtree(os.path.join(h.root, "exports", "pondata"), ignore_errors=True)
    for m in (MAC1, MAC2):
        d.rm(_hist(m))
    d.rm(d.exports("oltpoll.log"))
    for f in glob.glob(d.exports(IP + ":161_*")):
        os.unlink(f)
    priv = os.path.join(h.root, "content", "documents", "mysnmptemplates", TPL)
    d.rm(priv)
    tdir = os.path.join(h.root, "config", "snmptemplates")
    os.makedirs(tdir, exist_ok=True)
    text = d.read(os.path.join(d.HERE, "templates", TPL))
    d.write(os.path.join(tdir, TPL), template_text(text) if template_text else text)
    h.exec("INSERT INTO switchmodels (id, modelname, ports, snmptemplate) VALUES (803, 'P3310C', 4, %s)", (TPL,))
    h.exec("INSERT INTO switchmodels (id, modelname, ports, snmptemplate) VALUES (804, 'ZTE', 4, 'ZTE_TEST')")


def _agent():
    return d.Agent([IP], os.path.join(d.HERE, "bdcom.snmprec"), SUBTREES)


def _lines(body):
    return [re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| ", "", ln) for ln in body.splitlines()]


def test_oltpoll_disabled():
    with h.config(alter={"PON_ENABLED": "0"}):
        assert h.api_text("action=oltpoll") == "ERROR:PON_DISABLED"
        assert h.api_text("action=herd&oltid=3") == "ERROR:PON_DISABLED"


def test_oltpoll_compressor_running():
    _clean()
    d.add_switch(3, IP, desc="OLT", snmp="public", modelid=803)
    other = h.db(new=True)
    try:
        with other.cursor() as c:
            c.execute("SELECT GET_LOCK('stardustPID_ONUSIGCOMPRESSOR', 10)")
        with h.config(alter=PON):
            assert h.api_text("action=oltpoll") == "SKIPPED:OLTPOLL"
            assert h.api_text("action=herd&oltid=3") == "SKIPPED:HERD"
    finally:
        other.close()
    ev = [r[0] for r in h.sql("SELECT event FROM weblogs WHERE event LIKE 'PON %%' ORDER BY id", strings=True)]
    assert ev == ["PON OLTPOLL SKIPPED DUE COMPRESSOR RUNNING", "PON HERD OLT [3] SKIPPED DUE COMPRESSOR RUNNING"]


def test_oltpoll_signals_only_template():
    # the spec's own check: DISTINDEX empty -> signals, MAC index, history
    _clean(lambda t: _template_set(t, "misc", "DISTINDEX", ""))
    d.add_switch(3, IP, desc="OLT", location="Hub", snmp="public", modelid=803)
    with _agent(), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    lines = _lines(body)
    assert lines[0] == "POLLING:3 127.8.0.3 - Hub"
    assert lines[1:] == [
        "OLT[3] | STARTING: polling",
        'OLT[3] | Using device SNMP template "BDCOM OLT P3310C"',
        'OLT[3] | Template mode:"HAL" collector name:"PONBdcom"',
        'OLT[3] | Polling prepare using PON HAL collector:"PONBdcom" with parameters OLT ID: 3 IP:127.8.0.3',
        "OLT[3] | RUNNING: PON HAL collector method:PONBdcom->collect",
        "OLT[3] | COMPLETED: PON HAL collector method:PONBdcom->collect",
        "OLT[3] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    assert d.read(_pondata("signals", "3_OLTSIGNALS")) == \
        'a:2:{s:17:"00:11:22:33:44:55";d:-23.4;s:17:"00:11:22:33:44:aa";i:-20;}'
    assert d.read(_pondata("macdev", "3_ONUMACDEVINDEX")) == \
        'a:2:{s:17:"00:11:22:33:44:55";i:10;s:17:"00:11:22:33:44:aa";i:11;}'
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,-23\.4\n", d.read(_hist(MAC1)))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,-20\n", d.read(_hist(MAC2)))
    stats = json.loads(d.read(_pondata("races", "PONYRUN_3")))
    assert stats["finished"] == 1 and stats["start"] <= stats["end"]
    assert "FINISHED: polled successfully" in d.read(d.exports("oltpoll.log"))
    # raw walks land in exports/<ip>:161_<oid>, exactly as snmpwalk prints them
    raw = d.read(d.exports(IP + ":161_.1.3.6.1.4.1.3320.101.10.5.1.5"))
    assert raw == (".1.3.6.1.4.1.3320.101.10.5.1.5.10 = INTEGER: -234\n"
                   ".1.3.6.1.4.1.3320.101.10.5.1.5.11 = INTEGER: -200\n")
    assert d.read(_pondata("dist", "3_OLTDISTANCE")) is None


def test_oltpoll_full_bdcom():
    _clean()
    d.add_switch(3, IP, desc="OLT", location="Hub", snmp="public", modelid=803)
    with _agent(), h.config(alter=dict(PON, PON_ONU_UNI_STATUS_ENABLED="1")):
        body = h.api_text("action=oltpoll")
    assert body.endswith("FINISHED: polled successfully\nOK:OLTPOLL"), body
    assert d.read(_pondata("dist", "3_OLTDISTANCE")) == \
        'a:2:{s:17:"00:11:22:33:44:55";s:4:"1234";s:17:"00:11:22:33:44:aa";s:3:"567";}'
    assert d.read(_pondata("onucache", "3_ONUINDEX")) == \
        'a:2:{i:10;s:17:"00:11:22:33:44:55";i:11;s:17:"00:11:22:33:44:aa";}'
    # the agent prints these strings quoted; PHP only removed "STRING:"
    assert d.read(_pondata("iface", "3_ONUINTERFACE")) == \
        'a:2:{s:17:"00:11:22:33:44:55";s:11:""EPON0/1:1"";s:17:"00:11:22:33:44:aa";s:11:""EPON0/1:2"";}'
    assert d.read(_pondata("iface", "3_OLTINTERFACEDESCR")) == 'a:1:{s:8:""EPON0/1";s:6:"towerA";}'
    assert d.read(_pondata("fdb", "3_OLTFDB")) == (
        'a:1:{s:17:"00:11:22:33:44:55";a:2:{i:1;a:2:{s:3:"mac";s:17:"00:aa:bb:cc:dd:01";s:4:"vlan";s:3:"100";}'
        'i:2;a:2:{s:3:"mac";s:17:"00:aa:bb:cc:dd:02";s:4:"vlan";s:3:"100";}}}')
    assert d.read(_pondata("dereg", "3_ONUDEREGS")) == (
        'a:2:{s:17:"00:11:22:33:44:55";s:36:"<font color="#00B20E">Normal</font >";'
        's:17:"00:11:22:33:44:aa";s:39:"<font color="#6500FF">Power off</font >";}')
    assert d.read(_pondata("unioperstats", "3_UNIOPERSTATS")) == \
        'a:1:{s:17:"00:11:22:33:44:55";a:2:{s:4:"eth1";i:1;s:4:"eth2";i:0;}}'
    assert d.read(_pondata("temp", "3_OLTTEMPERATURE")) == "41"
    assert re.fullmatch(r"\d+:\d\d:\d\d:\d\d\.\d\d|\d+ days?, \d+:\d\d:\d\d\.\d\d|\d+:\d\d:\d\d\.\d\d",
                        d.read(_pondata("uptime", "3_OLTUPTIME")))


def test_oltpoll_offline_private_template_and_like():
    _clean()
    priv = os.path.join(h.root, "content", "documents", "mysnmptemplates", TPL)
    d.write(priv, _template_set(d.read(os.path.join(d.HERE, "templates", TPL)), "signal", "DOWNVALUE", "-234"))
    d.add_switch(3, IP, desc="Poltava core", snmp="public", modelid=803)  # LIKE '%OLT%', any case
    try:
        with _agent(), h.config(alter=dict(PON, PON_ONU_OFFLINE_SIGNAL='"-9000"')):
            assert h.api_text("action=oltpoll").endswith("OK:OLTPOLL")
    finally:
        d.rm(priv)
    assert d.read(_pondata("signals", "3_OLTSIGNALS")) == \
        'a:2:{s:17:"00:11:22:33:44:55";s:7:"Offline";s:17:"00:11:22:33:44:aa";i:-20;}'
    assert d.read(_hist(MAC1)).endswith(",-9000\n")


def test_oltpoll_herd_mode_and_unknown_collector():
    _clean()
    d.add_switch(3, IP, desc="OLT", location="Hub", snmp="public", modelid=803)
    d.add_switch(4, "127.8.0.4", desc="OLT zte", location="Z", snmp="public", modelid=804)
    d.add_switch(5, "127.8.0.5", desc="OLT no community", snmp="", modelid=803)
    tdir = os.path.join(h.root, "config", "snmptemplates")
    # a collector class that does not exist
    d.write(os.path.join(tdir, "ZTE_TEST"),
            '[define]\nDEVICE="Unknown"\n[signal]\nSIGNALMODE="HAL"\nCOLLECTORNAME="PONNoSuchVendor"\n')
    with _agent(), h.config(alter=dict(PON, HERD_OF_PONIES="1")):
        body = h.api_text("action=oltpoll")
    # herd children never printed their lines
    assert body == "POLLING:3 127.8.0.3 - Hub\nPOLLING:4 127.8.0.4 - Z\nOK:OLTPOLL"
    log = _lines(d.read(d.exports("oltpoll.log")))
    assert "OLT[4] | FATAL run PON HAL collector:PONNoSuchVendor EX_HAL_COLLECTOR_NOT_EXISTS" in log
    assert "OLT[3] | FINISHED: polled successfully" in log
    assert d.read(_pondata("signals", "3_OLTSIGNALS")).startswith("a:2:{")


def test_herd():
    _clean()
    d.add_switch(3, IP, desc="OLT", location="Hub", snmp="public", modelid=803)
    d.add_switch(5, "127.8.0.5", desc="OLT", snmp="", modelid=803)
    with h.config(alter=PON):
        assert h.api_text("action=herd") == "ERROR:NO_OLTID"
        assert _lines(h.api_text("action=herd&oltid=5")) == [
            "OLT[5] | STARTING: polling", "OLT[5] | SKIPPING No snmp data for this OLT", "OK:HERD"]
        assert _lines(h.api_text("action=herd&oltid=77")) == [
            "OLT[77] | STARTING: polling", "OLT[77] | SKIPPING Not in OLT devices list", "OK:HERD"]
        with _agent():
            body = h.api_text("action=herd&oltid=3")
        assert body.endswith("OLT[3] | FINISHED: polled successfully\nOK:HERD"), body
        # a second run while the OLT's lock is held elsewhere is skipped
        other = h.db(new=True)
        try:
            with other.cursor() as c:
                c.execute("SELECT GET_LOCK('stardustPID_OLTPOLL_3', 10)")
            body = h.api_text("action=herd&oltid=3")
        finally:
            other.close()
        assert _lines(body)[-2:] == ["OLT[3] | FINISHED: skipped, polling already in progress", "OK:HERD"]


# ------------------------------------------------------------------ ZTE family
# Expected containers below are what Ubilling's own PonZte classes (PHP 8.2)
# wrote when run against these same agents and templates.

ZTE_SUBTREES = [".1.3.6.1.4.1.3902", ".1.3.6.1.4.1.2011", ".1.3.6.1.2.1.31.1.1.1.1"]
ZIP_EPON, ZIP_GPON, HIP = "127.8.10.4", "127.8.10.5", "127.8.10.6"
ZTE_IDENTS = ["00:11:22:33:44:55", "00:11:22:33:44:aa", "00:11:22:33:cc:01", "00:11:22:33:dd:02",
              "ZTEGC0123456", "HWTC001122AB", "ZTEG61626364",
              "485754431A2B3C4D", "48575443000000FF", "5A544547C0FFEE01", "ZTEGAABBCCDD", "ZTEG00000001"]


def _zte_setup(tpl, modelid, oltid, ip, text=None):
    h.exec("DELETE FROM switches")
    h.exec("DELETE FROM switchmodels WHERE id=%s", (modelid,))
    shutil.rmtree(os.path.join(h.root, "exports", "pondata"), ignore_errors=True)
    for ident in ZTE_IDENTS:
        d.rm(_hist(ident))
    d.rm(d.exports("oltpoll.log"))
    for f in glob.glob(d.exports(ip + ":161_*")):
        os.unlink(f)
    tdir = os.path.join(h.root, "config", "snmptemplates")
    os.makedirs(tdir, exist_ok=True)
    d.write(os.path.join(tdir, tpl), text if text is not None else d.read(os.path.join(d.HERE, "templates", tpl)))
    h.exec("INSERT INTO switchmodels (id, modelname, ports, snmptemplate) VALUES (%s, %s, 4, %s)",
           (modelid, tpl, tpl))
    d.add_switch(oltid, ip, desc="OLT", location="Zte", snmp="public", modelid=modelid)


def _zte_agent(ip, rec):
    return d.Agent([ip], os.path.join(d.HERE, rec), ZTE_SUBTREES)


def _hist_levels(ident):
    text = d.read(_hist(ident))
    return None if text is None else [ln.split(",", 1)[1] for ln in text.splitlines()]


ZTE_EPON_SIGNALS = ('a:4:{s:17:"00:11:22:33:44:55";s:6:"-21.50";s:17:"00:11:22:33:44:aa";s:5:"-25.3";'
                    's:17:"00:11:22:33:cc:01";s:7:"Offline";s:17:"00:11:22:33:dd:02";s:6:"-19.00";}')
ZTE_EPON_FDB = ('a:2:{s:17:"00:11:22:33:44:55";a:2:{i:1;a:2:{s:3:"mac";s:17:"00:aa:bb:cc:dd:01";s:4:"vlan";'
                's:3:"100";}i:2;a:2:{s:3:"mac";s:17:"00:aa:bb:cc:dd:02";s:4:"vlan";s:3:"100";}}'
                's:17:"00:11:22:33:dd:02";a:1:{i:3;a:2:{s:3:"mac";s:17:"00:aa:bb:cc:dd:03";s:4:"vlan";s:3:"200";}}}')
ZTE_EPON_ONUINDEX = ('a:4:{i:806355200;s:17:"00:11:22:33:44:55";i:806355456;s:17:"00:11:22:33:44:aa";'
                     'i:806420736;s:17:"00:11:22:33:cc:01";i:806879232;s:17:"00:11:22:33:dd:02";}')
ZTE_EPON_IFACES = ('a:4:{s:17:"00:11:22:33:44:55";s:14:"epon-onu_2/1:1";s:17:"00:11:22:33:44:aa";'
                   's:14:"epon-onu_2/1:2";s:17:"00:11:22:33:cc:01";s:14:"epon-onu_2/2:1";'
                   's:17:"00:11:22:33:dd:02";s:16:"epon-onu_0/3/1:0";}')


def test_oltpoll_zte_epon():
    _zte_setup("ZTE_320", 805, 7, ZIP_EPON)
    with _zte_agent(ZIP_EPON, "zte_epon.snmprec"), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert _lines(body) == [
        "POLLING:7 127.8.10.4 - Zte",
        "OLT[7] | STARTING: polling",
        'OLT[7] | Using device SNMP template "ZTE 320"',
        'OLT[7] | Template mode:"HAL" collector name:"PONZteEpon"',
        'OLT[7] | Polling prepare using PON HAL collector:"PONZteEpon" with parameters OLT ID: 7 IP:127.8.10.4',
        "OLT[7] | RUNNING: PON HAL collector method:PONZteEpon->collect",
        "OLT[7] | COMPLETED: PON HAL collector method:PONZteEpon->collect",
        "OLT[7] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    assert d.read(_pondata("signals", "7_OLTSIGNALS")) == ZTE_EPON_SIGNALS
    assert d.read(_pondata("fdb", "7_OLTFDB")) == ZTE_EPON_FDB
    assert d.read(_pondata("onucache", "7_ONUINDEX")) == ZTE_EPON_ONUINDEX
    assert d.read(_pondata("iface", "7_ONUINTERFACE")) == ZTE_EPON_IFACES
    assert d.read(_pondata("temp", "7_OLTTEMPERATURE")) == "38"
    assert re.fullmatch(r"(\d+ days?, )?\d+:\d\d:\d\d\.\d\d", d.read(_pondata("uptime", "7_OLTUPTIME")))
    # EPON writes neither distances nor a MAC->index map
    assert d.read(_pondata("dist", "7_OLTDISTANCE")) is None
    assert d.read(_pondata("macdev", "7_ONUMACDEVINDEX")) is None
    # offline is the hard-coded -9000 in the ZTE history, whatever PON_ONU_OFFLINE_SIGNAL says
    assert [_hist_levels(m) for m in ZTE_IDENTS[:4]] == [["-21.50"], ["-25.3"], ["-9000"], ["-19.00"]]
    # POLLTYPE default: one walk per ONU, each cached as snmpwalk printed it
    assert d.read(d.exports(ZIP_EPON + ":161_.1.3.6.1.4.1.3902.1015.1010.1.1.1.29.1.5.806420736")) == \
        ".1.3.6.1.4.1.3902.1015.1010.1.1.1.29.1.5.806420736 = No Such Instance currently exists at this OID\n"
    assert d.read(d.exports(ZIP_EPON + ":161_.1.3.6.1.4.1.3902.1015.1010.1.1.1.29.1.5.806355200")) == \
        '.1.3.6.1.4.1.3902.1015.1010.1.1.1.29.1.5.806355200 = STRING: "-21.50"\n'



def _template_set(text, section, key, value):
    """The template text with [section] key set to value (added when absent)."""
    out, cur, done = [], None, False
    for line in text.split("\n"):
        m = re.match(r"^\[(.+)\]$", line.strip())
        if m:
            if cur == section and not done:
                out.append('%s = "%s"' % (key, value))
                done = True
            cur = m.group(1)
        elif cur == section and re.match(r"^\s*%s\s*=" % re.escape(key), line):
            line, done = '%s = "%s"' % (key, value), True
        out.append(line)
    if not done:
        out.append('%s = "%s"' % (key, value) if cur == section else '[%s]\n%s = "%s"' % (section, key, value))
    return "\n".join(out)

def test_oltpoll_zte_epon_legacy_mode_and_unreachable():
    # SIGNALMODE="ZTE" is PonZte->pollEpon; no ALLCARDS answer -> cards CARDOFFSET..20
    text = d.read(os.path.join(d.HERE, "templates", "ZTE_320"))
    text = _template_set(text, "signal", "SIGNALMODE", "ZTE")
    text = _template_set(text, "misc", "ALLCARDS", ".1.3.6.1.4.1.3902.9")
    _zte_setup("ZTE_320", 805, 7, ZIP_EPON, text)
    with _zte_agent(ZIP_EPON, "zte_epon.snmprec"), h.config(alter=PON):
        body = h.api_text("action=herd&oltid=7")
    assert "OLT[7] | RUNNING: PON HAL collector method:PonZte->pollEpon" in _lines(body), body
    assert body.endswith("FINISHED: polled successfully\nOK:HERD")
    assert d.read(_pondata("signals", "7_OLTSIGNALS")) == ZTE_EPON_SIGNALS
    # with every card 1..20 assumed, card 2's table overwrote card 1's ports 9..16
    assert d.read(_pondata("iface", "7_ONUINTERFACE")) == ZTE_EPON_IFACES
    # OLT gone: the signals container is rewritten empty, the others kept
    with h.config(alter=dict(PON, SNMPWALK_PATH='"/usr/bin/snmpwalk -On -v2c -t 0.2 -r 0"')):
        body = h.api_text("action=herd&oltid=7")
    assert body.endswith("FINISHED: polled successfully\nOK:HERD"), body
    assert d.read(_pondata("signals", "7_OLTSIGNALS")) == "a:0:{}"
    assert d.read(_pondata("onucache", "7_ONUINDEX")) == "a:0:{}"


ZTE_GPON_SIGNALS = ('a:3:{s:12:"ZTEGC0123456";d:-21.5;s:12:"HWTC001122AB";s:7:"Offline";'
                    's:12:"ZTEG61626364";d:-23.456;}')


def test_oltpoll_zte_gpon():
    _zte_setup("ZTE_C320_GPON", 806, 8, ZIP_GPON)
    with _zte_agent(ZIP_GPON, "zte_gpon.snmprec"), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert body.endswith("OLT[8] | COMPLETED: PON HAL collector method:PONZteGpon->collect\n"
                         + re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", body.splitlines()[-2]).group(0)
                         + " | OLT[8] | FINISHED: polled successfully\nOK:OLTPOLL"), body
    assert d.read(_pondata("signals", "8_OLTSIGNALS")) == ZTE_GPON_SIGNALS
    assert d.read(_pondata("dist", "8_OLTDISTANCE")) == \
        'a:2:{s:12:"ZTEGC0123456";s:4:"1234";s:12:"ZTEG61626364";s:2:"56";}'
    assert d.read(_pondata("onucache", "8_ONUINDEX")) == (
        'a:3:{s:16:"gpon-onu_1/1/0:1";s:12:"ZTEGC0123456";s:16:"gpon-onu_1/1/0:2";s:12:"HWTC001122AB";'
        's:16:"gpon-onu_1/2/0:1";s:12:"ZTEG61626364";}')
    assert d.read(_pondata("iface", "8_ONUINTERFACE")) == (
        'a:3:{s:12:"ZTEGC0123456";s:16:"gpon-onu_0/1/1:1";s:12:"HWTC001122AB";s:16:"gpon-onu_0/1/1:2";'
        's:12:"ZTEG61626364";s:16:"gpon-onu_0/1/2:1";}')
    # firmware 1.2.5 FDB keys never meet the serial interfaces (as in PHP)
    assert d.read(_pondata("fdb", "8_OLTFDB")) == "a:0:{}"
    assert d.read(_pondata("temp", "8_OLTTEMPERATURE")) == "44"
    assert [_hist_levels(s) for s in ZTE_IDENTS[4:7]] == [["-21.5"], ["-9000"], ["-23.456"]]
    assert d.read(_pondata("macdev", "8_ONUMACDEVINDEX")) is None


def test_oltpoll_zte_gpon_onurx():
    # SIGNALTYPE=ONURX: ONU-side levels, index a.b.c cut to a.b, raw*0.002-30
    _zte_setup("ZTE_C320_GPON_v2_ONURX", 806, 8, ZIP_GPON)
    with _zte_agent(ZIP_GPON, "zte_gpon.snmprec"), h.config(alter=PON):
        assert h.api_text("action=herd&oltid=8").endswith("FINISHED: polled successfully\nOK:HERD")
    # -21.0 became "-21" on its way through str_replace, then an int
    assert d.read(_pondata("signals", "8_OLTSIGNALS")) == \
        'a:3:{s:12:"ZTEGC0123456";i:-21;s:12:"HWTC001122AB";s:7:"Offline";s:12:"ZTEG61626364";d:-81.07;}'
    assert [_hist_levels(s) for s in ZTE_IDENTS[4:7]] == [["-21"], ["-9000"], ["-81.07"]]
    assert d.read(_pondata("dist", "8_OLTDISTANCE")) == \
        'a:2:{s:12:"ZTEGC0123456";s:4:"1234";s:12:"ZTEG61626364";s:2:"56";}'


HUAWEI_SIGNALS = ('a:3:{s:16:"485754431A2B3C4D";d:-21.45;s:16:"48575443000000FF";s:7:"Offline";'
                  's:16:"5A544547C0FFEE01";i:-27;}')
# the ONU without a distance row keeps snmpwalk's text, as in PHP
HUAWEI_DIST = ('a:3:{s:16:"485754431A2B3C4D";s:4:"2150";s:16:"48575443000000FF";'
               's:45:"No Such Instance currently exists at this OID";s:16:"5A544547C0FFEE01";s:2:"75";}')


def test_oltpoll_huawei_gpon():
    _zte_setup("Huawei-MA-Gpon", 807, 9, HIP)
    with _zte_agent(HIP, "huawei_gpon.snmprec"), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert "OLT[9] | COMPLETED: PON HAL collector method:PONHuaweiGpon->collect" in _lines(body), body
    assert d.read(_pondata("signals", "9_OLTSIGNALS")) == HUAWEI_SIGNALS
    assert d.read(_pondata("dist", "9_OLTDISTANCE")) == HUAWEI_DIST
    assert [_hist_levels(s) for s in ZTE_IDENTS[7:10]] == [["-21.45"], ["-9000"], ["-27"]]
    # the stock template keeps INTERFACENAME under [onu_reg]: no interfaces;
    # Huawei writes no FDB, ONU cache, uptime or temperature at all
    for sub, name in (("iface", "9_ONUINTERFACE"), ("fdb", "9_OLTFDB"), ("onucache", "9_ONUINDEX"),
                      ("uptime", "9_OLTUPTIME"), ("temp", "9_OLTTEMPERATURE")):
        assert d.read(_pondata(sub, name)) is None, name
    # one walk per ONU (no POLLTYPE): the cache file of each
    assert d.read(d.exports(HIP + ":161_.1.3.6.1.4.1.2011.6.128.1.1.2.51.1.4.4194304512.5")) == \
        ".1.3.6.1.4.1.2011.6.128.1.1.2.51.1.4.4194304512.5 = INTEGER: -2700\n"


def test_oltpoll_huawei_gpon_interfaces_legacy_mode():
    text = d.read(os.path.join(d.HERE, "templates", "Huawei-MA-Gpon"))
    text = _template_set(text, "signal", "SIGNALMODE", "HUAWEI_GPON")
    text = _template_set(text, "misc", "INTERFACENAME", ".1.3.6.1.2.1.31.1.1.1.1")
    _zte_setup("Huawei-MA-Gpon", 807, 9, HIP, text)
    with _zte_agent(HIP, "huawei_gpon.snmprec"), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert "OLT[9] | COMPLETED: PON HAL collector method:PonZte->huaweiPollGpon" in _lines(body), body
    assert d.read(_pondata("signals", "9_OLTSIGNALS")) == HUAWEI_SIGNALS
    # ifName keeps its quotes (PHP only strips "STRING:")
    assert d.read(_pondata("iface", "9_ONUINTERFACE")) == (
        'a:3:{s:16:"485754431A2B3C4D";s:14:""GPON 0/1/0":0";s:16:"48575443000000FF";s:14:""GPON 0/1/0":1";'
        's:16:"5A544547C0FFEE01";s:14:""GPON 0/1/1":5";}')


def test_oltpoll_zte_c600_gpon():
    _zte_setup("ZTE_C600_GPON", 808, 10, "127.8.10.7")
    with _zte_agent("127.8.10.7", "zte_c600.snmprec"), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert d.read(_pondata("signals", "10_OLTSIGNALS")) == \
        'a:2:{s:12:"ZTEGAABBCCDD";i:-19;s:12:"ZTEG00000001";s:7:"Offline";}'
    assert d.read(_pondata("dist", "10_OLTDISTANCE")) == 'a:1:{s:12:"ZTEGAABBCCDD";s:3:"800";}'
    # C6xx: the ONU cache keeps the raw index, the FDB decodes vport + ONU number
    assert d.read(_pondata("onucache", "10_ONUINDEX")) == \
        'a:2:{s:11:"285278465.1";s:12:"ZTEGAABBCCDD";s:11:"285278465.2";s:12:"ZTEG00000001";}'
    assert d.read(_pondata("iface", "10_ONUINTERFACE")) == \
        'a:2:{s:12:"ZTEGAABBCCDD";s:16:"gpon-onu_1/1/1:1";s:12:"ZTEG00000001";s:16:"gpon-onu_1/1/1:2";}'
    assert d.read(_pondata("fdb", "10_OLTFDB")) == \
        'a:1:{s:12:"ZTEGAABBCCDD";a:1:{i:1;a:2:{s:3:"mac";s:17:"00:aa:bb:cc:dd:07";s:4:"vlan";s:3:"100";}}}'
    assert d.read(_pondata("temp", "10_OLTTEMPERATURE")) == "47"
    # an uptime answer without "(...)": the piece is missing, and
    # OLTAttractor::writeUptime skips an empty() value, so no container
    assert d.read(_pondata("uptime", "10_OLTUPTIME")) is None


# ------------------------------------------------------------------ V-SOL (PONVsol)
# Expected containers follow PONVsol's rules applied to vsol.snmprec by hand:
# ident = the MAC string as served, index = "<port>.<llid>", RX power from
# the "(... dBm)" part of column 7, FDB LLIDs matched with PHP's loose ==
# ("2.1" == "2.10"), the row of the ONU's own MAC skipped but counted.

VIP = "127.8.11.3"
VSOL_SUBTREES = [".1.3.6.1.4.1.37950"]
VSOL_IDENTS = ["00:11:22:33:44:55", "00:11:22:33:44:AA", "00:11:22:33:cc:01", "00:11:22:33:dd:02"]


def _ser(v):
    """PHP serialize() of str / int / dict (keys as PHP would store them)."""
    if isinstance(v, int):
        return "i:%d;" % v
    if isinstance(v, str):
        return 's:%d:"%s";' % (len(v.encode()), v)
    out = "a:%d:{" % len(v)
    for k, x in v.items():
        out += (_ser(k) if isinstance(k, int) else _ser(str(k))) + _ser(x)
    return out + "}"


def _vsol_setup(tpl, desc="OLT"):
    _zte_setup(tpl, 811, 11, VIP)
    h.exec("UPDATE switches SET `desc`=%s, location='Vsol' WHERE id=11", (desc,))
    for ident in VSOL_IDENTS:
        d.rm(_hist(ident))


VSOL_COMMON = {
    ("signals", "OLTSIGNALS"): _ser({"00:11:22:33:44:55": "-16.99", "00:11:22:33:dd:02": "-20.5"}),
    ("onucache", "ONUINDEX"): _ser({"1.1": "00:11:22:33:44:55", "1.2": "00:11:22:33:44:AA",
                                   "2.1": "00:11:22:33:cc:01", "2.10": "00:11:22:33:dd:02"}),
    ("macdev", "ONUMACDEVINDEX"): _ser({"00:11:22:33:44:55": "1.1", "00:11:22:33:44:AA": "1.2",
                                       "00:11:22:33:cc:01": "2.1", "00:11:22:33:dd:02": "2.10"}),
    ("dist", "OLTDISTANCE"): _ser({"00:11:22:33:44:55": "120", "00:11:22:33:44:AA": "0",
                                  "00:11:22:33:dd:02": "3500"}),
    ("iface", "ONUINTERFACE"): _ser({"00:11:22:33:44:55": "EPON0/1 / 1:1", "00:11:22:33:44:AA": "EPON0/1 / 1:2",
                                    "00:11:22:33:cc:01": "EPON0/2 / 2:1", "00:11:22:33:dd:02": "EPON0/2 / 2:10"}),
    # PHP strips every blank of the row, the description's too
    ("iface", "OLTINTERFACEDESCR"): _ser({"EPON0/1 / 1": "StreetA", "EPON0/2 / 2": ""}),
    ("dereg", "ONUDEREGS"): _ser({"00:11:22:33:44:55": '<font color="#FF4400">Power off</font >',
                                 "00:11:22:33:44:AA": '<font color="#F80000">Wire down</font >',
                                 "00:11:22:33:cc:01": '<font color="#000000">Unknown</font >'}),
}


def _fdb(mac, vlan):
    return {"mac": mac, "vlan": vlan}


def test_oltpoll_vsol():
    _vsol_setup("V_SOL_V1600D")
    with d.Agent([VIP], os.path.join(d.HERE, "vsol.snmprec"), VSOL_SUBTREES), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert _lines(body) == [
        "POLLING:11 127.8.11.3 - Vsol",
        "OLT[11] | STARTING: polling",
        'OLT[11] | Using device SNMP template "V-Solution OLT V1600D"',
        'OLT[11] | Template mode:"HAL" collector name:"PONVsol"',
        'OLT[11] | Polling prepare using PON HAL collector:"PONVsol" with parameters OLT ID: 11 IP:127.8.11.3',
        "OLT[11] | RUNNING: PON HAL collector method:PONVsol->collect",
        "OLT[11] | COMPLETED: PON HAL collector method:PONVsol->collect",
        "OLT[11] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    for (sub, ext), want in VSOL_COMMON.items():
        assert d.read(_pondata(sub, "11_" + ext)) == want, (sub, ext, d.read(_pondata(sub, "11_" + ext)))
    assert d.read(_pondata("fdb", "11_OLTFDB")) == _ser({
        "00:11:22:33:44:55": {1: _fdb("00:aa:bb:cc:dd:01", "100"), 2: _fdb("00:aa:bb:cc:dd:02", "")},
        "00:11:22:33:cc:01": {0: _fdb("00:aa:bb:cc:dd:03", "200")},
        "00:11:22:33:dd:02": {0: _fdb("00:aa:bb:cc:dd:03", "200")}})
    assert d.read(_pondata("temp", "11_OLTTEMPERATURE")) == "41"
    assert re.fullmatch(r"(\d+ days?, )?\d+:\d\d:\d\d\.\d\d", d.read(_pondata("uptime", "11_OLTUPTIME")))
    # ONUs with an optics row get history; no RX dBm -> the offline level
    assert [_hist_levels(m) for m in VSOL_IDENTS] == [["-16.99"], ["-9000"], ["-9000"], ["-20.5"]]
    assert json.loads(d.read(_pondata("races", "PONYRUN_11")))["finished"] == 1


def test_oltpoll_vsol_l_series_offline_level():
    _vsol_setup("V_SOL_V1600D_L")
    with d.Agent([VIP], os.path.join(d.HERE, "vsol.snmprec"), VSOL_SUBTREES), \
            h.config(alter=dict(PON, PON_ONU_OFFLINE_SIGNAL="-77")):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    for (sub, ext), want in VSOL_COMMON.items():
        assert d.read(_pondata(sub, "11_" + ext)) == want, (sub, ext)
    # V1600D_L: FDB rows by position; a position without a MAC row keeps ""
    assert d.read(_pondata("fdb", "11_OLTFDB")) == _ser({
        "00:11:22:33:44:55": {0: _fdb("00:aa:bb:cc:dd:11", "10"), 1: _fdb("", "30")},
        "00:11:22:33:44:AA": {0: _fdb("00:aa:bb:cc:dd:12", "20")}})
    assert [_hist_levels(m) for m in VSOL_IDENTS] == [["-16.99"], ["-77"], ["-77"], ["-20.5"]]


def test_oltpoll_vsol_nofdb_and_no_onus():
    _vsol_setup("V_SOL_V1600D", desc="OLT NOFDBQUERY")
    with d.Agent([VIP], os.path.join(d.HERE, "vsol.snmprec"), VSOL_SUBTREES), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert d.read(_pondata("fdb", "11_OLTFDB")) is None
    assert d.read(_pondata("signals", "11_OLTSIGNALS")) == VSOL_COMMON[("signals", "OLTSIGNALS")]
    # an agent without the vendor tree: snmpwalk's "No Such Object" line has
    # an index and a value, so PHP's parser takes it for an ONU, and so do we
    _vsol_setup("V_SOL_V1600D")
    with d.Agent([VIP]), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    oid, nso = ".1.3.6.1.4.1.37950.1.1.5.12.1.25.1.5", "No Such Object available on this agent at this OID"
    assert d.read(_pondata("onucache", "11_ONUINDEX")) == _ser({oid: nso})
    assert d.read(_pondata("iface", "11_ONUINTERFACE")) == _ser({nso: oid.replace(".", ":")})
    assert d.read(_pondata("signals", "11_OLTSIGNALS")) == "a:0:{}"
    assert d.read(_pondata("fdb", "11_OLTFDB")) == "a:0:{}"
    # an OLT that does not answer at all: no MAC rows, nothing written
    _vsol_setup("V_SOL_V1600D")
    with h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert glob.glob(os.path.join(h.root, "exports", "pondata", "*", "11_*")) == []
    assert json.loads(d.read(_pondata("races", "PONYRUN_11")))["finished"] == 1

# ------------------------------------------------------------------ GCOM (PONGCOMEL5610 / PONGCOMGL5610)
# Expected containers follow the GCOM collectors' rules applied to
# gcom.snmprec by hand: signals rounded to 2 places (PHP floats), ifIndex 9 =
# PON port 1, FDB entries keyed by the index's first 3 and last characters.

GIP = "127.8.11.4"
GCOM_SUBTREES = [".1.3.6.1.4.1.13464", ".1.3.6.1.2.1.2.2.1.2"]
GCOM_IDENTS = ["00:11:22:33:44:55", "00:11:22:33:44:aa", "00:11:22:33:cc:01", "GCOM1234ABCD", "GCOM0000FFFF"]
WIRE, POWER, UNKNOWN = ('<font color="#F80000">Wire down</font >', '<font color="#FF4400">Power off</font >',
                        '<font color="#000000">Unknown</font >')


def _gcom_setup(tpl, desc="OLT"):
    _zte_setup(tpl, 812, 12, GIP)
    h.exec("UPDATE switches SET `desc`=%s, location='Gcom' WHERE id=12", (desc,))
    for ident in GCOM_IDENTS:
        d.rm(_hist(ident))


def _gcom_agent():
    return d.Agent([GIP], os.path.join(d.HERE, "gcom.snmprec"), GCOM_SUBTREES)


def test_oltpoll_gcom_epon():
    _gcom_setup("GCOM_EL5610_EPON")
    with _gcom_agent(), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert _lines(body)[4:] == [
        'OLT[12] | Polling prepare using PON HAL collector:"PONGCOMEL5610" with parameters OLT ID: 12 IP:127.8.11.4',
        "OLT[12] | RUNNING: PON HAL collector method:PONGCOMEL5610->collect",
        "OLT[12] | COMPLETED: PON HAL collector method:PONGCOMEL5610->collect",
        "OLT[12] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    m1, m2, m3 = GCOM_IDENTS[:3]
    assert d.read(_pondata("signals", "12_OLTSIGNALS")) == \
        'a:2:{s:17:"00:11:22:33:44:55";d:-21.46;s:17:"00:11:22:33:44:aa";d:0;}'
    assert d.read(_pondata("onucache", "12_ONUINDEX")) == _ser({"1.1": m1, "1.2": m2, "2.1": m3})
    assert d.read(_pondata("macdev", "12_ONUMACDEVINDEX")) == _ser({m1: "1.1", m2: "1.2", m3: "2.1"})
    assert d.read(_pondata("dist", "12_OLTDISTANCE")) == _ser({m1: "1500", m3: "20"})
    assert d.read(_pondata("iface", "12_ONUINTERFACE")) == \
        _ser({m1: "EPON0/1 / 1:1", m2: "EPON0/1 / 1:2", m3: "EPON0/2 / 2:1"})
    assert d.read(_pondata("iface", "12_OLTINTERFACEDESCR")) == "a:0:{}"
    assert d.read(_pondata("dereg", "12_ONUDEREGS")) == _ser({m1: POWER, m2: WIRE, m3: UNKNOWN})
    assert d.read(_pondata("fdb", "12_OLTFDB")) == _ser({
        m1: {1: _fdb("00:aa:bb:cc:dd:01", "100"), 2: _fdb("00:aa:bb:cc:dd:02", "")},
        m3: {1: _fdb("00:aa:bb:cc:dd:03", "200")}})
    assert d.read(_pondata("unioperstats", "12_UNIOPERSTATS")) == _ser({m1: {"eth2": "2"}, m3: {"eth1": "1"}})
    assert re.fullmatch(r"(\d+ days?, )?\d+:\d\d:\d\d\.\d\d", d.read(_pondata("uptime", "12_OLTUPTIME")))
    assert d.read(_pondata("temp", "12_OLTTEMPERATURE")) is None
    assert [_hist_levels(m) for m in GCOM_IDENTS[:3]] == [["-21.46"], ["-9000"], ["-9000"]]


def test_oltpoll_gcom_gpon_nofdb():
    _gcom_setup("GCOM_GL5610_GPON")
    with _gcom_agent(), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    a, b = GCOM_IDENTS[3:]
    # SERIAL_CASE_MODE 2 upper-cases the serials
    assert d.read(_pondata("signals", "12_OLTSIGNALS")) == \
        'a:2:{s:12:"GCOM1234ABCD";d:-18.5;s:12:"GCOM0000FFFF";d:-27.33;}'
    assert d.read(_pondata("onucache", "12_ONUINDEX")) == _ser({"1.1": a, "1.2": b})
    assert d.read(_pondata("dist", "12_OLTDISTANCE")) == _ser({a: "900"})
    # ifDescr rows keep their OID ("0." chassis part not found): no port names
    assert d.read(_pondata("iface", "12_ONUINTERFACE")) == _ser({a: "1:1", b: "1:2"})
    assert d.read(_pondata("iface", "12_OLTINTERFACEDESCR")) == "a:0:{}"
    assert d.read(_pondata("dereg", "12_ONUDEREGS")) == _ser({a: POWER, b: WIRE})
    assert d.read(_pondata("fdb", "12_OLTFDB")) == _ser({a: {5: _fdb("00:aa:bb:cc:dd:05", "300")}})
    assert d.read(_pondata("unioperstats", "12_UNIOPERSTATS")) == _ser({a: {"eth1": "1"}})
    assert [_hist_levels(m) for m in (a, b)] == [["-18.5"], ["-27.33"]]
    # NOFDBQUERY: no FDB container
    _gcom_setup("GCOM_GL5610_GPON", desc="OLT NOFDBQUERY")
    with _gcom_agent(), h.config(alter=PON):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert d.read(_pondata("fdb", "12_OLTFDB")) is None
    assert d.read(_pondata("dereg", "12_ONUDEREGS")) == _ser({a: POWER, b: WIRE})

# ------------------------------------------------------------------ Stels FD11xx (PONStels11)
# Expected containers follow PONStels11's rules applied to stels.snmprec by
# hand: ONU key "<port>:<index>", RX = round(10*log10(raw) - OFFSET, 2),
# DOWNVALUE or an empty()/"0" raw value -> Offline, FDB LLIDs matched per
# port, the ONU's own MAC skipped, a VLAN of "0" kept as "".

SIP = "127.8.12.3"
STELS_SUBTREES = [".1.3.6.1.4.1.34592"]
STELS_IDENTS = ["00:11:22:33:44:55", "00:11:22:33:44:aa", "00:11:22:33:cc:01", "00:11:22:33:dd:02"]


def _stels_setup(desc="OLT", text=None):
    _zte_setup("STELS_FD1XX_TEST", 813, 13, SIP, text)
    h.exec("UPDATE switches SET `desc`=%s, location='Stels' WHERE id=13", (desc,))
    for ident in STELS_IDENTS:
        d.rm(_hist(ident))


def _stels_agent():
    return d.Agent([SIP], os.path.join(d.HERE, "stels.snmprec"), STELS_SUBTREES)


def _stels_common():
    m1, m2, m3, m4 = STELS_IDENTS
    return {
        ("signals", "OLTSIGNALS"): ('a:4:{s:17:"00:11:22:33:44:55";d:-20;s:17:"00:11:22:33:44:aa";s:7:"Offline";'
                                   's:17:"00:11:22:33:cc:01";s:7:"Offline";s:17:"00:11:22:33:dd:02";d:-23.01;}'),
        ("onucache", "ONUINDEX"): _ser({"1:1": m1, "1:2": m2, "2:1": m3, "2:10": m4}),
        ("macdev", "ONUMACDEVINDEX"): _ser({m1: "1:1", m2: "1:2", m3: "2:1", m4: "2:10"}),
        ("iface", "ONUINTERFACE"): _ser({m1: "pon0/0/1:1", m2: "pon0/0/1:2", m3: "pon0/0/2:1", m4: "pon0/0/2:10"}),
        ("dist", "OLTDISTANCE"): _ser({m1: "1200", m4: "35"}),
        ("dereg", "ONUDEREGS"): _ser({m1: "power off", m3: "wire down"}),
    }


def test_oltpoll_stels11():
    _stels_setup()
    with _stels_agent(), h.config(alter=PON):
        body = h.api_text("action=oltpoll")
    assert _lines(body) == [
        "POLLING:13 127.8.12.3 - Stels",
        "OLT[13] | STARTING: polling",
        'OLT[13] | Using device SNMP template "Stels FD11XX test OLT"',
        'OLT[13] | Template mode:"HAL" collector name:"PONStels11"',
        'OLT[13] | Polling prepare using PON HAL collector:"PONStels11" with parameters OLT ID: 13 IP:127.8.12.3',
        "OLT[13] | RUNNING: PON HAL collector method:PONStels11->collect",
        "OLT[13] | COMPLETED: PON HAL collector method:PONStels11->collect",
        "OLT[13] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    for (sub, ext), want in _stels_common().items():
        assert d.read(_pondata(sub, "13_" + ext)) == want, (sub, ext, d.read(_pondata(sub, "13_" + ext)))
    m1, m2, m3, m4 = STELS_IDENTS
    assert d.read(_pondata("fdb", "13_OLTFDB")) == _ser({
        m1: {1: _fdb("00:aa:bb:cc:dd:01", "100"), 2: _fdb("00:aa:bb:cc:dd:02", "")},
        m2: {},
        m4: {4: _fdb("00:aa:bb:cc:dd:03", "200")}})
    assert d.read(_pondata("temp", "13_OLTTEMPERATURE")) == "38"
    assert re.fullmatch(r"(\d+ days?, )?\d+:\d\d:\d\d\.\d\d", d.read(_pondata("uptime", "13_OLTUPTIME")))
    assert d.read(_pondata("iface", "13_OLTINTERFACEDESCR")) is None
    assert [_hist_levels(m) for m in STELS_IDENTS] == [["-20"], ["-9000"], ["-9000"], ["-23.01"]]
    assert json.loads(d.read(_pondata("races", "PONYRUN_13")))["finished"] == 1


def test_oltpoll_stels11_legacy_mode_nofdb_and_unreachable():
    # SIGNALMODE="STELSFD" is PONStels11->collect; NOFDBQUERY: no FDB walk
    text = _template_set(d.read(os.path.join(d.HERE, "templates", "STELS_FD1XX_TEST")),
                         "signal", "SIGNALMODE", "STELSFD")
    _stels_setup(desc="OLT NOFDBQUERY", text=text)
    with _stels_agent(), h.config(alter=dict(PON, PON_ONU_OFFLINE_SIGNAL="-77")):
        body = h.api_text("action=herd&oltid=13")
    assert "OLT[13] | RUNNING: PON HAL collector method:PONStels11->collect" in _lines(body), body
    assert body.endswith("FINISHED: polled successfully\nOK:HERD"), body
    for (sub, ext), want in _stels_common().items():
        assert d.read(_pondata(sub, "13_" + ext)) == want, (sub, ext)
    assert d.read(_pondata("fdb", "13_OLTFDB")) is None
    assert [_hist_levels(m) for m in STELS_IDENTS] == [["-20"], ["-77"], ["-77"], ["-23.01"]]
    # an OLT that does not answer: no ONU rows, only the FDB container (PHP
    # writes it unconditionally) is rewritten empty
    _stels_setup()
    with h.config(alter=dict(PON, SNMPWALK_PATH='"/usr/bin/snmpwalk -On -v2c -t 0.2 -r 0"')):
        assert h.api_text("action=oltpoll").endswith("FINISHED: polled successfully\nOK:OLTPOLL")
    assert sorted(os.path.relpath(p, os.path.join(h.root, "exports", "pondata"))
                  for p in glob.glob(os.path.join(h.root, "exports", "pondata", "*", "13_*"))) == ["fdb/13_OLTFDB"]
    assert d.read(_pondata("fdb", "13_OLTFDB")) == "a:0:{}"

# ------------------------------------------------------------------ BDCOM GP3608 (PONBdcomGP)
# Expected containers follow PONBdcomGP's rules applied to bdcomgp.snmprec by
# hand: ident = serial (SERIAL_CASE_MODE for signals / MAC index /
# interfaces, always lower-case for the ONU index, distances, deregs, UNI),
# RX / OFFSET (an int when exact), distance "<m>.<dm>", FDB entries numbered
# by the MAC's last byte.

BGIP = "127.8.12.4"
BDCOMGP_SUBTREES = [".1.3.6.1.4.1.3320", ".1.3.6.1.2.1.2.2.1.2", ".1.3.6.1.2.1.2.2.1.8", ".1.3.6.1.2.1.17.7.1.2.2"]
BDCOMGP_SERIALS = ["gpon00000001", "gpon00000002", "gpon000000ab", "gpon00000023"]


def _bdcomgp_setup(desc="OLT", text=None):
    _zte_setup("BDCOM_GP3608_TEST", 814, 14, BGIP, text)
    h.exec("UPDATE switches SET `desc`=%s, location='Gp' WHERE id=14", (desc,))
    for ident in BDCOMGP_SERIALS + [x.upper() for x in BDCOMGP_SERIALS]:
        d.rm(_hist(ident))


def _bdcomgp_agent():
    return d.Agent([BGIP], os.path.join(d.HERE, "bdcomgp.snmprec"), BDCOMGP_SUBTREES)


def _bdcomgp_lower_common():
    s1, s2, s3, s4 = BDCOMGP_SERIALS
    return {
        ("onucache", "ONUINDEX"): _ser({20: s1, 21: s2, 22: s3, 23: s4}),
        ("dist", "OLTDISTANCE"): _ser({s1: "1234.5", s2: 0, s3: ".7"}),
        ("dereg", "ONUDEREGS"): _ser({s1: '<font color="#6500FF">Power off</font >',
                                     s2: '<font color="#F80000">Wire down</font >',
                                     s3: '<font color="#000000">Unknown reason</font >'}),
        ("iface", "OLTINTERFACEDESCR"): "a:0:{}",
    }


def test_oltpoll_bdcomgp():
    _bdcomgp_setup()
    with _bdcomgp_agent(), h.config(alter=dict(PON, PON_ONU_UNI_STATUS_ENABLED="1")):
        body = h.api_text("action=oltpoll")
    assert _lines(body) == [
        "POLLING:14 127.8.12.4 - Gp",
        "OLT[14] | STARTING: polling",
        'OLT[14] | Using device SNMP template "BDCOM GP3608 test OLT"',
        'OLT[14] | Template mode:"HAL" collector name:"PONBdcomGP"',
        'OLT[14] | Polling prepare using PON HAL collector:"PONBdcomGP" with parameters OLT ID: 14 IP:127.8.12.4',
        "OLT[14] | RUNNING: PON HAL collector method:PONBdcomGP->collect",
        "OLT[14] | COMPLETED: PON HAL collector method:PONBdcomGP->collect",
        "OLT[14] | FINISHED: polled successfully",
        "OK:OLTPOLL"], body
    s1, s2, s3, s4 = BDCOMGP_SERIALS
    want = dict(_bdcomgp_lower_common())
    want[("signals", "OLTSIGNALS")] = ('a:4:{s:12:"gpon00000001";d:-21.5;s:12:"gpon00000002";s:7:"Offline";'
                                      's:12:"gpon000000ab";i:-20;s:12:"gpon00000023";s:4:"Fail";}')
    want[("macdev", "ONUMACDEVINDEX")] = _ser({s1: 20, s2: 21, s3: 22, s4: 23})
    # snmpwalk quotes these names and PONBdcomGP keeps the quotes
    want[("iface", "ONUINTERFACE")] = _ser({s1: '"GPON0/1:1"', s2: '"GPON0/1:2"', s3: '"GPON0/2:1"',
                                           s4: '"GPON0/2:2"'})
    want[("unioperstats", "UNIOPERSTATS")] = _ser({s1: {"eth1": 1}, s2: {"eth1": 0}, s3: {"eth1": 1}})
    want[("fdb", "OLTFDB")] = _ser({
        s1: {1: _fdb("00:aa:bb:cc:dd:01", "100"), 2: _fdb("00:aa:bb:cc:dd:02", "100")},
        s3: {3: _fdb("00:aa:bb:cc:dd:03", "200")}})
    for (sub, ext), w in want.items():
        assert d.read(_pondata(sub, "14_" + ext)) == w, (sub, ext, d.read(_pondata(sub, "14_" + ext)))
    assert d.read(_pondata("temp", "14_OLTTEMPERATURE")) == "45"
    assert re.fullmatch(r"(\d+ days?, )?\d+:\d\d:\d\d\.\d\d", d.read(_pondata("uptime", "14_OLTUPTIME")))
    assert [_hist_levels(m) for m in BDCOMGP_SERIALS] == [["-21.5"], ["-9000"], ["-20"], ["Fail"]]
    assert json.loads(d.read(_pondata("races", "PONYRUN_14")))["finished"] == 1


def test_oltpoll_bdcomgp_legacy_mode_case_nofdb():
    # SIGNALMODE="GPBDCOM" is PONBdcomGP->collect; SERIAL_CASE_MODE 2
    # upper-cases only the MAC-index idents; UNI status off: no container
    text = d.read(os.path.join(d.HERE, "templates", "BDCOM_GP3608_TEST"))
    text = _template_set(text, "signal", "SIGNALMODE", "GPBDCOM")
    text = _template_set(text, "misc", "SERIAL_CASE_MODE", "2")
    _bdcomgp_setup(desc="OLT NOFDBQUERY", text=text)
    with _bdcomgp_agent(), h.config(alter=dict(PON, PON_ONU_OFFLINE_SIGNAL="-77")):
        body = h.api_text("action=herd&oltid=14")
    assert "OLT[14] | RUNNING: PON HAL collector method:PONBdcomGP->collect" in _lines(body), body
    assert body.endswith("FINISHED: polled successfully\nOK:HERD"), body
    S1, S2, S3, S4 = [x.upper() for x in BDCOMGP_SERIALS]
    for (sub, ext), w in _bdcomgp_lower_common().items():
        assert d.read(_pondata(sub, "14_" + ext)) == w, (sub, ext)
    assert d.read(_pondata("signals", "14_OLTSIGNALS")) == \
        ('a:4:{s:12:"GPON00000001";d:-21.5;s:12:"GPON00000002";s:7:"Offline";'
         's:12:"GPON000000AB";i:-20;s:12:"GPON00000023";s:4:"Fail";}')
    assert d.read(_pondata("macdev", "14_ONUMACDEVINDEX")) == _ser({S1: 20, S2: 21, S3: 22, S4: 23})
    assert d.read(_pondata("iface", "14_ONUINTERFACE")) == \
        _ser({S1: '"GPON0/1:1"', S2: '"GPON0/1:2"', S3: '"GPON0/2:1"', S4: '"GPON0/2:2"'})
    assert d.read(_pondata("fdb", "14_OLTFDB")) is None
    assert d.read(_pondata("unioperstats", "14_UNIOPERSTATS")) is None
    assert [_hist_levels(m) for m in (S1, S2, S3, S4)] == [["-21.5"], ["-77"], ["-20"], ["Fail"]]


if __name__ == "__main__":
    h.main(globals())
