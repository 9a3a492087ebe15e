"""swpoll's FDB modes other than default/dlp (spec actions-devices §2.3.1 step 6):
ciscoebobo, ra, tlp5428ev2/tlp2428/tlp2210, flp and sw_cumulative, each against
a real snmpd on 127.8.17.x serving test/snmp/fdb_<mode>.snmprec, with the model
template test/snmp/templates/FDB_<MODE>_TEST.

Every expected cache below was worked out by hand from the fixture rows,
following Ubilling's parsers (api.swfdbparsers.php sp_SnmpParseFdb*, and the
FDB block of sp_SnmpPollDevice in api.swpoll.php): which rows survive, the key
each one gets, the port value and its PHP type (string s:, or integer i: where
PHP did arithmetic on it), PHP array order (first insertion keeps its place
when a later row overwrites the key), then FDB_ALLOW_ONLY_PORTS /
FDB_IGNORE_PORTS, then serialize(). The comment above each expectation says
how each row ends up."""

import glob
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "snmp"))

import harness as h  # noqa: E402
import devtest as d  # noqa: E402

MODELS = {
    9101: "FDB_CISCOEBOBO_TEST",
    9102: "FDB_RA_TEST",
    9103: "FDB_TLP5428EV2_TEST",
    9104: "FDB_TLP2428_TEST",
    9105: "FDB_TLP2210_TEST",
    9106: "FDB_FLP_TEST",
    9107: "FDB_SW_CUMULATIVE_TEST",
    9108: "FDB_SW_CUMULATIVE_1D_TEST",
}
DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ")
IFACE = [".1.3.6.1.2.1.2.2.1", ".1.3.6.1.2.1.31.1.1.1"]


def _clean():
    h.exec("DELETE FROM switches")
    h.exec("DELETE FROM switchmodels WHERE id BETWEEN 9100 AND 9199")
    h.exec("DELETE FROM ubstorage WHERE `key`='SWDEAD'")
    for f in glob.glob(d.exports("127.8.17.*")) + glob.glob(d.exports("HORDE_127.8.17.*")):
        os.unlink(f)
    tdir = os.path.join(h.root, "config", "snmptemplates")
    os.makedirs(tdir, exist_ok=True)
    for mid, tpl in sorted(MODELS.items()):
        shutil.copy(os.path.join(d.HERE, "templates", tpl), os.path.join(tdir, tpl))
        h.exec("INSERT INTO switchmodels (id, modelname, ports, snmptemplate) VALUES (%s, %s, 28, %s)",
               (mid, tpl.lower(), tpl))


def _agent(ips, name, subtrees):
    return d.Agent(ips, os.path.join(d.HERE, name + ".snmprec"), subtrees)


def _swpoll(devices):
    """devices: [(switch id, ip, model id)]; one run, every device [OK]."""
    for sid, ip, mid in devices:
        d.add_switch(sid, ip, desc="SWPOLL fdb", snmp="public", modelid=mid)
    body = h.api_text("action=swpoll")
    lines = [DATE.sub("", ln) for ln in body.splitlines()]
    assert lines == [ip + " [OK]" for _, ip, _ in devices] + ["OK:SWPOLL"], body


def _files(ip):
    """what swpoll left under exports/ for ip, without the "<ip>_" prefix"""
    return sorted(os.path.basename(f)[len(ip) + 1:] for f in glob.glob(d.exports(ip + "_*")))


# ciscoebobo (sp_SnmpParseFdbCisEb): index = 6 MAC parts, else dropped
# (0.16.24.1.0 has 5, 1.0.16.24.1.0.11 has 7). Port = the value's digits,
# then 1->49, 2->50, 27->51, 28->52, else -2 below 27 and -4 above 28; PHP
# did arithmetic, so integers. Ignored: -2 and 46.
#   ..:01 port 1 -> 49    ..:02 2 -> 50    ..:03 3 -> 1    ..:04 26 -> 24
#   ..:05 27 -> 51   ..:06 28 -> 52   ..:07 29 -> 25   ..:08 0 -> -2 (ignored)
#   ..:09 "Gauge32: 7" has the digits "327" -> 323   ..:0a 50 -> 46 (ignored)
#   ff:ff:ff:ff:ff:fe 48 -> 44
CISCO = ('a:9:{s:17:"00:10:18:01:00:01";i:49;s:17:"00:10:18:01:00:02";i:50;'
         's:17:"00:10:18:01:00:03";i:1;s:17:"00:10:18:01:00:04";i:24;'
         's:17:"00:10:18:01:00:05";i:51;s:17:"00:10:18:01:00:06";i:52;'
         's:17:"00:10:18:01:00:07";i:25;s:17:"00:10:18:01:00:09";i:323;'
         's:17:"ff:ff:ff:ff:ff:fe";i:44;}')


