"""fdbarchive, policedog, uhwbrutecleanup, writevlanmachistory and
mtsigmonpoll (spec §2.5, §2.6, §2.8, §2.11, §2.12). SNMP peers are real
snmpd agents on 127.8.0.x:161."""

import hashlib
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "snmp"))

import harness as h  # noqa: E402
import devtest as d  # noqa: E402

FDB = 'a:1:{s:17:"00:11:22:33:44:55";s:1:"5";}'


def _weblogs(like):
    return [r[0] for r in h.sql("SELECT event FROM weblogs WHERE event LIKE %s ORDER BY id", (like,), strings=True)]


# ---------------------------------------------------------------- fdbarchive

def _fdb_clean():
    h.exec("DELETE FROM fdbarchive")
    h.exec("DELETE FROM switches")
    for f in os.listdir(os.path.join(h.root, "exports")):
        if f.endswith(("_fdb", "_fdb_vlan", "_fdb_portdescr")):
            os.unlink(d.exports(f))
    shutil.rmtree(os.path.join(h.root, "exports", "pondata", "fdb"), ignore_errors=True)


def test_fdbarchive():
    _fdb_clean()
    d.add_switch(4, "127.8.0.2")
    d.add_switch(3, "127.8.0.3", desc="OLT")
    d.write(d.exports("127.8.0.2_fdb"), FDB)
    d.write(d.exports("127.8.0.2_fdb_portdescr"), 'a:1:{i:1;s:4:"it\'s";}')
    d.write(d.exports("127.8.0.9_fdb"), "")  # empty: no row
    d.write(d.exports("127.8.0.10_fdb"), 'a:1:{s:17:"00:11:22:33:44:66";s:1:"\\";}')  # unknown switch
    with h.config(alter={"PON_ENABLED": "0"}):
        assert h.api_text("action=fdbarchive") == "OK:FDBARCHIVE"
    rows = h.sql("SELECT devid, devip, data, datavlan, dataportdescr, pon FROM fdbarchive ORDER BY id", strings=True)
    # natural order: 127.8.0.2 before 127.8.0.10
    assert rows == [("4", "127.8.0.2", FDB, "", 'a:1:{i:1;s:4:"it\'s";}', "0"),
                    ("0", "127.8.0.10", 'a:1:{s:17:"00:11:22:33:44:66";s:1:"\\";}', "", "", "0")]


def test_fdbarchive_pon_and_rotation():
    _fdb_clean()
    d.add_switch(3, "127.8.0.3", desc="OLT")
    d.write(os.path.join(h.root, "exports", "pondata", "fdb", "3_OLTFDB"), "a:0:{}")
    h.exec("INSERT INTO fdbarchive (date, devid, devip, data, pon) VALUES (NOW() - INTERVAL 10 DAY, 1, 'x', 'old', 0)")
    with h.config(alter={"PON_ENABLED": "1", "FDBARCHIVE_MAX_AGE": "0"}):
        assert h.api_text("action=fdbarchive") == "OK:FDBARCHIVE"
    assert h.sql("SELECT devid, devip, data, pon FROM fdbarchive ORDER BY id", strings=True) == [
        ("1", "x", "old", "0"), ("3", "127.8.0.3", "a:0:{}", "1")]
    with h.config(alter={"PON_ENABLED": "0", "FDBARCHIVE_MAX_AGE": "3"}):
        assert h.api_text("action=fdbarchive") == "OK:FDBARCHIVE"
    assert list(h.sql("SELECT data FROM fdbarchive WHERE data='old'")) == []


# ---------------------------------------------------------------- policedog

