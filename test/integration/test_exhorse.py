"""exhorse, the monthly statistics snapshot (spec actions-ops.md §5.6): the
exact row for a crafted month (users in every state with PHP 8's comparison
rules, complex masks, signups by city, payments, CaTV, equipment, TelePony
CDR from a loopback MariaDB database, WDYC, ClapTrapBot, tickets, tasks,
capabilities), the replies, the StarDust lock, and both cleanups."""
import base64
import fcntl
import os
import time

import harness as h

NOW = "2026-04-15 23:50:00"
MONTH = "2026-04"
CDR_DB = "ubapi_exhcdr_" + h.SCHEMA
CDR_USER, CDR_PASSWORD = "ubapi_exhcdr", "exh-pw"
LOCK_FILE = os.path.join(h.root, "exports", "stardustPID_EXHORSE.lock")

# Every table exhorse reads or writes: saved in setup(), emptied before each
# test, put back in teardown(), so the other test files keep their data.
TABLES = ["users", "userreg", "payments", "address", "apt", "build", "street", "city", "switches",
          "switchdeadlog", "pononu", "modems", "wdycinfo", "ticketing", "taskman", "sigreq", "capab",
          "ct_auth", "ukv_users", "ukv_tariffs", "ukv_payments", "exhorse"]

CDR_TABLE = """CREATE TABLE cdr (
  calldate datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  clid varchar(80) NOT NULL DEFAULT '', src varchar(80) NOT NULL DEFAULT '',
  dst varchar(80) NOT NULL DEFAULT '', dcontext varchar(80) NOT NULL DEFAULT '',
  channel varchar(80) NOT NULL DEFAULT '', dstchannel varchar(80) NOT NULL DEFAULT '',
  lastapp varchar(80) NOT NULL DEFAULT '', lastdata varchar(80) NOT NULL DEFAULT '',
  duration int(11) NOT NULL DEFAULT 0, billsec int(11) NOT NULL DEFAULT 0,
  disposition varchar(45) NOT NULL DEFAULT '', amaflags int(11) NOT NULL DEFAULT 0,
  accountcode varchar(20) NOT NULL DEFAULT '', uniqueid varchar(32) NOT NULL DEFAULT '',
  userfield varchar(255) NOT NULL DEFAULT '', KEY calldate (calldate)
) ENGINE=InnoDB"""

FIELDS = ("u_totalusers u_activeusers u_inactiveusers u_frozenusers u_complextotal u_complexactive "
          "u_complexinactive u_signups u_citysignups f_totalmoney f_paymentscount f_cashmoney f_cashcount "
          "f_arpu f_arpau c_totalusers c_activeusers c_inactiveusers c_illegal c_complex c_social "
          "c_totalmoney c_paymentscount c_arpu c_arpau c_totaldebt c_signups a_totalcalls a_totalanswered "
          "a_totalcallsduration a_averagecallduration e_switches e_pononu e_docsis a_recallunsuccess "
          "a_recalltrytime e_deadswintervals t_sigreq t_tickets t_tasks t_capabtotal t_capabundone "
          "a_outtotalcalls a_outtotalanswered a_outtotalcallsduration a_outaveragecallduration "
          "ct_totalusers ct_activeusers").split()


def root_exec(statements):
    c = h.db_root()
    try:
        with c.cursor() as cur:
            for s in statements:
                cur.execute(s)
    finally:
        c.close()


def setup():
    db = h.DB_NAME
    stmts = []
    for t in TABLES:
        stmts += ["DROP TABLE IF EXISTS `%s`.`_exhbak_%s`" % (db, t),
                  "CREATE TABLE `%s`.`_exhbak_%s` LIKE `%s`.`%s`" % (db, t, db, t),
                  "INSERT INTO `%s`.`_exhbak_%s` SELECT * FROM `%s`.`%s`" % (db, t, db, t)]
    stmts += ["DROP DATABASE IF EXISTS `%s`" % CDR_DB, "CREATE DATABASE `%s`" % CDR_DB,
              "USE `%s`" % CDR_DB, CDR_TABLE,
              "CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY '%s'" % (CDR_USER, CDR_PASSWORD),
              "GRANT SELECT ON `%s`.* TO '%s'@'%%'" % (CDR_DB, CDR_USER)]
    root_exec(stmts)