def test_ciscoebobo_port_remap():
    _clean()
    ip = "127.8.17.1"
    with _agent([ip], "fdb_ciscoebobo", [".1.3.6.1.2.1.17.4"]):
        _swpoll([(9101, ip, 9101)])
    assert d.read(d.exports(ip + "_fdb")) == CISCO
    assert _files(ip) == [".1.3.6.1.2.1.17.4.3.1.2", "fdb"]


# ra (sp_SnmpParseFdbRa): the first index part (FDB id) goes, 6 MAC parts
# must remain; port = digits - 2082476032 (integer), a result of 0 dropped.
# FDB_ALLOW_ONLY_PORTS "0" is PHP-empty, so FDB_IGNORE_PORTS 8 applies.
#   0.32.48.0.0.7: 5 parts after the FDB id, dropped
#   1/..:01 -> 1    1/..:02 -> 0, dropped    1/..:03 -> 8, ignored
#   1/..:04 value 5 -> -2082476027, kept    1/..:05 -> 3, then 20/..:05 -> 4
#   overwrites it in its place    20/..:06 -> 18
RA = ('a:4:{s:17:"00:20:30:00:00:01";i:1;s:17:"00:20:30:00:00:04";i:-2082476027;'
      's:17:"00:20:30:00:00:05";i:4;s:17:"00:20:30:00:00:06";i:18;}')


def test_ra_offset_and_zero():
    _clean()
    ip = "127.8.17.2"
    with _agent([ip], "fdb_ra", [".1.3.6.1.2.1.17.7"]):
        _swpoll([(9102, ip, 9102)])
    assert d.read(d.exports(ip + "_fdb")) == RA
    assert _files(ip) == [".1.3.6.1.2.1.17.7.1.2.2.1.2", "fdb"]


# tlp* (sp_SnmpParseFdbTlp): the text before "=" loses its last 2 bytes
# (the space and a one-digit suffix), gets ".1" in front, dots trimmed, the
# first part dropped; 6 parts left = a MAC; port = digits (string).
#   0.48.79.1.0.1.1 -> 00:30:4f:01:00:01 "3"
#   0.48.79.1.0.2.1 -> ..:02 "4", then 0.48.79.1.0.2.2 overwrites it: "9"
#   0.48.79.1.0.3.12 -> 1.0.48.79.1.0.3.1: 7 parts after the drop, gone
#   0.48.79.1.0.4 -> 1.0.48.79.1.0: 5 parts, gone
#   0.48.79.1.0.200.1 -> ..:c8 "10", not in FDB_ALLOW_ONLY_PORTS 3,9,7
#   0.48.79.2.0.45 (no suffix) -> its "45" loses the "5": 00:30:4f:02:00:04 "7"
# Port 9 is in FDB_IGNORE_PORTS too, but the allow-list wins.
TLP5428 = ('a:3:{s:17:"00:30:4f:01:00:01";s:1:"3";s:17:"00:30:4f:01:00:02";s:1:"9";'
           's:17:"00:30:4f:02:00:04";s:1:"7";}')
# tlp2428: "Gauge32: 2" keeps every digit: "322"
TLP2428 = 'a:2:{s:17:"00:30:4f:0b:00:01";s:1:"1";s:17:"00:30:4f:0b:00:02";s:3:"322";}'
# tlp2210: suffix 3 overwrites suffix 1 of the same MAC
TLP2210 = 'a:2:{s:17:"00:30:4f:13:00:01";s:1:"2";s:17:"00:30:4f:13:00:02";s:2:"10";}'


def test_tlp_index_arithmetic():
    _clean()
    ips = ["127.8.17.3", "127.8.17.4", "127.8.17.5"]
    with _agent([ips[0]], "fdb_tlp5428ev2", [".1.3.6.1.4.1.11863"]), \
            _agent([ips[1]], "fdb_tlp2428", [".1.3.6.1.4.1.11863"]), \
            _agent([ips[2]], "fdb_tlp2210", [".1.3.6.1.4.1.11863"]):
        _swpoll([(9103, ips[0], 9103), (9104, ips[1], 9104), (9105, ips[2], 9105)])
    assert d.read(d.exports(ips[0] + "_fdb")) == TLP5428
    assert d.read(d.exports(ips[1] + "_fdb")) == TLP2428
    assert d.read(d.exports(ips[2] + "_fdb")) == TLP2210
    # each family walks its own table only
    assert _files(ips[0]) == [".1.3.6.1.4.1.11863.1.1.1.2.3.2.2.1.3", "fdb"]
    assert _files(ips[1]) == [".1.3.6.1.4.1.11863.1.1.11.2.3.2.2.1.3", "fdb"]
    assert _files(ips[2]) == [".1.3.6.1.4.1.11863.1.1.19.2.3.2.2.1.3", "fdb"]


