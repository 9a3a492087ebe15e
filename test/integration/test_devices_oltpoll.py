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
    _clean(lambda t: t.replace('DISTINDEX=".1.3.6.1.4.1.3320.101.11.1.1.7"', 'DISTINDEX=""'))
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
    d.write(priv, d.read(os.path.join(d.HERE, "templates", TPL)).replace('DOWNVALUE="2147483648"',
                                                                         'DOWNVALUE="-234"'))
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
    d.write(os.path.join(tdir, "ZTE_TEST"), '[define]\nDEVICE="ZTE C320"\n[signal]\nSIGNALMODE="ZTE"\n')
    with _agent(), h.config(alter=dict(PON, HERD_OF_PONIES="1")):
        body = h.api_text("action=oltpoll")
    # herd children never printed their lines
    assert body == "POLLING:3 127.8.0.3 - Hub\nPOLLING:4 127.8.0.4 - Z\nOK:OLTPOLL"
    log = _lines(d.read(d.exports("oltpoll.log")))
    assert "OLT[4] | FATAL run PON HAL collector:PonZte EX_HAL_COLLECTOR_NOT_EXISTS" in log
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


if __name__ == "__main__":
    h.main(globals())