def teardown():
    db = h.DB_NAME
    stmts = []
    for t in TABLES:
        stmts += ["DELETE FROM `%s`.`%s`" % (db, t),
                  "INSERT INTO `%s`.`%s` SELECT * FROM `%s`.`_exhbak_%s`" % (db, t, db, t),
                  "DROP TABLE `%s`.`_exhbak_%s`" % (db, t)]
    stmts += ["DROP DATABASE IF EXISTS `%s`" % CDR_DB]
    root_exec(stmts)
    try:
        os.unlink(LOCK_FILE)
    except FileNotFoundError:
        pass


def fresh():
    for t in TABLES:
        h.exec("DELETE FROM `%s`" % t)
    h.exec("DELETE FROM weblogs WHERE event LIKE 'EXHORSE%%'")
    root_exec(["DELETE FROM `%s`.cdr" % CDR_DB])


def has_ct_columns():
    return bool(h.sql("SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA=DATABASE()"
                      " AND TABLE_NAME='exhorse' AND COLUMN_NAME='ct_totalusers'"))


def rows():
    """Every exhorse row as {column: server text}, in id order."""
    cur = h.db(strings=True).cursor()
    cur.execute("SELECT * FROM exhorse ORDER BY id")
    names = [d[0] for d in cur.description]
    out = [dict(zip(names, r)) for r in cur.fetchall()]
    cur.close()
    return out


def run(query="exhorse", now=NOW):
    rc, out, _ = h.cli([query], env={"UBAPI_NOW": now})
    return rc, out.decode()


def add_user(login, cash, credit, passive, down, ao, tariff):
    h.exec("INSERT INTO users (login, Password, Passive, Down, AlwaysOnline, Tariff, Credit, Cash)"
           " VALUES (%s,'x',%s,%s,%s,%s,%s,%s)", (login, passive, down, ao, tariff, credit, cash))


def add_address(login, city):
    cid = h.sql("SELECT id FROM city WHERE cityname=%s", (city,))
    cid = cid[0][0] if cid else h.insert("INSERT INTO city (cityname) VALUES (%s)", (city,))
    sid = h.insert("INSERT INTO street (cityid, streetname) VALUES (%s,'Main')", (cid,))
    bid = h.insert("INSERT INTO build (streetid, buildnum) VALUES (%s,'1')", (sid,))
    aid = h.insert("INSERT INTO apt (buildid, apt) VALUES (%s,'1')", (bid,))
    h.insert("INSERT INTO address (login, aptid) VALUES (%s,%s)", (login, aid))


def add_payment(date, summ, cashtype):
    h.exec("INSERT INTO payments (login, date, admin, balance, summ, cashtypeid, note)"
           " VALUES ('u',%s,'admin','0',%s,%s,'')", (date, summ, cashtype))


def ser_cities(pairs):
    parts = []
    for k, n in pairs:
        key = "i:%s;" % k if k.isdigit() else 's:%d:"%s";' % (len(k.encode()), k)
        parts.append("%si:%d;" % (key, n))
    return base64.b64encode(("a:%d:{%s}" % (len(pairs), "".join(parts))).encode()).decode()


def expected(**over):
    row = {f: "0" for f in FIELDS}
    row["u_citysignups"] = ""
    row.update({k: str(v) for k, v in over.items()})
    if not has_ct_columns():
        row.pop("ct_totalusers")
        row.pop("ct_activeusers")
    return row


def horse_row(r):
    out = {k: v for k, v in r.items() if k not in ("id", "date")}
    return out


# ---------------------------------------------------------------- crafted month