# flp (sp_SnmpParseFdbFlp): index = VLAN + 6 MAC parts, exactly 7 (the 8- and
# 5-part rows are dropped); port = digits (string). Deviation: PHP keyed
# each row by its first MAC octet in decimal (here a:2:{i:0;s:1:"9";i:10;
# s:4:"0040";}); ubapi writes the MAC.
#   1/00:40:50:00:00:01 "3", then 7/the same MAC "9" overwrites it
#   7/0a:40:50:00:00:03 "Hex-STRING: 00 40 " -> digits "0040"
# FDB_IGNORE_PORTS "" ignores only a port "".
FLP = 'a:2:{s:17:"00:40:50:00:00:01";s:1:"9";s:17:"0a:40:50:00:00:03";s:4:"0040";}'


def test_flp_real_macs():
    _clean()
    ip = "127.8.17.6"
    with _agent([ip], "fdb_flp", [".1.3.6.1.2.1.17.7"]):
        _swpoll([(9106, ip, 9106)])
    assert d.read(d.exports(ip + "_fdb")) == FLP
    assert _files(ip) == [".1.3.6.1.2.1.17.7.1.2.3.1.2", "fdb"]


# sw_cumulative (sp_SnmpParseFdbCumulative, trimSNMPOutput). Both fixtures
# carry the same interfaces. POLLMODE cumulative: ports = ifIndex values
# 1,2,3,25,26; [portstate] walks .8.<port> for each, [sfp octets] only
# SFPSTARTPORT..SFPENDPORT = 25..26. _fdb_portdescr: ifDescr 1 => "Eth1"
# (with the quotes snmpwalk prints), 2 => "" (two quote characters: not
# empty), 25 => "SFP=25" cut at its "=" to `"SFP`; then ifAlias for indexes
# without a description: 3 => "uplink", 26 => "" (quotes). Integer keys.
PORTDESCR = 'a:5:{i:1;s:6:""Eth1"";i:2;s:2:"""";i:25;s:4:""SFP";i:3;s:8:""uplink"";i:26;s:2:"""";}'
CUMULATIVE_RAW = sorted([".1.3.6.1.2.1.2.2.1.1", ".1.3.6.1.2.1.2.2.1.2", ".1.3.6.1.2.1.31.1.1.1.18"] +
                        [".1.3.6.1.2.1.2.2.1.8.%d" % p for p in (1, 2, 3, 25, 26)] +
                        [".1.3.6.1.2.1.31.1.1.1.6.25", ".1.3.6.1.2.1.31.1.1.1.6.26"] +
                        [".1.3.6.1.2.1.17.4.3.1.2", ".1.3.6.1.2.1.17.4.3.1.3",
                         ".1.3.6.1.2.1.17.7.1.2.2.1.2", ".1.3.6.1.2.1.17.7.1.2.2.1.3"])
# Both dot1q walks answered, so dot1q wins. Rows VLAN.MAC -> port: 1.A 5,
# 1.B 6, 1.S (status 4, self: skipped), 10.A 7, 20.C 26, 100.B
# "Gauge32: 6" (the type token goes before the digits are taken: "6").
# PHP gathered them per MAC in order of first sight (A, B, C), then
# flattened to <mac>_<vlan>: A_1, A_10, B_1, B_100, C_20. Port 26 is
# ignored in the FDB, but the VLAN map was built before that filter.
CUM_FDB = ('a:4:{s:19:"00:60:70:00:00:01_1";s:1:"5";s:20:"00:60:70:00:00:01_10";s:1:"7";'
           's:19:"00:60:70:00:00:02_1";s:1:"6";s:21:"00:60:70:00:00:02_100";s:1:"6";}')
CUM_VLAN = ('a:5:{s:19:"00:60:70:00:00:01_1";s:1:"1";s:20:"00:60:70:00:00:01_10";s:2:"10";'
            's:19:"00:60:70:00:00:02_1";s:1:"1";s:21:"00:60:70:00:00:02_100";s:3:"100";'
            's:20:"00:60:70:00:00:03_20";s:2:"20";}')
