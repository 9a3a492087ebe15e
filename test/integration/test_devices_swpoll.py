"""swpoll and horde against a real snmpd on 127.8.0.2:161 (spec §2.3):
raw cache files byte for byte equal to net-snmp's own snmpwalk -On output,
FDB caches, SNMPCACHE_TIME reuse, SETOIDS, the busy lock."""

import glob
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "snmp"))

import harness as h  # noqa: E402
import devtest as d  # noqa: E402

IP = "127.8.0.2"
TPL = "Dlink-DES-3200-28"
SUBTREES = [".1.3.6.1.2.1.17", ".1.3.6.1.2.1.31.1.1.1.18", ".1.3.6.1.4.1.171", ".1.0.8802"]
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")


def _clean():
    h.exec("DELETE FROM switches")
    h.exec("DELETE FROM switchmodels WHERE id IN (801, 802)")
    h.exec("DELETE FROM ubstorage WHERE `key`='SWDEAD'")
    for f in glob.glob(d.exports("127.8.*")) + glob.glob(d.exports("HORDE_127.8.*")):
        os.unlink(f)
    d.rm(d.exports("swpolldata.log"))
    tdir = os.path.join(h.root, "config", "snmptemplates")
    os.makedirs(tdir, exist_ok=True)
    shutil.copy(os.path.join(d.HERE, "templates", TPL), os.path.join(tdir, TPL))
    h.exec("INSERT INTO switchmodels (id, modelname, ports, snmptemplate) VALUES (801, 'DES-3200', 28, %s)", (TPL,))
    h.exec("INSERT INTO switchmodels (id, modelname, ports, snmptemplate) VALUES (802, 'no template', 8, '')")


def _agent():
    return d.Agent([IP], os.path.join(d.HERE, "dlink.snmprec"), SUBTREES)


def _strip_dates(text):
    return [LINE.sub("", ln) for ln in text.splitlines()]


def test_swpoll_no_devices():
    _clean()
    d.add_switch(1, IP, desc="core", snmp="public", modelid=801)  # no SWPOLL tag
    d.add_switch(2, "127.8.0.3", desc="SWPOLL", snmp="", modelid=801)  # no community
    assert h.api_text("action=swpoll") == "ERROR:SWPOLL_NODEVICES"
    assert d.read(d.exports("swpolldata.log")) is None


def test_swpoll_polls_into_raw_cache():
    _clean()
    d.add_switch(5, IP, desc="SWPOLL", snmp="public", modelid=801)
    d.add_switch(6, "127.8.0.3", desc="swpoll lower case", snmp="public", modelid=802)
    with _agent(), h.config(alter={"SWITCHES_SNMP_MAC_EXORCISM": "1"}):
        body = h.api_text("action=swpoll")
        assert _strip_dates(body) == [IP + " [OK]", "127.8.0.3 [FAIL] NO TEMPLATE", "OK:SWPOLL"], body
        for oid in (".1.3.6.1.2.1.2.2.1.8.1", ".1.3.6.1.2.1.2.2.1.8.99", ".1.3.6.1.2.1.31.1.1.1.18.1",
                    ".1.3.6.1.2.1.31.1.1.1.18.2", ".1.3.6.1.4.1.171.12.1.1.6.3.0",
                    ".1.3.6.1.2.1.17.7.1.2.2.1.2"):
            want = d.snmpwalk(IP, oid)
            assert want, oid
            assert d.read(d.exports(IP + "_" + oid)) == want, oid
    assert d.read(d.exports(IP + "_.1.3.6.1.2.1.2.2.1.8.1")) == ".1.3.6.1.2.1.2.2.1.8.1 = INTEGER: 1\n"
    assert d.read(d.exports(IP + "_.1.3.6.1.2.1.31.1.1.1.18.1")) == \
        '.1.3.6.1.2.1.31.1.1.1.18.1 = STRING: "uplink \\"core\\""\n'
    # dlp: FDB id dropped, port 0 dropped, ports 25..28 ignored
    assert d.read(d.exports(IP + "_fdb")) == \
        'a:2:{s:17:"00:11:22:33:44:55";s:1:"5";s:17:"aa:bb:cc:dd:ee:ff";s:1:"7";}'
    assert d.read(d.exports(IP + "_MAC")) == "00:1a:2b:3c:4d:5e"
    # cable diagnostics are never walked, sections without OIDS neither
    assert d.read(d.exports(IP + "_.1.3.6.1.4.1.171.12.58.1.1.1.12")) is None
    assert d.read(d.exports(IP + "_")) is None
    horde = d.read(d.exports("HORDE_" + IP))
    m = re.fullmatch(r'a:2:\{s:5:"start";i:(\d+);s:3:"end";i:(\d+);\}', horde)
    assert m and int(m.group(1)) <= int(m.group(2))
    log = _strip_dates(d.read(d.exports("swpolldata.log")))
    assert log == ["[SWPOLLSTART]", IP + " [OK]", "127.8.0.3 [FAIL] NO TEMPLATE", "[SWPOLLFINISHED]"]


def test_swpoll_dead_switch_skipped():
    _clean()
    d.add_switch(5, IP, desc="SWPOLL", snmp="public", modelid=801)
    h.exec("INSERT INTO ubstorage (`key`, value) VALUES ('SWDEAD', %s)", ('a:1:{s:9:"127.8.0.2";s:1:"x";}',))
    body = h.api_text("action=swpoll")
    assert _strip_dates(body) == [IP + " [SKIP] SWITCH DEAD", "OK:SWPOLL"]
    assert glob.glob(d.exports(IP + "_*")) == []