def fill_month():
    # login, Cash, Credit, Passive, Down, AlwaysOnline, Tariff
    add_user("act1", "10", "0", 0, 0, 1, "Home-Easter")     # active, complex
    add_user("act2", "-5", "5", 0, 0, 1, "Basic")           # active: -5 >= -5
    add_user("weird", "2", "-3", 0, 0, 1, "Basic")          # "2" >= "--3" as text: active
    add_user("inact1", "-10", "5", 0, 0, 1, "Easter100")    # inactive, complex
    add_user("inact2", "-1", "0", 0, 1, 1, "Basic")         # inactive although down
    add_user("frozen", "100", "0", 1, 0, 1, "X-TV")         # frozen, complex
    add_user("none1", "5", "0", 0, 1, 1, "Basic")           # positive but down: PHP 8 no category
    add_user("none2", "5", "0", 0, 0, 0, "Basic")           # not always-online: no category
    add_address("act1", "Kyiv")
    add_address("act2", "7")
    add_address("inact1", "Kyiv")
    add_address("frozen", "Lviv")                           # no signup this month
    for d, login in (("2026-04-01 10:00:00", "act1"), ("2026-04-02 10:00:00", "act2"),
                     ("2026-04-03 10:00:00", "ghost"), ("2026-04-04 10:00:00", "inact1"),
                     ("2026-04-05 10:00:00", ""), ("2026-03-31 23:59:59", "frozen")):
        h.exec("INSERT INTO userreg (date, admin, login, address) VALUES (%s,'admin',%s,'')", (d, login))
    add_payment("2026-04-01 10:00:00", "100", 1)
    add_payment("2026-04-02 10:00:00", "50.555", 2)
    add_payment("2026-04-03 10:00:00", "10", 10)
    add_payment("2026-04-04 10:00:00", "0.004", 1)
    add_payment("2026-04-05 10:00:00", "-20", 1)
    add_payment("2026-04-06 10:00:00", "0", 1)
    add_payment("2026-03-30 10:00:00", "1000", 1)
    # CaTV
    for tid, name, price in ((1, "Social", "10"), (3, "Std", "50"), (10, "Illegal", "0"), (11, "Complex", "30")):
        h.exec("INSERT INTO ukv_tariffs (id, tariffname, price) VALUES (%s,%s,%s)", (tid, name, price))
    for uid, tid, cash, active, reg in ((1, 3, "-100", 1, "2026-04-02 10:00:00"),
                                        (2, 3, "-100.5", 1, "2025-01-01 10:00:00"),
                                        (3, 11, "0", 1, "2025-01-01 10:00:00"),
                                        (4, 10, "5", 1, "2025-01-01 10:00:00"),
                                        (5, 1, "5", 0, "2026-03-31 10:00:00"),
                                        (6, 99, "-3.333", 1, "2026-04-10 10:00:00")):
        h.exec("INSERT INTO ukv_users (id, tariffid, cash, active, regdate) VALUES (%s,%s,%s,%s,%s)",
               (uid, tid, cash, active, reg))
    for d, summ, vis in (("2026-04-01 10:00:00", "30", 1), ("2026-04-02 10:00:00", "15.555", 1),
                         ("2026-04-03 10:00:00", "10", 1), ("2026-04-04 10:00:00", "20", 0),
                         ("2026-04-05 10:00:00", "-5", 1), ("2026-03-05 10:00:00", "99", 1)):
        h.exec("INSERT INTO ukv_payments (userid, date, admin, balance, summ, visible, cashtypeid)"
               " VALUES (1,%s,'admin','0',%s,%s,1)", (d, summ, vis))
    # equipment
    for desc in ("core", "NP dead", "np lowercase", ""):
        h.exec("INSERT INTO switches (modelid, ip, `desc`) VALUES (1,'127.0.0.1',%s)", (desc,))
    for d, dead in (("2026-04-01 10:00:00", 'a:2:{s:9:"127.0.0.1";s:1:"a";s:9:"127.0.0.2";s:1:"b";}'),
                    ("2026-04-02 10:00:00", 'a:3:{i:0;i:1;i:1;i:2;i:2;i:3;}'),
                    ("2026-04-03 10:00:00", ""),
                    ("2026-03-02 10:00:00", 'a:5:{i:0;i:1;i:1;i:2;i:2;i:3;i:3;i:4;i:4;i:5;}')):
        h.exec("INSERT INTO switchdeadlog (date, timestamp, swdead) VALUES (%s,0,%s)", (d, dead))
    for mac in ("aa:bb:cc:00:00:01", "aa:bb:cc:00:00:02"):
        h.exec("INSERT INTO pononu (onumodelid, oltid, ip, mac, serial, login) VALUES (1,1,'',%s,'','')", (mac,))
    h.exec("INSERT INTO modems (maclan, macusb, ip, conftemplate, nic, note) VALUES ('m','m','','','','')")
    # WDYC
    for d, m, r, u, t in (("2026-04-01", 3, 2, 1, 100), ("2026-04-02", 1, 1, 0, 50), ("2026-03-31", 9, 9, 9, 999)):
        h.exec("INSERT INTO wdycinfo (date, missedcount, recallscount, unsucccount, missednumbers, totaltrytime)"
               " VALUES (%s,%s,%s,%s,'',%s)", (d, m, r, u, t))
    # ClapTrapBot, sigreq, tickets, tasks, capabilities
    for active in (1, 1, 0):
        h.exec("INSERT INTO ct_auth (chatid, login, password, active) VALUES ('1','l','p',%s)", (active,))
    for d in ("2026-04-01 10:00:00", "2026-04-09 10:00:00", "2026-03-09 10:00:00"):
        h.exec("INSERT INTO sigreq (date, state, ip, street, build, apt, realname, phone, service)"
               " VALUES (%s,0,'','','','','','','')", (d,))
    for d, frm in (("2026-04-01 10:00:00", "act1"), ("2026-04-02 10:00:00", None),
                   ("2026-04-03 10:00:00", "NULL"), ("2026-03-03 10:00:00", "act1")):
        h.exec("INSERT INTO ticketing (date, `from`, text) VALUES (%s,%s,'t')", (d, frm))
    for d in ("2026-04-01 10:00:00", "2026-04-14 10:00:00", "2026-03-14 10:00:00"):
        h.exec("INSERT INTO taskman (date, address, jobtype, employee, startdate, status)"
               " VALUES (%s,'',1,1,'2026-04-20',0)", (d,))
    for d, state in (("2026-04-01 10:00:00", 0), ("2026-04-02 10:00:00", 0), ("2026-04-03 10:00:00", 1),
                     ("2026-03-03 10:00:00", 0)):
        h.exec("INSERT INTO capab (date, stateid) VALUES (%s,%s)", (d, state))
    # CDR: (uniqueid, time, src, dst, disposition, duration, billsec, userfield, lastapp)
    cdr = [("1.1", "2026-04-01 10:00:00", "0501", "100", "NO ANSWER", 5, 0, "in", "Queue"),
           ("1.1", "2026-04-01 10:00:20", "0501", "101", "ANSWERED", 40, 30, "in", "Queue"),
           ("1.2", "2026-04-02 11:00:00", "0502", "100", "NO ANSWER", 10, 0, "in", "Queue"),
           ("1.3", "2026-04-03 20:00:00", "0503", "100", "ANSWERED", 120, 100, "in", "Queue"),
           ("1.4", "2026-04-04 12:00:00", "101", "0504", "ANSWERED", 50, 45, "out", "Dial"),
           ("1.5", "2026-04-05 13:00:00", "101", "0505", "NO ANSWER", 20, 0, "out", "Dial"),
           ("1.6", "2026-04-06 09:00:00", "0506", "100", "ANSWERED", 20, 15, "", "Queue"),
           ("1.7", "2026-03-31 10:00:00", "0507", "100", "ANSWERED", 20, 15, "in", "Queue"),
           ("1.8", "2026-04-16 10:00:00", "0508", "100", "ANSWERED", 20, 15, "in", "Queue"),
           ("1.9", "2026-04-07 10:00:00", "101", "102", "ANSWERED", 20, 15, "local", "Dial")]
    c = h.db_root()
    try:
        with c.cursor() as cur:
            for (uid, t, src, dst, disp, dur, bill, uf, app) in cdr:
                cur.execute("INSERT INTO `%s`.cdr (calldate, src, dst, dcontext, dstchannel, lastapp, duration,"
                            " billsec, disposition, uniqueid, userfield) VALUES"
                            " (%%s,%%s,%%s,'from-trunk','',%%s,%%s,%%s,%%s,%%s,%%s)" % CDR_DB,
                            (t, src, dst, app, dur, bill, disp, uid, uf))
    finally:
        c.close()