# The same switch under a template with only [port.1d_fdb]: dot1d rows A 5
# and S 6 (status 4: skipped); no VLAN map, no interface walks.
CUM_1D_ONLY = 'a:1:{s:17:"00:60:70:00:00:01";s:1:"5";}'
# A switch without dot1q tables: that walk is snmpwalk's "No Such Object"
# line, so the dot1d tables are parsed. Rows MAC -> port (status):
#   :01 1 (3)   :02 "Gauge32: 2" -> "2" (3)   :03 3 (4 = self: skipped)
#   :04 26 (3; ignored port)   :05 25 (5: kept)   :06 3 (no status: kept)
CUM_FALLBACK = ('a:4:{s:17:"00:50:56:00:00:01";s:1:"1";s:17:"00:50:56:00:00:02";s:1:"2";'
                's:17:"00:50:56:00:00:05";s:2:"25";s:17:"00:50:56:00:00:06";s:1:"3";}')


def test_sw_cumulative_dot1q_with_vlans():
    _clean()
    ip, ip1d = "127.8.17.7", "127.8.17.9"
    with _agent([ip, ip1d], "fdb_sw_cumulative", IFACE + [".1.3.6.1.2.1.17"]):
        _swpoll([(9107, ip, 9107), (9109, ip1d, 9108)])
    assert d.read(d.exports(ip + "_fdb")) == CUM_FDB
    assert d.read(d.exports(ip + "_fdb_vlan")) == CUM_VLAN
    assert d.read(d.exports(ip + "_fdb_portdescr")) == PORTDESCR
    assert _files(ip) == sorted(CUMULATIVE_RAW + ["fdb", "fdb_portdescr", "fdb_vlan"])
    assert d.read(d.exports(ip1d + "_fdb")) == CUM_1D_ONLY
    assert _files(ip1d) == [".1.3.6.1.2.1.17.4.3.1.2", ".1.3.6.1.2.1.17.4.3.1.3", "fdb"]


def test_sw_cumulative_dot1d_fallback():
    _clean()
    ip = "127.8.17.8"
    with _agent([ip], "fdb_sw_cumulative_1d", IFACE + [".1.3.6.1.2.1.17.4"]):
        _swpoll([(9108, ip, 9107)])
    assert d.read(d.exports(ip + "_.1.3.6.1.2.1.17.7.1.2.2.1.2")) == \
        ".1.3.6.1.2.1.17.7.1.2.2.1.2 = No Such Object available on this agent at this OID\n"
    assert d.read(d.exports(ip + "_fdb")) == CUM_FALLBACK
    assert d.read(d.exports(ip + "_fdb_portdescr")) == PORTDESCR
    assert _files(ip) == sorted(CUMULATIVE_RAW + ["fdb", "fdb_portdescr"])


def test_all_modes_in_one_run():
    """Every device polled in parallel in one run gives the same caches."""
    _clean()
    devices = [(9101, "127.8.17.1", 9101, "fdb_ciscoebobo", [".1.3.6.1.2.1.17.4"], {"fdb": CISCO}),
               (9102, "127.8.17.2", 9102, "fdb_ra", [".1.3.6.1.2.1.17.7"], {"fdb": RA}),
               (9103, "127.8.17.3", 9103, "fdb_tlp5428ev2", [".1.3.6.1.4.1.11863"], {"fdb": TLP5428}),
               (9106, "127.8.17.6", 9106, "fdb_flp", [".1.3.6.1.2.1.17.7"], {"fdb": FLP}),
               (9107, "127.8.17.7", 9107, "fdb_sw_cumulative", IFACE + [".1.3.6.1.2.1.17"],
                {"fdb": CUM_FDB, "fdb_vlan": CUM_VLAN, "fdb_portdescr": PORTDESCR}),
               (9108, "127.8.17.8", 9107, "fdb_sw_cumulative_1d", IFACE + [".1.3.6.1.2.1.17.4"],
                {"fdb": CUM_FALLBACK, "fdb_vlan": None, "fdb_portdescr": PORTDESCR})]
    agents = []
    try:
        for _, ip, _, rec, subtrees, _ in devices:
            agents.append(_agent([ip], rec, subtrees))
        _swpoll([(sid, ip, mid) for sid, ip, mid, _, _, _ in devices])
    finally:
        for a in agents:
            a.stop()
    for _, ip, _, _, _, want in devices:
        for name, body in want.items():
            assert d.read(d.exports(ip + "_" + name)) == body, (ip, name)


if __name__ == "__main__":
    h.main(globals())
