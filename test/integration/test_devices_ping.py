"""swping, fastping, nasmon: ICMP sweeps on loopback (spec actions-devices
§2.1, §2.2, §2.7). Dead hosts are 127.8.9.x addresses silenced by a drop
rule this file adds and removes."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "snmp"))

import harness as h  # noqa: E402
import devtest as d  # noqa: E402

ALIVE, ALIVE2 = "127.8.0.2", "127.8.0.3"
DEAD1, DEAD2 = "127.8.9.1", "127.8.9.2"


def _clean():
    for t in ("switches", "deathtime", "switchdeadlog", "nas"):
        h.exec("DELETE FROM " + t)
    h.exec("DELETE FROM ubstorage WHERE `key` IN ('SWDEAD','SWPINGTIME')")
    for f in ("fastping_iplist", "UBCACHE_FASTPING", "UBCACHE_FASTDEAD", "nasmonlist.dat", "nasmondead.dat"):
        d.rm(d.exports(f))


def _swping():
    return h.api_text("action=swping")


def test_swping_dead_alive_np():
    _clean()
    d.add_switch(1, ALIVE, desc="core", location="Center")
    d.add_switch(2, DEAD1, location="Street 1")
    d.add_switch(3, DEAD2, desc="NP backup", location="Far")
    with h.config(ubapi=d.FAST_ICMP), d.drop([DEAD1, DEAD2]):
        t0 = int(time.time())
        assert _swping() == "OK:SWPING"
        dead = 'a:1:{s:9:"127.8.9.1";s:8:"Street 1";}'
        assert d.storage("SWDEAD") == [dead]
        rows = h.sql("SELECT ip, date FROM deathtime", strings=True)
        assert [r[0] for r in rows] == [DEAD1]
        log = h.sql("SELECT swdead, timestamp FROM switchdeadlog", strings=True)
        assert len(log) == 1 and log[0][0] == dead
        assert abs(int(log[0][1]) - t0) <= 5
        assert abs(int(d.storage("SWPINGTIME")[0]) - t0) <= 5
        # second run: the "dead since" row stays as it was, one more log row
        time.sleep(1.1)
        assert _swping() == "OK:SWPING"
        rows2 = h.sql("SELECT ip, date FROM deathtime", strings=True)
        assert rows2 == rows
        assert h.table_count("switchdeadlog") == 2
    # the switch moves to a live address: nothing dead, no new log row
    h.exec("UPDATE switches SET ip=%s WHERE id=2", ("127.8.0.4",))
    with h.config(ubapi=d.FAST_ICMP):
        assert _swping() == "OK:SWPING"
    assert d.storage("SWDEAD") == ["a:0:{}"]
    assert h.table_count("deathtime") == 0
    assert h.table_count("switchdeadlog") == 2


def test_swping_quote_in_location():
    _clean()
    d.add_switch(1, DEAD1, location="O'Hara \\ 5")
    with h.config(ubapi=d.FAST_ICMP), d.drop([DEAD1]):
        assert _swping() == "OK:SWPING"
    want = 'a:1:{s:9:"127.8.9.1";s:10:"O\'Hara \\ 5";}'
    assert d.storage("SWDEAD") == [want]
    assert h.sql("SELECT swdead FROM switchdeadlog", strings=True) == [(want,)]


def test_swping_custom_script():
    _clean()
    d.add_switch(1, DEAD1, location="L")
    h.exec("INSERT INTO deathtime (ip, date) VALUES (%s, '2020-01-01 00:00:00')", (DEAD1,))
    argfile = os.path.join(h.root, "stubs", "custom.args")
    d.rm(argfile)
    yes = d.script("alive.sh", 'echo "$@" >> %s\necho 1\n' % argfile)
    no = d.script("dead.sh", "echo 0\n")
    with d.drop([DEAD1]):
        with h.config(alter={"SWITCH_PING_CUSTOM_SCRIPT": '"%s"' % yes}, ubapi=d.FAST_ICMP):
            assert _swping() == "OK:SWPING"
        assert d.storage("SWDEAD") == ["a:0:{}"]
        assert h.table_count("deathtime") == 0
        assert d.read(argfile) == DEAD1 + "\n"
        with h.config(alter={"SWITCH_PING_CUSTOM_SCRIPT": '"%s"' % no}, ubapi=d.FAST_ICMP):
            assert _swping() == "OK:SWPING"
        assert d.storage("SWDEAD") == ['a:1:{s:9:"127.8.9.1";s:1:"L";}']


def test_swping_busy():
    _clean()
    d.add_switch(1, ALIVE)
    other = h.db(new=True)
    try:
        with other.cursor() as c:
            c.execute("SELECT GET_LOCK('stardustPID_SWPING', 10)")
        snap = h.snapshot(["deathtime", "switchdeadlog", "ubstorage"])
        assert _swping() == "SKIP:SWPING_ALREADY_RUNNING"
        h.assert_unchanged(snap)
    finally:
        other.close()
    # the lock died with its holder's connection; ours was released
    assert _swping() == "OK:SWPING"
    assert _swping() == "OK:SWPING"


def test_swping_fastping_mode_empty_cache():
    _clean()
    d.add_switch(1, ALIVE, location="A")
    d.add_switch(2, ALIVE2, desc="NP", location="B")
    with h.config(alter={"FASTPING_ENABLED": "1", "UBCACHE_STORAGE": "files"}):
        assert _swping() == "OK:SWPING"
    assert d.storage("SWDEAD") == ['a:1:{s:9:"127.8.0.2";s:1:"A";}']


def test_fastping_disabled():
    _clean()
    with h.config(alter={"FASTPING_ENABLED": "0"}):
        assert h.api_text("action=fastping") == "ERROR:FASTPING_DISABLED"
    assert d.read(d.exports("fastping_iplist")) is None


def test_fastping_then_swping():
    _clean()
    d.add_switch(1, ALIVE)
    d.add_switch(2, DEAD1, location="X")
    d.add_switch(3, ALIVE2, desc="NP")
    cfg = {"FASTPING_ENABLED": "1", "UBCACHE_STORAGE": "files"}
    with h.config(alter=cfg, ubapi=d.FAST_ICMP), d.drop([DEAD1]):
        assert h.api_text("action=fastping") == "OK:FASTPING"
    assert d.read(d.exports("fastping_iplist")) == "127.8.9.1\n127.8.0.2\n"
    assert d.read(d.exports("UBCACHE_FASTPING")) == 'a:2:{s:9:"127.8.9.1";i:0;s:9:"127.8.0.2";i:1;}'
    assert d.read(d.exports("UBCACHE_FASTDEAD")) == 'a:1:{s:9:"127.8.9.1";s:1:"X";}'
    # swping in fastping mode trusts the cache: silencing the live host now
    # changes nothing, because no ICMP is sent
    with h.config(alter=cfg), d.drop([ALIVE]):
        assert _swping() == "OK:SWPING"
    assert d.storage("SWDEAD") == ['a:1:{s:9:"127.8.9.1";s:1:"X";}']


def test_fastping_exact_ip_match():
    # PHP matched "127.8.9.4 is alive" inside "127.8.9.41 is alive"
    _clean()
    d.add_switch(1, "127.8.9.4")
    d.add_switch(2, "127.8.9.41")
    with h.config(alter={"FASTPING_ENABLED": "1", "UBCACHE_STORAGE": "files"}, ubapi=d.FAST_ICMP), \
            d.drop(["127.8.9.4"]):
        assert h.api_text("action=fastping") == "OK:FASTPING"
    assert d.read(d.exports("UBCACHE_FASTPING")) == 'a:2:{s:10:"127.8.9.41";i:1;s:9:"127.8.9.4";i:0;}'


def test_fastping_busy_is_ok_and_does_nothing():
    _clean()
    d.add_switch(1, ALIVE)
    other = h.db(new=True)
    try:
        with other.cursor() as c:
            c.execute("SELECT GET_LOCK('stardustPID_FASTPING', 10)")
        with h.config(alter={"FASTPING_ENABLED": "1", "UBCACHE_STORAGE": "files"}):
            assert h.api_text("action=fastping") == "OK:FASTPING"
        assert d.read(d.exports("fastping_iplist")) is None
    finally:
        other.close()


NAS_HEAD = ('\n        <table width="100%" border="0" class="sortable"  >\n            '
            '<tr class="row1"><td     >NAS name</td>\n<td     >IP</td>\n<td     >Status</td>\n</tr>\n')


def _nas_row(name, ip, alive):
    return ('<tr class="row5"><td     >%s</td>\n<td     >%s</td>\n<td     >'
            '<img src="skins/icon_%s.gif"  border="0"> %s</td>\n</tr>\n'
            % (name, ip, "active" if alive else "inactive", "Alive" if alive else "Dead"))


def test_nasmon():
    _clean()
    for ip, name in ((ALIVE, "nas1"), (DEAD1, "nas<2>"), (ALIVE, "dup")):
        h.exec("INSERT INTO nas (netid, nasip, nasname, nastype) VALUES (1,%s,%s,'local')", (ip, name))
    with h.config(ubapi=d.FAST_ICMP), d.drop([DEAD1]):
        assert h.api_text("action=nasmon") == "OK: NASMON"
    assert d.read(d.exports("nasmondead.dat")) == "1"
    want = (NAS_HEAD + _nas_row("nas1", ALIVE, True) + _nas_row("nas&lt;2&gt;", DEAD1, False)
            + "\n        </table>\n        <b >Total: </b >2")
    assert d.read(d.exports("nasmonlist.dat")) == want


def test_nasmon_empty_disabled_busy():
    _clean()
    assert h.api_text("action=nasmon") == "OK: NASMON"
    assert d.read(d.exports("nasmondead.dat")) == "0"
    assert d.read(d.exports("nasmonlist.dat")) == \
        '<span class="alert_warning" >No NAS available in database</span >'
    d.rm(d.exports("nasmondead.dat"))
    with h.config(alter={"NASMON_ENABLED": "0"}):
        assert h.api_text("action=nasmon") == "ERROR: NASMON DISABLED"
    assert d.read(d.exports("nasmondead.dat")) is None
    other = h.db(new=True)
    try:
        with other.cursor() as c:
            c.execute("SELECT GET_LOCK('stardustPID_NASMON', 10)")
        assert h.api_text("action=nasmon") == "SKIP:NASMON_ALREADY_RUNNING"
    finally:
        other.close()


if __name__ == "__main__":
    h.main(globals())