def everything_on():
    return h.config(alter={
        "EXHORSE_ENABLED": "1", "COMPLEX_ENABLED": "1", "COMPLEX_MASKS": "Easter, TV",
        "EXHORSE_CASHIDS": "1, 10", "UKV_ENABLED": "1", "UKV_MONTH_DEBTLIMIT": "2",
        "UKV_ILLEGAL_TARIFFID": "10", "UKV_SOCIAL_TARIFFID": "1", "UKV_COMPLEX_TARIFFID": "11",
        "TELEPONY_ENABLED": "1", "WORKING_HOURS": "09:00-18:00",
        "TELEPONY_CDR": "127.0.0.1:%d|%s|%s|%s|cdr" % (h.DB_PORT, CDR_USER, CDR_PASSWORD, CDR_DB),
        "PON_ENABLED": "1", "DOCSIS_SUPPORT": "1", "WDYC_ENABLED": "1", "CLAPTRAPBOT_ENABLED": "1",
        "SIGREQ_ENABLED": "1", "CAPABDIR_ENABLED": "1"})


def test_crafted_month_exact_row():
    fresh()
    fill_month()
    with everything_on():
        assert run() == (0, "OK:EXHORSE")
    got = rows()
    assert len(got) == 1
    assert got[0]["date"] == NOW
    want = expected(
        u_totalusers=8, u_activeusers=3, u_inactiveusers=2, u_frozenusers=1,
        u_complextotal=3, u_complexactive=1, u_complexinactive=2, u_signups=5,
        u_citysignups=ser_cities([("Kyiv", 2), ("7", 1)]),
        f_totalmoney="160.56", f_paymentscount=4, f_cashmoney=100, f_cashcount=2,
        f_arpu="40.14", f_arpau="53.52",
        c_totalusers=6, c_activeusers=3, c_inactiveusers=3, c_illegal=1, c_complex=1, c_social=1,
        c_totalmoney="55.56", c_paymentscount=3, c_arpu="18.52", c_arpau="27.78", c_totaldebt="-203.83",
        c_signups=2,
        a_totalcalls=3, a_totalanswered=2, a_totalcallsduration=45, a_averagecallduration=23,
        a_outtotalcalls=2, a_outtotalanswered=1, a_outtotalcallsduration=45, a_outaveragecallduration=45,
        e_switches=2, e_pononu=2, e_docsis=1, e_deadswintervals=5,
        a_recallunsuccess="57.14", a_recalltrytime=38,
        t_sigreq=2, t_tickets=1, t_tasks=2, t_capabtotal=3, t_capabundone=2,
        ct_totalusers=3, ct_activeusers=2)
    assert horse_row(got[0]) == want, sorted(set(horse_row(got[0]).items()) ^ set(want.items()))
    assert h.sql("SELECT date, admin, ip, event FROM weblogs WHERE event LIKE 'EXHORSE%%' ORDER BY id",
                 strings=True) == [(NOW, "guest", "127.0.0.1", "EXHORSE SAVE DATA")]