def test_policedog():
    h.exec("DELETE FROM policedog")
    h.exec("DELETE FROM policedogalerts")
    h.exec("DELETE FROM weblogs WHERE event LIKE 'POLICEDOG%%'")
    h.exec("DELETE FROM nethosts WHERE ip IN ('10.8.0.2','10.8.0.3')")
    h.exec("DELETE FROM users WHERE login IN ('pdog1','pdog2')")
    h.exec("INSERT INTO users (login, Password, IP, Tariff) VALUES ('pdog1','x','10.8.0.2','')")
    h.exec("INSERT INTO nethosts (ip, mac, netid, option) VALUES ('10.8.0.2','00:11:22:33:44:55',1,'')")
    h.exec("INSERT INTO policedog (date, mac, notes) VALUES (NOW(), '00:11:22:33:44:55', 'stolen')")
    h.exec("INSERT INTO policedog (date, mac, notes) VALUES (NOW(), '00:11:22:33:44:77', 'not here')")
    with h.config(alter={"POLICEDOG_ENABLED": "0"}):
        assert h.api_text("action=policedog") == "ERROR:POLICEDOG_DISABLED"
    assert h.table_count("policedogalerts") == 0
    with h.config(alter={"POLICEDOG_ENABLED": "1"}):
        assert h.api_text("action=policedog") == "OK:POLICEDOG"
        assert h.sql("SELECT mac, login FROM policedogalerts", strings=True) == [("00:11:22:33:44:55", "pdog1")]
        assert _weblogs("POLICEDOG%") == ["POLICEDOG MAC `00:11:22:33:44:55` ALERT `pdog1`"]
        assert h.api_text("action=policedog") == "OK:POLICEDOG"
    assert h.table_count("policedogalerts") == 1
    assert len(_weblogs("POLICEDOG%")) == 1


def test_uhwbrutecleanup():
    h.exec("DELETE FROM uhw_brute")
    h.exec("DELETE FROM weblogs WHERE event='UHW CLEANUP BRUTE'")
    for i in range(3):
        h.exec("INSERT INTO uhw_brute (date, password, login, mac) VALUES (NOW(), 'p', 'l%d', 'm')" % i)
    assert h.api_text("action=uhwbrutecleanup") == "OK:UHWBRUTECLEANUP"
    assert h.table_count("uhw_brute") == 0
    rows = h.sql("SELECT admin, ip FROM weblogs WHERE event='UHW CLEANUP BRUTE'", strings=True)
    assert len(rows) == 1 and rows[0][1] == "127.0.0.1"
    h.exec("INSERT INTO uhw_brute (date, password, login, mac) VALUES (NOW(), 'p', 'x', 'm')")
    assert [tuple(r) for r in h.sql("SELECT id FROM uhw_brute")] == [(1,)]


# ------------------------------------------------------- writevlanmachistory

def _vlan_setup():
    h.exec("DELETE FROM vlan_mac_history")
    h.exec("DELETE FROM vlan_terminators")
    h.exec("DELETE FROM vlanhosts")
    h.exec("DELETE FROM switches")
    h.exec("INSERT INTO vlan_terminators (netid, vlanpoolid, ip, type) VALUES (1, 1, '127.8.0.6', 'cisco')")
    d.add_switch(9, "127.8.0.6", snmp="public")
    h.exec("INSERT INTO vlanhosts (vlanpoolid, login, vlan) VALUES (1, 'u1', 100)")
    d.rm(d.exports("ONLINEVLANS"))


def test_writevlanmachistory():
    with h.config(alter={"VLANMACHISTORY": "0"}):
        assert h.api_text("action=writevlanmachistory") == "ERROR:NO_VLAN_MAC_HISTORY ENABLED"
    _vlan_setup()
    with h.config(alter={"VLANMACHISTORY": "1"}):
        with d.Agent(["127.8.0.6"], os.path.join(d.HERE, "snooping.snmprec"), [".1.3.6.1.4.1.9"]):
            assert h.api_text("action=writevlanmachistory") == "OK:WRITING NEW MACS"
            # the binding for vlan 999 has no host: counted, not stored
            assert h.sql("SELECT login, vlan, mac FROM vlan_mac_history", strings=True) == \
                [("u1", "100", "00:11:22:33:44:55")]
            assert d.read(d.exports("ONLINEVLANS")) == "2"
            assert h.api_text("action=writevlanmachistory") == "OK:WRITING NEW MACS"
            assert h.table_count("vlan_mac_history") == 1
        with d.Agent(["127.8.0.6"], os.path.join(d.HERE, "snooping2.snmprec"), [".1.3.6.1.4.1.9"]):
            assert h.api_text("action=writevlanmachistory") == "OK:WRITING NEW MACS"
    assert h.sql("SELECT login, vlan, mac FROM vlan_mac_history ORDER BY id", strings=True) == \
        [("u1", "100", "00:11:22:33:44:55"), ("u1", "100", "00:11:22:33:44:56")]
    assert h.sql("SELECT COUNT(*) FROM vlan_mac_history WHERE date > NOW() - INTERVAL 1 HOUR")[0][0] == 2


