"""MultiGen (spec actions-network.md §5): multigen, multigentotal,
multigenpod, multigentraff. Exact mlg_* rows and ids, mlg_userstates,
weblogs, the StarDust lock, and the PoD/CoA queue run with argv through a
recording stub (never radclient, never a shell). NAS addresses are
127.0.0.x and nothing is ever sent to them."""
import datetime
import os
import re
import shutil
import stat
import tempfile

import harness as h

BASE = ["users", "nethosts", "networks", "nas", "speeds", "userspeeds", "weblogs"]
MLG = ["mlg_check", "mlg_reply", "mlg_groupreply", "mlg_userstates", "mlg_nasattributes",
       "mlg_nasoptions", "mlg_services", "mlg_acct", "mlg_postauth", "mlg_traffic", "mlg_ishimura"]
MAC = "aa:bb:cc:dd:ee:ff"
STUB = """#!/bin/sh
# records one call: argc|args, then whatever came on stdin when asked to
d=$(dirname "$0")
printf '%s|%s\\n' "$#" "$*" >> "$d/calls"
if [ "$1" = "--stdin" ]; then printf 'STDIN:%s\\n' "$(cat)" >> "$d/calls"; fi
"""

work = None


# ---------------------------------------------------------------- fixtures


def schema_statements():
    path = os.path.join(os.path.dirname(__file__), "..", "..", "schema", "ubapi-multigen.sql")
    text = "\n".join(l for l in open(path, encoding="utf-8").read().splitlines()
                     if not l.startswith("--"))
    return [s.strip() for s in text.split(";") if s.strip()]


def setup():
    global work
    # Ubilling's real schema has no mlg_* tables (they come from
    # docs/multigen/dump.sql): create what is missing, as an install does.
    for s in schema_statements():
        h.exec(s)
    for t in BASE + MLG:
        h.exec("DROP TABLE IF EXISTS `mg11_%s`" % t)
        h.exec("CREATE TABLE `mg11_%s` AS SELECT * FROM `%s`" % (t, t))
    work = tempfile.mkdtemp(prefix="mlg11-")
    os.chmod(work, 0o777)
    stub = os.path.join(work, "podstub")
    with open(stub, "w") as f:
        f.write(STUB)
    os.chmod(stub, 0o755)


def teardown():
    for t in BASE + MLG:
        h.exec("DELETE FROM `%s`" % t)
        h.exec("INSERT INTO `%s` SELECT * FROM `mg11_%s`" % (t, t))
        h.exec("DROP TABLE `mg11_%s`" % t)
    shutil.rmtree(work, ignore_errors=True)
    clean_exports()


def clean_exports():
    d = os.path.join(h.root, "exports")
    for f in os.listdir(d):
        if re.match(r"(pod|coa)_queue_MLG|multigen\.log$", f):
            os.unlink(os.path.join(d, f))


def stub():
    return os.path.join(work, "podstub")


def calls():
    p = os.path.join(work, "calls")
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [l.rstrip("\n") for l in f]


def reset_calls():
    p = os.path.join(work, "calls")
    if os.path.exists(p):
        os.unlink(p)


def add_user(login, ip, cash=10, credit=0, passive=0, down=0, aonline=1, tariff="T", password="pw",
             d0=0, u0=0):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Address,Phone,"
           "Email,Note,RealName,StgGroup,Credit,TariffChange,Userdata0,Userdata1,Userdata2,"
           "Userdata3,Userdata4,Userdata5,Userdata6,Userdata7,Userdata8,Userdata9,CreditExpire,"
           "IP,Cash,FreeMb,LastCashAdd,LastCashAddTime,PassiveTime,LastActivityTime,NAS,"
           "D0,U0,D1,U1,D2,U2,D3,U3,D4,U4,D5,U5,D6,U6,D7,U7,D8,U8,D9,U9) "
           "VALUES (%s,%s,%s,%s,%s,%s,'','','','','','',%s,'','','','','','','','','','','',0,"
           "%s,%s,0,0,0,0,0,'',%s,%s," + ",".join(["0"] * 18) + ")",
           (login, password, passive, down, aonline, tariff, credit, ip, cash, d0, u0))