def test_features_off_only_base_counters():
    fresh()
    fill_month()
    with h.config(alter={"EXHORSE_ENABLED": "1", "COMPLEX_MASKS": "Easter"}):
        assert run() == (0, "OK:EXHORSE")
    want = expected(
        u_totalusers=8, u_activeusers=3, u_inactiveusers=2, u_frozenusers=1, u_signups=5,
        u_citysignups=ser_cities([("Kyiv", 2), ("7", 1)]),
        # default cash type 1 only
        f_totalmoney="160.56", f_paymentscount=4, f_cashmoney=100, f_cashcount=2,
        f_arpu="40.14", f_arpau="53.52", e_switches=2, e_deadswintervals=5, t_tickets=1, t_tasks=2)
    assert horse_row(rows()[0]) == want


def test_spec_acceptance_three_users_two_payments():
    fresh()
    add_user("a", "10", "0", 0, 0, 1, "T")
    add_user("b", "-10", "0", 0, 0, 1, "T")
    add_user("c", "0", "0", 1, 0, 1, "T")
    add_payment("2026-04-02 10:00:00", "100", 1)
    add_payment("2026-04-03 10:00:00", "50.555", 2)
    with h.config(alter={"EXHORSE_ENABLED": "1"}):
        assert run() == (0, "OK:EXHORSE")
    r = rows()
    assert len(r) == 1
    assert {k: r[0][k] for k in ("u_totalusers", "u_activeusers", "u_inactiveusers", "u_frozenusers",
                                 "f_totalmoney", "f_paymentscount", "f_cashmoney", "f_cashcount",
                                 "f_arpu", "f_arpau", "u_signups", "u_citysignups")} == {
        "u_totalusers": "3", "u_activeusers": "1", "u_inactiveusers": "1", "u_frozenusers": "1",
        "f_totalmoney": "150.56", "f_paymentscount": "2", "f_cashmoney": "100", "f_cashcount": "1",
        "f_arpu": "75.28", "f_arpau": "150.56", "u_signups": "0", "u_citysignups": ""}
    assert h.sql("SELECT admin, event FROM weblogs WHERE event LIKE 'EXHORSE%%'") == [("guest", "EXHORSE SAVE DATA")]


