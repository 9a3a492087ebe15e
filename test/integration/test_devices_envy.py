"""envyarchive, multienvy (EXPECT_PATH=/bin/cat as a deterministic stand-in
for expect, spec §2.10) and switchescoverage (DECISIONS 26)."""

import os
import stat
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "snmp"))

import harness as h  # noqa: E402
import devtest as d  # noqa: E402

ENVY = {"ENVY_ENABLED": "1", "MULTI_ENVY_PROC": "0"}
CAT = {"EXPECT_PATH": '"/bin/cat"'}


def _clean(script="show run {IP} {LOGIN} {PASSWORD}"):
    for t in ("envyscripts", "envydevices", "envydata", "switches"):
        h.exec("DELETE FROM " + t)
    h.exec("DELETE FROM weblogs WHERE event LIKE 'ENVY%%'")
    h.exec("DELETE FROM switchmodels WHERE id IN (805, 806)")
    h.exec("INSERT INTO switchmodels (id, modelname, ports, snmptemplate) VALUES (805, 'envy model', 8, '')")
    h.exec("INSERT INTO envyscripts (modelid, data) VALUES (805, %s)", (script,))
    d.add_switch(5, "127.8.0.2", modelid=805)
    for f in os.listdir(os.path.join(h.root, "exports")):
        if f.startswith("ENVYSCRIPT_"):
            os.unlink(d.exports(f))


def _device(switchid=5, active=1, login="adm", password="", cutstart=0, cutend=0):
    h.exec("INSERT INTO envydevices (switchid, active, login, password, enablepassword, custom1, cutstart, cutend, port) "
           "VALUES (%s,%s,%s,%s,'','',%s,%s,NULL)", (switchid, active, login, password, cutstart, cutend))


def _configs():
    return h.sql("SELECT switchid, config FROM envydata ORDER BY id", strings=True)


def test_envy_disabled():
    _clean()
    _device()
    with h.config(alter={"ENVY_ENABLED": "0"}, billing=CAT):
        assert h.api_text("action=envyarchive") == "ERROR:ENVY DISABLED"
        assert h.api_text("action=multienvy&devid=5") == "ERROR:ENVY DISABLED"
    with h.config(alter=ENVY, billing=CAT):
        assert h.api_text("action=multienvy&devid=5") == "ERROR:ENVY DISABLED"  # needs MULTI_ENVY_PROC
    assert _configs() == []


def test_envy_archive():
    _clean()
    _device(password="")
    with h.config(alter=ENVY, billing=CAT):
        assert h.api_text("action=envyarchive") == "OK:ENVYARCHIVE"
    assert _configs() == [("5", "show run 127.8.0.2 adm empty_password")]
    ev = [r[0] for r in h.sql("SELECT event FROM weblogs WHERE event LIKE 'ENVY%%'", strings=True)]
    assert ev == ["ENVY STORE ARCHIVE SWITCHID [5]"]
    path = d.exports("ENVYSCRIPT_5")
    assert d.read(path) == "show run 127.8.0.2 adm empty_password"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_envy_cut_and_inactive():
    _clean(script="a\nb\nc\n")
    _device(cutstart=1, cutend=1)
    d.add_switch(6, "127.8.0.3", modelid=805)
    _device(switchid=6, active=0)
    with h.config(alter=ENVY, billing=CAT):
        assert h.api_text("action=envyarchive") == "OK:ENVYARCHIVE"
    # pieces a|b|c|"" -> keep 1..2 -> "bc", newlines dropped as PHP does
    assert _configs() == [("5", "bc")]


def test_envy_no_scripts_or_busy():
    _clean()
    h.exec("DELETE FROM envyscripts")
    _device()
    with h.config(alter=ENVY, billing=CAT):
        assert h.api_text("action=envyarchive") == "OK:ENVYARCHIVE"
    assert _configs() == []
    _clean()
    _device()
    other = h.db(new=True)
    try:
        with other.cursor() as c:
            c.execute("SELECT GET_LOCK('stardustPID_ENVYPROC_ALL', 10)")
        with h.config(alter=ENVY, billing=CAT):
            assert h.api_text("action=envyarchive") == "OK:ENVYARCHIVE"
        assert _configs() == []
    finally:
        other.close()


def test_envy_multi_in_process_and_multienvy():
    _clean()
    for i in range(6, 10):
        d.add_switch(i, "127.8.0.%d" % i, modelid=805)
    for i in range(5, 10):
        _device(switchid=i, login="u%d" % i)
    with h.config(alter=dict(ENVY, MULTI_ENVY_PROC="1"), billing=CAT):
        assert h.api_text("action=envyarchive") == "OK:ENVYARCHIVE"
        assert sorted(_configs()) == sorted(
            [(str(i), "show run 127.8.0.%d u%d empty_password" % (2 if i == 5 else i, i)) for i in range(5, 10)])
        assert h.api_text("action=multienvy") == "ERROR:NO_DEVID"
        assert h.api_text("action=multienvy&devid=7") == "OK:MULTI_ENVY_PROC"
    assert _configs()[-1] == ("7", "show run 127.8.0.7 u7 empty_password")


def test_envy_script_is_never_a_shell():
    # a login full of shell syntax reaches the script file as text only
    _clean(script="{LOGIN}")
    _device(login="$(touch /tmp/ubapi-envy-pwned);`id`")
    with h.config(alter=ENVY, billing=CAT):
        assert h.api_text("action=envyarchive") == "OK:ENVYARCHIVE"
    assert _configs() == [("5", "$(touch /tmp/ubapi-envy-pwned);`id`")]
    assert not os.path.exists("/tmp/ubapi-envy-pwned")


def test_switchescoverage():
    h.exec("DELETE FROM switches")
    h.exec("INSERT INTO switches (id, modelid, ip, `desc`, location, snmp, geo) VALUES "
           "(1, 0, '127.8.0.2', '', '', '', '48.1234, 24.5'), (2, 0, '127.8.0.3', '', '', '', 'bogus')")
    st, hdr, body = h.api("action=switchescoverage&param=640x480")
    body = body.decode()
    assert st == 200 and hdr.get("content-type", "").startswith("text/html")
    assert body.startswith('<div  id="ubmap" style="width: 640px; height:480px;"></div >')
    assert body.count("L.circle(") == 1 and "L.circle([48.1234, 24.5]" in body
    body = h.api_text("action=switchescoverage&param=<script>")
    assert 'style="width: 1000px; height:800px;"' in body and "<script>x" not in body


if __name__ == "__main__":
    h.main(globals())