def fixture(service="pod", pod=None, usernametype="mac", onlyactive=1):
    """The spec's §5.14 fixture."""
    for t in BASE + MLG:
        h.exec("DELETE FROM `%s`" % t)
    for t in ("mlg_check", "mlg_reply", "mlg_groupreply", "mlg_userstates"):
        h.exec("ALTER TABLE `%s` AUTO_INCREMENT=1" % t)
    clean_exports()
    reset_calls()
    h.exec("INSERT INTO networks (id,startip,endip,`desc`,nettype,use_radius) "
           "VALUES (1,'10.0.0.1','10.0.0.254','10.0.0.0/24','dhcpstatic',1)")
    h.exec("INSERT INTO nethosts (netid,ip,mac,`option`) VALUES (1,'10.0.0.5',%s,'')", (MAC,))
    add_user("u1", "10.0.0.5", d0=5000, u0=700)
    h.exec("INSERT INTO speeds (tariff,speeddown,speedup) VALUES ('T','1024','512')")
    h.exec("INSERT INTO nas (id,netid,nasip,nasname,nastype) VALUES (1,1,'127.0.0.1','nas1','radius')")
    h.exec("INSERT INTO mlg_nasoptions (nasid,usernametype,service,onlyactive,port) "
           "VALUES (1,%s,%s,%s,3799)", (usernametype, service, onlyactive))
    h.exec("INSERT INTO mlg_services (nasid,pod,coaconnect,coadisconnect) VALUES (1,%s,'','')",
           (pod if pod is not None else stub() + " {USERNAME} {NASIP}:{NASPORT} {NASSECRET} {STATE}",))
    for sc, attr, op, content in (("check", "Cleartext-Password", ":=", "{PASSWORD}"),
                                  ("reply", "Framed-IP-Address", "=", "{IP}"),
                                  ("reply", "Mikrotik-Rate-Limit", "=", "{SPEEDMRL}")):
        h.exec("INSERT INTO mlg_nasattributes (nasid,scenario,modifier,attribute,operator,content) "
               "VALUES (1,%s,'all',%s,%s,%s)", (sc, attr, op, content))


ON = {"MULTIGEN_ENABLED": "1", "MULTIGEN_AUTOCLEANUP_ENABLED": "0"}


def rows(table):
    return h.sql("SELECT id,username,attribute,op,value FROM `%s` ORDER BY id" % table, strings=True)


def states():
    return h.sql("SELECT login,state FROM mlg_userstates ORDER BY id", strings=True)


def weblog_events():
    return [r[0] for r in h.sql("SELECT event FROM weblogs ORDER BY id", strings=True)]


def queue_files(kind="pod"):
    d = os.path.join(h.root, "exports")
    return sorted(f for f in os.listdir(d) if re.fullmatch(kind + r"_queue_MLG[0-9a-z]{8}", f))


# ---------------------------------------------------------------- multigen


def test_disabled():
    fixture()
    snap = h.snapshot(MLG)
    with h.config(alter={"MULTIGEN_ENABLED": "0"}):
        for a in ("multigen", "multigentotal", "multigentraff", "multigenpod&param=u1"):
            assert h.api_text("action=" + a) == "ERROR: MULTIGEN DISABLED", a
    h.assert_unchanged(snap)


def test_first_run_rows():
    fixture()
    with h.config(alter=ON):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
    assert rows("mlg_check") == [("1", MAC, "Cleartext-Password", ":=", "pw")]
    assert rows("mlg_reply") == [("1", MAC, "Framed-IP-Address", "=", "10.0.0.5"),
                                 ("2", MAC, "Mikrotik-Rate-Limit", "=", "512k/1024k")]
    assert rows("mlg_groupreply") == []
    assert states() == [("u1", "1")]
    assert queue_files() == [] and calls() == []