def test_through_http_current_month():
    fresh()
    today = time.strftime("%Y-%m-%d")
    add_user("a", "10", "0", 0, 0, 1, "T")
    add_payment(today + " 00:00:01", "12.345", 1)
    add_payment(today + " 00:00:02", "7", 3)
    with h.config(alter={"EXHORSE_ENABLED": "1"}):
        assert h.api_text("action=exhorse") == "OK:EXHORSE"
    r = rows()
    assert len(r) == 1 and r[0]["date"].startswith(today)
    assert (r[0]["u_activeusers"], r[0]["f_totalmoney"], r[0]["f_cashmoney"], r[0]["f_arpu"]) == (
        "1", "19.35", "12.35", "9.68")


def test_signups_without_cities():
    fresh()
    h.exec("INSERT INTO userreg (date, admin, login, address) VALUES ('2026-04-01 00:00:00','admin','nobody','')")
    with h.config(alter={"EXHORSE_ENABLED": "1"}):
        assert run() == (0, "OK:EXHORSE")
    r = rows()[0]
    assert (r["u_signups"], r["u_citysignups"]) == ("1", "YTowOnt9")  # base64("a:0:{}")


def test_disabled():
    fresh()
    for value in (None, "0", ""):
        with h.config(alter={"EXHORSE_ENABLED": value}):
            assert run() == (1, "ERROR:EXHORSE_DISABLED")
            assert h.api_text("action=exhorse") == "ERROR:EXHORSE_DISABLED"
    assert rows() == []


def test_complex_masks_empty():
    fresh()
    add_user("a", "10", "0", 0, 0, 1, "T")
    for masks in (None, "", "0"):
        with h.config(alter={"EXHORSE_ENABLED": "1", "COMPLEX_ENABLED": "1", "COMPLEX_MASKS": masks}):
            assert run() == (1, "ERROR:EXHORSE_COMPLEX_MASKS_EMPTY")
    assert rows() == []
    assert h.sql("SELECT COUNT(*) FROM weblogs WHERE event LIKE 'EXHORSE%%'")[0][0] == 0
    # the lock was given back
    assert h.sql("SELECT IS_FREE_LOCK('stardustPID_EXHORSE')")[0][0] == 1


def test_busy_stardust_lock():
    fresh()
    holder = h.db(new=True)
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT GET_LOCK('stardustPID_EXHORSE', 0)")
            assert cur.fetchone()[0] == 1
        with h.config(alter={"EXHORSE_ENABLED": "1"}):
            assert run() == (0, "SKIP:EXHORSE_ALREADY_RUNNING")
            assert h.api_text("action=exhorse") == "SKIP:EXHORSE_ALREADY_RUNNING"
    finally:
        holder.close()
    assert rows() == []
    with h.config(alter={"EXHORSE_ENABLED": "1"}):
        assert run() == (0, "OK:EXHORSE")
    assert len(rows()) == 1
    assert h.sql("SELECT IS_FREE_LOCK('stardustPID_EXHORSE')")[0][0] == 1