def test_swpoll_cache_reuse_sends_nothing():
    _clean()
    d.add_switch(5, IP, desc="SWPOLL", snmp="public", modelid=801)
    with _agent():
        assert h.api_text("action=swpoll").endswith(IP + " [OK]\nOK:SWPOLL")
    files = sorted(glob.glob(d.exports(IP + "_.*")))
    before = {f: (os.stat(f).st_mtime_ns, d.read(f)) for f in files}
    assert len(files) >= 6
    # the agent is gone: a run within SNMPCACHE_TIME must not need it
    assert h.api_text("action=swpoll").endswith(IP + " [OK]\nOK:SWPOLL")
    assert {f: (os.stat(f).st_mtime_ns, d.read(f)) for f in files} == before
    # with the cache switched off the unreachable device leaves empty files
    with h.config(alter={"SNMPCACHE_TIME": "0", "SNMPWALK_PATH": '"/usr/bin/snmpwalk -On -v2c -t 0.2 -r 0"'}):
        assert h.api_text("action=swpoll").endswith("OK:SWPOLL")
    assert d.read(d.exports(IP + "_.1.3.6.1.2.1.2.2.1.8.1")) == ""
    # an empty FDB walk leaves the previous FDB cache in place
    assert d.read(d.exports(IP + "_fdb")).startswith("a:2:{")


def test_swpoll_setoids_only_when_enabled():
    _clean()
    d.add_switch(5, IP, desc="SWPOLL", snmp="public", modelid=801, snmpwrite="private")
    with _agent() as agent:
        assert h.api_text("action=swpoll").endswith("OK:SWPOLL")
        assert agent.sets() == []
        with h.config(ubapi={"devices": {"swpoll_setoids": "1"}}):
            assert h.api_text("action=swpoll").endswith("OK:SWPOLL")
            assert h.api_text("action=swpoll").endswith("OK:SWPOLL")
        sets = agent.sets()
    assert sorted(sets) == sorted([".1.3.6.1.4.1.171.12.58.1.1.1.12.1 integer 1",
                                   ".1.3.6.1.4.1.171.12.58.1.1.1.12.2 integer 1"] * 2), sets


def test_swpoll_horde_mode_in_process():
    _clean()
    d.add_switch(5, IP, desc="SWPOLL", snmp="public", modelid=801)
    d.add_switch(7, "127.8.0.9", desc="SWPOLL", snmp="public", modelid=801)
    h.exec("INSERT INTO ubstorage (`key`, value) VALUES ('SWDEAD', %s)", ('a:1:{s:9:"127.8.0.9";s:1:"x";}',))
    with _agent(), h.config(alter={"HORDE_OF_SWITCHES": "1"}):
        body = h.api_text("action=swpoll")
    # horde children never printed their lines: only the dead one is shown
    assert _strip_dates(body) == ["127.8.0.9 [SKIP] SWITCH DEAD", "OK:SWPOLL"]
    log = _strip_dates(d.read(d.exports("swpolldata.log")))
    assert log == ["[SWPOLLSTART]", IP + " [OK]", "127.8.0.9 [SKIP] SWITCH DEAD", "[SWPOLLFINISHED]"]
    assert d.read(d.exports(IP + "_fdb")).startswith("a:2:{")


def test_swpoll_busy():
    _clean()
    d.add_switch(5, IP, desc="SWPOLL", snmp="public", modelid=801)
    other = h.db(new=True)
    try:
        with other.cursor() as c:
            c.execute("SELECT GET_LOCK('stardustPID_SWPOLL_ALL', 10)")
        assert h.api_text("action=swpoll") == "SKIP:SWPOLL_ALREADY_RUNNING"
        assert d.read(d.exports("swpolldata.log")) is None
    finally:
        other.close()


def test_horde():
    _clean()
    d.add_switch(5, IP, desc="SWPOLL", snmp="public", modelid=801)
    d.add_switch(6, "127.8.0.3", desc="plain", snmp="public", modelid=801)
    d.add_switch(8, "127.8.0.4", desc="SWPOLL", snmp="public", modelid=802)
    assert h.api_text("action=horde") == "ERROR:NO_DEVID"
    assert h.api_text("action=horde&devid=0") == "ERROR:NO_DEVID"
    assert h.api_text("action=horde&devid=abc") == "ERROR:EMPTY_DEVID"
    with _agent():
        assert h.api_text("action=horde&devid=5") == "OK:HORDE"
    assert h.api_text("action=horde&devid=6") == "OK:HORDE"
    assert h.api_text("action=horde&devid=8") == "OK:HORDE"
    assert h.api_text("action=horde&devid=99") == "OK:HORDE"
    log = _strip_dates(d.read(d.exports("swpolldata.log")))
    assert log == [IP + " [OK]", "127.8.0.3 [SKIP] NO SWPOLL TAG", "127.8.0.4 [FAIL] NO TEMPLATE",
                   "devid=99 [FAIL] DEVICE NOT FOUND"]
    assert d.read(d.exports(IP + "_.1.3.6.1.2.1.2.2.1.8.1")) == ".1.3.6.1.2.1.2.2.1.8.1 = INTEGER: 1\n"


if __name__ == "__main__":
    h.main(globals())