def test_second_run_keeps_ids():
    fixture()
    with h.config(alter=ON):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        before = (rows("mlg_check"), rows("mlg_reply"), states())
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
    assert (rows("mlg_check"), rows("mlg_reply"), states()) == before


def test_speed_change_replaces_row():
    fixture()
    with h.config(alter=ON):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        h.exec("UPDATE speeds SET speeddown='2048' WHERE tariff='T'")
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
    assert rows("mlg_check") == [("1", MAC, "Cleartext-Password", ":=", "pw")]
    assert rows("mlg_reply") == [("1", MAC, "Framed-IP-Address", "=", "10.0.0.5"),
                                 ("3", MAC, "Mikrotik-Rate-Limit", "=", "512k/2048k")]
    assert states() == [("u1", "1")]
    assert calls() == []  # pod only on 1 -> 0


def test_inactive_user_buried_and_podded():
    fixture()
    with h.config(alter=ON):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        h.exec("UPDATE users SET Cash=-5 WHERE login='u1'")
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
    assert rows("mlg_check") == [] and rows("mlg_reply") == []
    assert states() == [("u1", "0")]
    # detached, like PHP's "&": poll
    h.wait_until(lambda: calls(), what="PoD stub call")
    assert calls() == ["4|%s 127.0.0.1:3799 dec0071981b1 OFF-LINE" % MAC]
    files = queue_files()
    assert len(files) == 1, files
    path = os.path.join(h.root, "exports", files[0])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o755
    # the runner empties the file at the end, as PHP's final echo does
    h.wait_until(lambda: open(path).read() == "\n", what="queue file emptied")
    # a third run: already 0, no new PoD
    reset_calls()
    with h.config(alter=ON):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
    assert calls() == [] and states() == [("u1", "0")]


def test_queue_file_and_log_foreground():
    # MULTIGEN_LOGGING >= 4 runs the queue in the foreground (as PHP does)
    fixture()
    with h.config(alter=dict(ON, MULTIGEN_LOGGING="4")):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        h.exec("UPDATE users SET Down=1 WHERE login='u1'")
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
    assert calls() == ["4|%s 127.0.0.1:3799 dec0071981b1 DOWN" % MAC]  # no polling needed
    log = open(os.path.join(h.root, "exports", "multigen.log")).read()
    ts = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
    for line in ("u1 AS %s SCENARIO check TEST Cleartext-Password := pw RESULT 0" % MAC,
                 "u1 AS %s SCENARIO check CREATE Cleartext-Password := pw" % MAC,
                 "USERSTATE CREATED u1 STATE 1",
                 "u1 AS %s SCENARIO reply DELETE Mikrotik-Rate-Limit" % MAC,
                 "USERSTATE CHANGED u1 STATE 1 ON 0"):
        assert re.search("^" + ts + re.escape(line) + "$", log, re.M), line
    m = re.search(r"^" + ts + r"POD_QUEUE_ADD (MLG[0-9a-z]{8}): (.*)$", log, re.M)
    assert m and m.group(2) == "%s %s 127.0.0.1:3799 dec0071981b1 DOWN" % (stub(), MAC)
    assert re.search(r"^" + ts + "POD_QUEUE_RUN: " + m.group(1) + "$", log, re.M)
    # the file as PHP writes it, then emptied by the run
    assert open(os.path.join(h.root, "exports", "pod_queue_" + m.group(1))).read() == "\n"


def test_lock_held_gives_skip():
    fixture()
    with h.config(alter=ON):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        h.exec("UPDATE users SET Cash=-5 WHERE login='u1'")
        snap = h.snapshot(MLG + ["weblogs"])
        other = h.db(new=True)
        try:
            with other.cursor() as c:
                c.execute("SELECT GET_LOCK('stardustPID_MULTIGEN',0)")
                assert c.fetchone()[0] == 1
            assert h.api_text("action=multigen") == "SKIP: MULTIGEN ALREADY RUNNING"
            assert h.api_text("action=multigentotal") == "SKIP: MULTIGEN ALREADY RUNNING"
            h.assert_unchanged(snap)
        finally:
            other.close()
        assert calls() == []
        # released: the next run does its work (and a run releases its own lock)
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        assert h.sql("SELECT IS_FREE_LOCK('stardustPID_MULTIGEN')")[0][0] == 1
    assert states() == [("u1", "0")]