def test_busy_flock_forced():
    fresh()
    os.makedirs(os.path.dirname(LOCK_FILE), exist_ok=True)
    with open(LOCK_FILE, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with h.config(alter={"EXHORSE_ENABLED": "1", "STARDUST_FLOCK_FORCE": "1"}):
            assert run() == (0, "SKIP:EXHORSE_ALREADY_RUNNING")
        fcntl.flock(f, fcntl.LOCK_UN)
    assert rows() == []
    with h.config(alter={"EXHORSE_ENABLED": "1", "STARDUST_FLOCK_FORCE": "1"}):
        assert run() == (0, "OK:EXHORSE")
    assert len(rows()) == 1
    with open(LOCK_FILE) as f:
        assert f.read() == ""  # truncated on stop, like PHP's StarDust


def old_row(date):
    h.exec("INSERT INTO exhorse (date, u_totalusers) VALUES (%s, 99)", (date,))


def test_ebobo_keeps_latest_row_of_each_month():
    fresh()
    for d in ("2026-02-10 23:50:00", "2026-03-10 23:50:00", "2026-03-20 23:50:00", "2026-04-01 23:50:00"):
        old_row(d)
    with h.config(alter={"EXHORSE_ENABLED": "1"}):
        assert run("exhorse&ebobo=1") == (0, "OK:EXHORSE")
    assert [r["date"] for r in rows()] == ["2026-02-10 23:50:00", "2026-03-20 23:50:00", NOW]
    assert h.sql("SELECT event FROM weblogs WHERE event LIKE 'EXHORSE%%'") == [("EXHORSE SAVE DATA",)]


def test_ebobo_zero_is_no_ebobo():
    fresh()
    for d in ("2026-03-10 23:50:00", "2026-03-20 23:50:00"):
        old_row(d)
    with h.config(alter={"EXHORSE_ENABLED": "1"}):
        assert run("exhorse&ebobo=0") == (0, "OK:EXHORSE")
    assert len(rows()) == 3


def test_last_day_of_month_cleanup():
    fresh()
    for d in ("2026-03-31 23:50:00", "2026-04-10 23:50:00", "2026-04-29 23:50:00", "2026-04-30 08:00:00"):
        old_row(d)
    last = "2026-04-30 23:50:00"
    with h.config(alter={"EXHORSE_ENABLED": "1"}):
        assert run(now=last) == (0, "OK:EXHORSE")
    assert [r["date"] for r in rows()] == ["2026-03-31 23:50:00", "2026-04-30 08:00:00", last]
    assert h.sql("SELECT date, event FROM weblogs WHERE event LIKE 'EXHORSE%%' ORDER BY id", strings=True) == [
        (last, "EXHORSE SAVE DATA"), (last, "EXHORSE CLEANUP MONTH `2026-04`")]
    # not the last day: nothing removed
    with h.config(alter={"EXHORSE_ENABLED": "1"}):
        assert run(now="2026-05-30 23:50:00") == (0, "OK:EXHORSE")
    assert len(rows()) == 4


def test_cdr_unavailable_saves_nothing():
    fresh()
    with h.config(alter={"EXHORSE_ENABLED": "1", "TELEPONY_ENABLED": "1",
                         "TELEPONY_CDR": "127.0.0.1:1|%s|%s|%s|cdr" % (CDR_USER, CDR_PASSWORD, CDR_DB)}):
        assert run() == (1, "ERROR:TELEPONY_CDR_UNAVAILABLE")
    with h.config(alter={"EXHORSE_ENABLED": "1", "TELEPONY_ENABLED": "1", "TELEPONY_CDR": "127.0.0.1|u|p|cdr"}):
        assert run() == (1, "ERROR:TELEPONY_CDR_INVALID")
    # TELEPONY_CDR empty: the calls feature is simply off
    with h.config(alter={"EXHORSE_ENABLED": "1", "TELEPONY_ENABLED": "1", "TELEPONY_CDR": ""}):
        assert run() == (0, "OK:EXHORSE")
    assert len(rows()) == 1
    assert h.sql("SELECT IS_FREE_LOCK('stardustPID_EXHORSE')")[0][0] == 1


def test_working_hours_wrap_midnight():
    fresh()
    cdr = [("2.1", "2026-04-01 23:30:00", "in", "ANSWERED", 10), ("2.2", "2026-04-02 02:00:00", "in", "ANSWERED", 20),
           ("2.3", "2026-04-02 12:00:00", "in", "ANSWERED", 40)]
    c = h.db_root()
    try:
        with c.cursor() as cur:
            for uid, t, uf, disp, bill in cdr:
                cur.execute("INSERT INTO `%s`.cdr (calldate, src, dst, disposition, billsec, uniqueid, userfield,"
                            " lastapp) VALUES (%%s,'0501','100',%%s,%%s,%%s,%%s,'Dial')" % CDR_DB,
                            (t, disp, bill, uid, uf))
    finally:
        c.close()
    with h.config(alter={"EXHORSE_ENABLED": "1", "TELEPONY_ENABLED": "1", "WORKING_HOURS": "22:00-03:00",
                         "TELEPONY_CDR": "127.0.0.1:%d|%s|%s|%s|cdr" % (h.DB_PORT, CDR_USER, CDR_PASSWORD,
                                                                        CDR_DB)}):
        assert run() == (0, "OK:EXHORSE")
    r = rows()[0]
    assert (r["a_totalcalls"], r["a_totalanswered"], r["a_totalcallsduration"], r["a_averagecallduration"]) == (
        "2", "2", "30", "15")


if __name__ == "__main__":
    h.main(globals())