# -------------------------------------------------------------- mtsigmonpoll

MT = {"MTSIGMON_ENABLED": "1", "UBCACHE_STORAGE": "files"}


def _hist(mac):
    return os.path.join(h.root, "content", "documents", "wifi_cpe_sig_hist",
                        hashlib.md5(mac.encode()).hexdigest() + "_AP")


def _mt_clean():
    h.exec("DELETE FROM switches")
    for f in os.listdir(os.path.join(h.root, "exports")):
        if f.startswith("UBCACHE_MTSIGMON"):
            os.unlink(d.exports(f))
    for m in ("00:0c:42:da:af:04", "00:27:22:aa:bb:cc"):
        d.rm(_hist(m))


def test_mtsigmon_disabled():
    with h.config(alter={"MTSIGMON_ENABLED": "0"}):
        assert h.api_text("action=mtsigmonpoll") == "ERROR:MTSIGMON_DISABLED"


def test_mtsigmon_mikrotik_ubnt_and_no_community():
    _mt_clean()
    d.add_switch(7, "127.8.0.4", desc="MTSIGMON", location="Roof", snmp="public")
    d.add_switch(8, "127.8.0.5", desc="ap MTSIGMON ubnt", location="Mast", snmp="public")
    d.add_switch(9, "127.8.0.7", desc="MTSIGMON", location="Nowhere", snmp="")
    with d.Agent(["127.8.0.4"], os.path.join(d.HERE, "mikrotik.snmprec"), [".1.3.6.1.4.1.14988", ".1.2.840"]), \
            d.Agent(["127.8.0.5"], os.path.join(d.HERE, "ubnt.snmprec"), [".1.3.6.1.4.1.41112"]), \
            h.config(alter=dict(MT, SWITCHES_SNMP_MAC_EXORCISM="1")):
        body = h.api_text("action=mtsigmonpoll")
    assert body == "POLLING:7 127.8.0.4 - Roof\nPOLLING:8 127.8.0.5 - Mast\nPOLLING:9 127.8.0.7 - Nowhere\nOK:MTPOLL"
    assert d.read(d.exports("UBCACHE_MTSIGMON_7")) == 'a:1:{s:17:"00:0c:42:da:af:04";s:9:"-65 / -60";}'
    assert d.read(d.exports("UBCACHE_MTSIGMON_8")) == 'a:1:{s:17:"00:27:22:aa:bb:cc";s:3:"-70";}'
    assert d.read(d.exports("UBCACHE_MTSIGMON_9")) is None
    assert d.read(d.exports("UBCACHE_MTSIGMON_MTID_UMAC")) == \
        'a:2:{i:7;a:1:{i:0;s:17:"00:0c:42:da:af:04";}i:8;a:1:{i:0;s:17:"00:27:22:aa:bb:cc";}}'
    assert re.fullmatch(r's:19:"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d";', d.read(d.exports("UBCACHE_MTSIGMON_DATE")))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,-65,-60\n", d.read(_hist("00:0c:42:da:af:04")))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,-70,\n", d.read(_hist("00:27:22:aa:bb:cc")))
    assert d.read(d.exports("127.8.0.4_MAC")) == "00:0c:42:01:02:03"
    assert d.read(d.exports("127.8.0.4_.1.3.6.1.4.1.14988.1.1.1.2.1.3")) == \
        ".1.3.6.1.4.1.14988.1.1.1.2.1.3.0.12.66.218.175.4.5 = INTEGER: -65\n"


def test_mtsigmon_unreachable_ap():
    _mt_clean()
    d.add_switch(7, "127.8.9.7", desc="MTSIGMON", snmp="public")
    with d.drop(["127.8.9.7"]), h.config(alter=MT):
        assert h.api_text("action=mtsigmonpoll") == "POLLING:7 127.8.9.7 - \nOK:MTPOLL"
    assert d.read(d.exports("UBCACHE_MTSIGMON_7")) == "a:0:{}"
    assert d.read(d.exports("127.8.9.7_.1.3.6.1.4.1.14988.1.1.1.2.1.3")) == ".1.3.6.1.4.1.14988.1.1.1.2.1.3 = "


if __name__ == "__main__":
    h.main(globals())