def test_total_flushes_and_regenerates():
    fixture()
    with h.config(alter=ON):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        h.exec("INSERT INTO mlg_reply (username,attribute,op,value) VALUES ('junk','Junk','=','1')")
        h.exec("DELETE FROM weblogs")
        assert h.api_text("action=multigentotal") == "OK: MULTIGEN_TOTAL"
    # TRUNCATE restarts the ids, as in PHP
    assert rows("mlg_check") == [("1", MAC, "Cleartext-Password", ":=", "pw")]
    assert rows("mlg_reply") == [("1", MAC, "Framed-IP-Address", "=", "10.0.0.5"),
                                 ("2", MAC, "Mikrotik-Rate-Limit", "=", "512k/1024k")]
    assert weblog_events() == ["MULTIGEN FLUSH SCENARIO `check`", "MULTIGEN FLUSH SCENARIO `reply`",
                               "MULTIGEN FLUSH SCENARIO `groupreply`"]
    r = h.sql("SELECT admin, ip FROM weblogs", strings=True)
    assert all(x == ("guest", "127.0.0.1") for x in r), r


def test_autocleanup_at_its_time():
    fixture()
    now = datetime.datetime.now()
    old = (now - datetime.timedelta(days=40)).strftime("%Y-%m-%d %H:%M:%S")
    new = (now - datetime.timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    for uid, start, stop, upd in (("a", old, old, old), ("b", old, None, old), ("c", new, None, new)):
        h.exec("INSERT INTO mlg_acct (acctuniqueid,username,acctstarttime,acctstoptime,acctupdatetime) "
               "VALUES (%s,'x',%s,%s,%s)", (uid, start, stop, upd))
    h.exec("INSERT INTO mlg_postauth (username,pass,reply,authdate) VALUES ('x','','', %s)", (old,))
    h.exec("INSERT INTO mlg_postauth (username,pass,reply,authdate) VALUES ('y','','', %s)", (new,))
    h.exec("INSERT INTO mlg_reply (username,attribute,op,value) VALUES ('junk','Junk','=','1')")
    h.exec("DELETE FROM weblogs")
    alter = dict(ON, MULTIGEN_AUTOCLEANUP_ENABLED="1", MULTIGEN_AUTOCLEANUP_TIME="01:00,02:30",
                 MULTIGEN_AUTOCLEANUP_ACCTDAYS="3x0", MULTIGEN_AUTOCLEANUP_UNF="1")
    with h.config(alter=alter):
        # not the time: no cleanup
        rc, out, _ = h.cli(["multigen"], env={"UBAPI_NOW": "2026-03-15 02:31:00"})
        assert (rc, out) == (0, b"OK: MULTIGEN"), out
        assert h.table_count("mlg_acct") == 3 and weblog_events() == []
        rc, out, _ = h.cli(["multigen"], env={"UBAPI_NOW": "2026-03-15 02:30:00"})
        assert (rc, out) == (0, b"OK: MULTIGEN_AUTOCLEANUP\nOK: MULTIGEN"), out
    assert [r[0] for r in h.sql("SELECT acctuniqueid FROM mlg_acct")] == ["c"]
    assert [r[0] for r in h.sql("SELECT username FROM mlg_postauth")] == ["y"]
    assert weblog_events() == ["MULTIGEN ACCOUNTING CLEANUP `30` DAYS",
                               "MULTIGEN FLUSH SCENARIO `check`", "MULTIGEN FLUSH SCENARIO `reply`",
                               "MULTIGEN FLUSH SCENARIO `groupreply`"]
    assert rows("mlg_reply") == [("1", MAC, "Framed-IP-Address", "=", "10.0.0.5"),
                                 ("2", MAC, "Mikrotik-Rate-Limit", "=", "512k/1024k")]


def test_modifiers_macros_and_username_types():
    fixture(usernametype="macju", onlyactive=0)
    h.exec("DELETE FROM mlg_nasattributes")
    for sc, mod, attr, op, content in (
            ("reply", "active", "Rate-Active", "=", "{SPEEDDOWNB}/{SPEEDUPBC}/{SPEEDDOWNBD}"),
            ("reply", "inactive", "Rate-Inactive", "=", "{STATE}"),
            ("groupreply", "all", "Net", "=", "{NETADDR}|{NETCIDR}|{NETMASK}|{NETID}|{NETSTART}"),
            ("check", "all", "Macs", "==", "{MACFDL} {MACFML} {MACTMU} {MACTML} {LOGIN} {TARIFF}"),
            ("check", "all", "Nas", "==", "{NASIP} {NASSECRET} {NASPORT}"),
            ("check", "all", "Unresolved", "==", "{NETEXT}-x"),
            ("check", "all", "Literal", "==", "x-{NETEXT}"),
            ("check", "weird", "NeverWritten", "==", "x")):
        h.exec("INSERT INTO mlg_nasattributes (nasid,scenario,modifier,attribute,operator,content) "
               "VALUES (1,%s,%s,%s,%s,%s)", (sc, mod, attr, op, content))
    uname = "aabb.ccdd.eeff"
    with h.config(alter=ON):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        assert rows("mlg_reply") == [("1", uname, "Rate-Active", "=", "1048576/65536/1024000")]
        assert rows("mlg_groupreply") == [("1", uname, "Net", "=", "10.0.0.0|24|255.255.255.0|1|10.0.0.1")]
        # {NETEXT} stays literal without NETWORKS_EXT: a value starting with an
        # unresolved macro is never written, one with it later is
        assert rows("mlg_check") == [
            ("1", uname, "Macs", "==", "aabb.ccdd.eeff aabb-ccdd-eeff AA-BB-CC-DD-EE-FF aa-bb-cc-dd-ee-ff u1 T"),
            ("2", uname, "Nas", "==", "127.0.0.1 dec0071981b1 3799"),
            ("3", uname, "Literal", "==", "x-{NETEXT}")]
        h.exec("UPDATE users SET Passive=1 WHERE login='u1'")
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        assert rows("mlg_reply") == [("2", uname, "Rate-Inactive", "=", "PASSIVE")]
    assert states() == [("u1", "0")]


def test_leading_macro_not_inserted_and_loose_compare():
    fixture()
    h.exec("DELETE FROM mlg_nasattributes")
    h.exec("INSERT INTO mlg_nasattributes (nasid,scenario,modifier,attribute,operator,content) VALUES "
           "(1,'reply','all','Sw','=','{USERSWITCHIP}'),"  # empty: written
           "(1,'reply','all','Ext','=','{NETEXT}'),"  # unresolved leading macro: never written
           "(1,'reply','all','Num','=','10')")
    with h.config(alter=ON):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        assert rows("mlg_reply") == [("1", MAC, "Sw", "=", ""), ("2", MAC, "Num", "=", "10")]
        # PHP 8 loose ==: "10.0" == "10" is true, so the row stays as it is
        h.exec("UPDATE mlg_reply SET value='10.0' WHERE attribute='Num'")
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
    assert rows("mlg_reply") == [("1", MAC, "Sw", "=", ""), ("2", MAC, "Num", "=", "10.0")]


def test_bad_rows_skipped_cleanly():
    fixture(service="coa")
    # a password that would break PHP's SQL, a user on no NAS network, a user
    # without a nethost, a NAS without options, a NAS on no network
    h.exec("UPDATE users SET Password=%s WHERE login='u1'", ("p'w\";--",))
    add_user("u2", "10.9.9.9")
    add_user("u3", "")
    h.exec("INSERT INTO nethosts (netid,ip,mac,`option`) VALUES (7,'10.9.9.9',NULL,'')")
    h.exec("INSERT INTO nas (id,netid,nasip,nasname,nastype) VALUES (2,1,'not-an-ip','nas2','radius')")
    h.exec("INSERT INTO nas (id,netid,nasip,nasname,nastype) VALUES (3,99,'127.0.0.3','nas3','radius')")
    h.exec("INSERT INTO mlg_nasattributes (nasid,scenario,modifier,attribute,operator,content) "
           "VALUES (1,'nosuchscenario','all','X','=','1')")
    with h.config(alter=ON):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
    assert rows("mlg_check") == [("1", MAC, "Cleartext-Password", ":=", "p'w\";--")]
    assert len(rows("mlg_reply")) == 2
    # every user gets a state row, NAS or not (new users in user order)
    assert states() == [("u1", "1"), ("u2", "1"), ("u3", "1")]


def test_coa_reset_on_attribute_change():
    fixture(service="coa")
    h.exec("UPDATE mlg_services SET pod='', coadisconnect=%s, coaconnect=%s",
           (stub() + " disconnect {USERNAME} {STATE}", stub() + " connect {USERNAME} {STATE}"))
    with h.config(alter=dict(ON, MULTIGEN_LOGGING="4")):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        assert calls() == []  # new user: 3 -> 1 is no connect
        h.exec("UPDATE speeds SET speedup='256'")
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        # changed -2 on an active user: disconnect then connect
        assert calls() == ["3|disconnect %s ON-LINE" % MAC, "3|connect %s ON-LINE" % MAC]
        reset_calls()
        h.exec("UPDATE users SET Cash=-100 WHERE login='u1'")
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        assert calls() == ["3|disconnect %s OFF-LINE" % MAC]
        reset_calls()
        h.exec("UPDATE users SET Cash=100 WHERE login='u1'")
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        assert calls() == ["3|connect %s ON-LINE" % MAC]


def test_template_words_never_reach_a_shell():
    fixture()
    evil = "x; touch %s/pwned $(id) `id` | cat" % work
    h.exec("UPDATE users SET Password=%s WHERE login='u1'", (evil,))
    h.exec("UPDATE mlg_services SET pod=%s",
           ('{PRINTF} "pw={PASSWORD} " | ' + stub() + " --stdin {USERNAME}",))
    with h.config(alter=dict(ON, MULTIGEN_LOGGING="4")):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        h.exec("UPDATE users SET Cash=-5 WHERE login='u1'")
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
    assert calls() == ["2|--stdin %s" % MAC, "STDIN:pw=%s " % evil]
    assert not os.path.exists(os.path.join(work, "pwned"))


def test_unsupported_template_is_not_run():
    fixture()
    h.exec("UPDATE mlg_services SET pod=%s", (stub() + " $(id) {USERNAME}",))
    with h.config(alter=dict(ON, MULTIGEN_LOGGING="4")):
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
        h.exec("UPDATE users SET Cash=-5 WHERE login='u1'")
        assert h.api_text("action=multigen") == "OK: MULTIGEN"
    assert calls() == []
    log = open(os.path.join(h.root, "exports", "multigen.log")).read()
    assert re.search(r"POD_QUEUE_SKIP MLG[0-9a-z]{8}: .* \(shell expansion\)$", log, re.M)
    assert states() == [("u1", "0")]


# ---------------------------------------------------------------- multigenpod


def test_multigenpod():
    fixture()
    with h.config(alter=ON):
        assert h.api_text("action=multigenpod") == "ERROR: NO_LOGIN"
        assert h.api_text("action=multigenpod&param=0") == "ERROR: NO_LOGIN"
        assert h.api_text("action=multigenpod&param=u1") == "ERROR: MULTIGEN_POD_ON_MAC_CHANGE DISABLED"
    with h.config(alter=dict(ON, MULTIGEN_POD_ON_MAC_CHANGE="1")):
        assert h.api_text("action=multigenpod&param=u1") == "OK: MULTIGENPOD"
        h.wait_until(lambda: calls(), what="PoD stub call")
        assert calls() == ["4|%s 127.0.0.1:3799 dec0071981b1 ON-LINE" % MAC]
        reset_calls()
        assert h.api_text("action=multigenpod&param=nosuchuser") == "OK: MULTIGENPOD"
    with h.config(alter=dict(ON, MULTIGEN_POD_ON_MAC_CHANGE="2", MULTIGEN_LOGGING="4")):
        assert h.api_text("action=multigenpod&param=u1") == "OK: MULTIGENPOD"
        assert calls() == ["4|%s 127.0.0.1:3799 dec0071981b1 ON-LINE" % MAC] * 2
    assert weblog_events() == []


# ---------------------------------------------------------------- multigentraff


def test_multigentraff_stargazer_mode():
    fixture()
    ten = (datetime.datetime.now() - datetime.timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S")
    h.exec("INSERT INTO mlg_acct (acctuniqueid,username,acctoutputoctets,acctinputoctets,"
           "acctstarttime,acctupdatetime,acctstoptime) VALUES ('s1',%s,1000,200,%s,%s,NULL)",
           (MAC, ten, ten))
    billing = {"SGCONF": stub(), "STG_HOST": "127.0.0.1", "STG_PORT": "5555", "STG_LOGIN": "admin",
               "STG_PASSWD": "secret"}
    with h.config(alter=dict(ON, UBCACHE_STORAGE="fake"), billing=billing):
        assert h.api_text("action=multigentraff") == "OK: MULTIGEN_TRAFF"
        assert calls() == ["15|set -s 127.0.0.1 -p 5555 -a admin -w secret -u u1 --d0 6000 --u0 900"]
        assert h.sql("SELECT login,down,up,act FROM mlg_traffic", strings=True) == [("u1", "1000", "200", "1")]
        reset_calls()
        assert h.api_text("action=multigentraff") == "OK: MULTIGEN_TRAFF"
        assert calls() == []
        # the session grew and ended: only the delta goes on
        h.exec("UPDATE mlg_acct SET acctoutputoctets=1500, acctstoptime=acctupdatetime")
        assert h.api_text("action=multigentraff") == "OK: MULTIGEN_TRAFF"
        assert calls() == ["15|set -s 127.0.0.1 -p 5555 -a admin -w secret -u u1 --d0 5500 --u0 700"]
    assert h.sql("SELECT login,down,up,act FROM mlg_traffic", strings=True) == [("u1", "1500", "200", "0")]
    # files cache: the window starts where the last run ended
    cache = os.path.join(h.root, "exports", "UBCACHE_MLG_TRAFFLASTRUN")
    if os.path.exists(cache):
        os.unlink(cache)
    reset_calls()
    with h.config(alter=dict(ON, UBCACHE_STORAGE="files"), billing=billing):
        assert h.api_text("action=multigentraff") == "OK: MULTIGEN_TRAFF"
        stamp = open(cache).read()
        assert re.fullmatch(r"i:\d+;", stamp), stamp
        h.exec("UPDATE mlg_acct SET acctoutputoctets=1700")
        assert h.api_text("action=multigentraff") == "OK: MULTIGEN_TRAFF"
    assert calls() == []  # the row's update time is before the last run


def test_multigentraff_ishimura_mode():
    fixture()
    h.exec("DELETE FROM mlg_ishimura")
    ten = (datetime.datetime.now() - datetime.timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S")
    h.exec("INSERT INTO mlg_acct (acctuniqueid,username,acctoutputoctets,acctinputoctets,"
           "acctstarttime,acctupdatetime,acctstoptime) VALUES ('s1','u1',300,100,%s,%s,NULL)",
           (ten, ten))
    now = datetime.datetime.now()
    with h.config(alter=dict(ON, ISHIMURA_ENABLED="1", UBCACHE_STORAGE="fake")):
        assert h.api_text("action=multigentraff") == "OK: MULTIGEN_TRAFF"
    assert h.sql("SELECT login,month,year,U0,D0,cash FROM mlg_ishimura", strings=True) == [
        ("u1", str(now.month), str(now.year), "100", "300", "10")]
    assert calls() == []
    h.exec("DELETE FROM mlg_ishimura")


if __name__ == "__main__":
    h.main(globals())
