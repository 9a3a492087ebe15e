"""friendshipdaily, crimeandpunishment, pt and karmaguard (spec accounts
§2.12, §2.13, §2.15, §2.16): the spec's acceptance checks on the direct
backend and the Stargazer peer, dry runs, locks, reqid replay, clock edges
through the CLI with UBAPI_NOW, and the locks of every scheduler action."""
import os
import shutil
import tempfile
import threading
import uuid

import harness as h

OWN_TABLES = ["users", "tariffs", "capdata", "friendship", "pt_tariffs", "pt_users", "pt_log",
              "ddt_options", "ddt_users", "ddt_chargeopts", "ddt_charges", "userreg", "dealwithit",
              "dealwithithist", "userspeeds", "tags", "discounts"]
MONEY = ["payments", "paymentscorr", "weblogs", "users", "capdata", "pt_users", "pt_log"]
CAPLOG = os.path.join(h.root, "content", "documents", "crimeandpunishment.log")


def clean():
    # batch actions read every user and their payments: start from none
    for t in OWN_TABLES + ["payments", "paymentscorr"]:
        h.exec("DELETE FROM `%s`" % t)
    if os.path.exists(CAPLOG):
        os.unlink(CAPLOG)


def user(login, cash="0", credit="0", tariff="", passive=0, down=0, ao=0):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Note,Credit,"
           "TariffChange,Userdata0,Userdata1,Userdata2,Userdata3,Userdata4,Userdata5,Userdata6,"
           "Userdata7,Userdata8,Userdata9,CreditExpire,Cash,NAS) VALUES (%s,'*',%s,%s,%s,%s,'',"
           "%s,'','','','','','','','','','','',0,%s,'')",
           (login, passive, down, ao, tariff, credit, cash))


def tariff(name, fee):
    h.exec("INSERT INTO tariffs (name,Fee) VALUES (%s,%s)", (name, fee))


def mark(table):
    return h.sql("SELECT IFNULL(MAX(id),0) FROM `%s`" % table)[0][0]


def rows_after(table, since, cols="login,summ,cashtypeid,note,balance,admin"):
    return h.sql("SELECT %s FROM `%s` WHERE id>%%s ORDER BY id" % (cols, table), (str(since),),
                 strings=True)


def events_after(since):
    return [r[0] for r in h.sql("SELECT event FROM weblogs WHERE id>%s ORDER BY id", (str(since),),
                                strings=True)]


def cash(login):
    return h.sql("SELECT CAST(Cash AS CHAR) FROM users WHERE login=%s", (login,), strings=True)[0][0]


def run(query, now=None):
    env = {"UBAPI_NOW": now} if now else {}
    rc, out, err = h.cli([query], env=env)
    assert b"Sanitizer" not in err and b"runtime error" not in err, err.decode("utf-8", "replace")
    text = out.decode("utf-8")
    assert rc == (1 if text.startswith("ERROR") else 0), (rc, text)
    return text


def api(query):
    status, _, body = h.api(query)
    assert status == 200, status
    return body.decode("utf-8")


def caplog():
    if not os.path.exists(CAPLOG):
        return []
    with open(CAPLOG, encoding="utf-8") as f:
        return f.read().splitlines()


# ---------------------------------------------------------------- friendshipdaily

FRIENDS = {"FRIENDSHIP_ENABLED": "1", "FRIENDSHIP_PERCENT": "10", "FRIENDSHIP_CASHTYPEID": "4"}


def friends_setup(day="2024-02-29"):
    clean()
    user("p1", cash="5")
    user("f1")
    user("f2")
    h.exec("INSERT INTO friendship (friend,parent) VALUES ('f1','p1'),('f2','p1')")
    pay = "INSERT INTO payments (login,date,admin,balance,summ,cashtypeid,note) VALUES (%s,%s,'x','0',%s,1,'')"
    ids = {
        "f1": h.insert(pay, ("f1", day + " 12:00:00", "200")),
        "f1neg": h.insert(pay, ("f1", day + " 13:00:00", "-50")),
        "f2": h.insert(pay, ("f2", day + " 23:59:59", "33.33")),
        "today": h.insert(pay, ("f1", "2024-03-01 00:00:00", "1000")),
        "older": h.insert(pay, ("f1", "2024-02-28 23:59:59", "1000")),
        "stranger": h.insert(pay, ("p1", day + " 10:00:00", "70")),
    }
    return ids


def test_friendship_disabled():
    clean()
    snap = h.snapshot(MONEY)
    with h.config(alter={"FRIENDSHIP_ENABLED": "0"}):
        assert run("friendshipdaily") == "ERROR:FRIENDSHIP DISABLED"
    h.assert_unchanged(snap)


def test_friendship_bonus_from_yesterday_leap_day():
    ids = friends_setup()
    p0, w0 = mark("payments"), mark("weblogs")
    with h.config(alter=FRIENDS):
        assert run("friendshipdaily", now="2024-03-01 09:00:00") == "OK:FRIENDSHIP"
        got = rows_after("payments", p0)
        # 10 % of 200 and of 33.33 (rounded to cents); refunds and today's payment earn nothing
        assert got == [("p1", "20", "4", "FRIENDSHIP:%d" % ids["f1"], "5", "guest"),
                       ("p1", "3.33", "4", "FRIENDSHIP:%d" % ids["f2"], "25", "guest")], got
        assert events_after(w0) == ["BALANCEADD (p1) ON 20", "BALANCEADD (p1) ON 3.33"]
        assert cash("p1") == "28.33"
        # the same day again: every bonus is already paid
        snap = h.snapshot(MONEY)
        assert run("friendshipdaily", now="2024-03-01 18:00:00") == "OK:FRIENDSHIP"
        h.assert_unchanged(snap)


def test_friendship_year_end():
    clean()
    user("p1")
    user("f1")
    h.exec("INSERT INTO friendship (friend,parent) VALUES ('f1','p1')")
    pid = h.insert("INSERT INTO payments (login,date,admin,balance,summ,cashtypeid,note) VALUES "
                   "('f1','2024-12-31 20:00:00','x','0','50',1,'')")
    p0 = mark("payments")
    with h.config(alter=FRIENDS):
        assert run("friendshipdaily", now="2025-01-01 00:05:00") == "OK:FRIENDSHIP"
    assert rows_after("payments", p0, "login,summ,note") == [("p1", "5", "FRIENDSHIP:%d" % pid)]


def test_friendship_dryrun_changes_nothing():
    ids = friends_setup()
    snap = h.snapshot(MONEY)
    with h.config(alter=FRIENDS):
        out = run("friendshipdaily&dryrun=1", now="2024-03-01 09:00:00")
        assert out == ("p1\t20\tFRIENDSHIP:%d\tpayments\np1\t3.33\tFRIENDSHIP:%d\tpayments\nOK:FRIENDSHIP"
                       % (ids["f1"], ids["f2"])), out
        assert run("friendshipdaily&dryrun=2") == "ERROR:WRONG_DRYRUN"
        assert run("friendshipdaily&dryrun=yes") == "ERROR:WRONG_DRYRUN"
    h.assert_unchanged(snap)


def test_friendship_bad_config_changes_nothing():
    friends_setup()
    snap = h.snapshot(MONEY)
    for bad in ({"FRIENDSHIP_PERCENT": "ten"}, {"FRIENDSHIP_PERCENT": "-5"},
                {"FRIENDSHIP_CASHTYPEID": "x"}):
        with h.config(alter=dict(FRIENDS, **bad)):
            assert run("friendshipdaily", now="2024-03-01 09:00:00") == "ERROR:WRONG_CONFIG"
    h.assert_unchanged(snap)


def test_friendship_stargazer_peer():
    ids = friends_setup()
    p0 = mark("payments")
    with h.stgpeer(users=["p1:5:0:0:0:1:T:0", "f1:0:0:0:0:1:T:0", "f2:0:0:0:0:1:T:0"]) as peer:
        with h.config(alter=FRIENDS):
            assert run("friendshipdaily", now="2024-03-01 09:00:00") == "OK:FRIENDSHIP"
        log = peer.setuser_log()
        assert len(log) == 2 and '<cash add="20"' in log[0] and '<cash add="3.33"' in log[1], log
        assert peer.state()["p1"]["cash"] in ("28.33", "28.330000"), peer.state()
    assert rows_after("payments", p0, "login,summ,note") == [
        ("p1", "20", "FRIENDSHIP:%d" % ids["f1"]), ("p1", "3.33", "FRIENDSHIP:%d" % ids["f2"])]
    assert cash("p1") == "5"  # Stargazer's state is the truth, not the users row


def test_friendship_stargazer_refusing_writes_no_rows():
    friends_setup()
    snap = h.snapshot(["payments", "paymentscorr"])
    with h.stgpeer(users=["p1:5:0:0:0:1:T:0"], mode="refuse"):
        with h.config(alter=FRIENDS):
            assert run("friendshipdaily", now="2024-03-01 09:00:00") == "ERROR:BILLING_CORE"
    h.assert_unchanged(snap)


def test_friendship_concurrent_calls_pay_once():
    # through nginx (real clock): yesterday's payment, two calls at once
    clean()
    user("p1")
    user("f1")
    h.exec("INSERT INTO friendship (friend,parent) VALUES ('f1','p1')")
    h.exec("INSERT INTO payments (login,date,admin,balance,summ,cashtypeid,note) VALUES "
           "('f1',NOW() - INTERVAL 1 DAY,'x','0','100',1,'')")
    p0 = mark("payments")
    replies = []
    with h.config(alter=FRIENDS):
        ts = [threading.Thread(target=lambda: replies.append(api("action=friendshipdaily")))
              for _ in range(3)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        assert api("action=friendshipdaily") == "OK:FRIENDSHIP"
    assert set(replies) <= {"OK:FRIENDSHIP", "SKIP:FRIENDSHIPDAILY_ALREADY_RUNNING"}, replies
    assert rows_after("payments", p0, "login,summ") == [("p1", "10")]
    assert cash("p1") == "10"


# ---------------------------------------------------------------- crimeandpunishment

CAP = {"CAP_ENABLED": "1", "CAP_DAYLIMIT": "30", "CAP_PENALTY": "20", "CAP_PAYID": "1",
       "CAP_PENALTY_PERCENT": "0", "CAP_IGNOREFROZEN": "1"}
NOW = "2024-05-10 03:00:00"


def test_cap_disabled():
    clean()
    user("u1", cash="-10")
    snap = h.snapshot(MONEY)
    with h.config(alter={"CAP_ENABLED": "0"}):
        assert run("crimeandpunishment") == "ERROR:CRIMEANDPUNISHMENT_DISABLED"
    h.assert_unchanged(snap)


def test_cap_new_debtor_gets_counter():
    clean()
    user("u1", cash="-10")
    user("ok", cash="5")
    user("cold", cash="-10", passive=1)       # frozen: ignored
    user("cr", cash="-10", credit="20")       # within credit: not a debtor
    with h.config(alter=CAP):
        assert run("crimeandpunishment", now=NOW) == "OK:CRIMEANDPUNISHMENT"
    assert h.sql("SELECT login,date,days FROM capdata", strings=True) == [("u1", "2024-05-10 03:00:00", "1")]
    assert caplog() == ["2024-05-10 03:00:00 CAP CREATE (u1)"]


def test_cap_penalty_at_limit_both_modes():
    for percent, want in (("0", "-20"), ("10", "-15")):
        clean()
        tariff("T150", "150")
        user("u1", cash="-10", tariff="T150")
        h.exec("INSERT INTO capdata (login,date,days) VALUES ('u1','2024-04-01 00:00:00',30)")
        p0, w0 = mark("payments"), mark("weblogs")
        with h.config(alter=dict(CAP, CAP_PENALTY_PERCENT=percent)):
            assert run("crimeandpunishment", now=NOW) == "OK:CRIMEANDPUNISHMENT"
        assert rows_after("payments", p0) == [("u1", want, "1", "PENALTY:30", "-10", "guest")]
        assert events_after(w0) == ["BALANCEADD (u1) ON %s" % want]
        assert h.sql("SELECT days FROM capdata WHERE login='u1'")[0][0] == 31
        assert caplog() == ["%s CAP PENALTY (u1) DAYS:30 PENALTY:%s" % (NOW, want),
                            "%s CAP UPDATE (u1) DAYS:31" % NOW]
        # past the limit: counting on, no second penalty
        p1 = mark("payments")
        with h.config(alter=dict(CAP, CAP_PENALTY_PERCENT=percent)):
            assert run("crimeandpunishment", now=NOW) == "OK:CRIMEANDPUNISHMENT"
        assert rows_after("payments", p1) == []
        assert h.sql("SELECT days FROM capdata WHERE login='u1'")[0][0] == 32


def test_cap_power_tariff_price_for_zero_fee():
    clean()
    tariff("P0", "0")
    user("u1", cash="-1", tariff="P0")
    h.exec("INSERT INTO pt_tariffs (tariff,fee) VALUES ('P0',300)")
    h.exec("INSERT INTO capdata (login,date,days) VALUES ('u1','2024-04-01 00:00:00',5)")
    p0 = mark("payments")
    with h.config(alter=dict(CAP, CAP_DAYLIMIT="5", CAP_PENALTY_PERCENT="10", PT_ENABLED="1")):
        assert run("crimeandpunishment", now=NOW) == "OK:CRIMEANDPUNISHMENT"
    assert rows_after("payments", p0, "summ,note") == [("-30", "PENALTY:5")]


def test_cap_payer_is_resurrected():
    clean()
    user("u1", cash="0", credit="0")
    h.exec("INSERT INTO capdata (login,date,days) VALUES ('u1','2024-04-01 00:00:00',12)")
    snap = h.snapshot(["payments", "weblogs"])
    with h.config(alter=CAP):
        assert run("crimeandpunishment", now=NOW) == "OK:CRIMEANDPUNISHMENT"
    assert h.sql("SELECT days FROM capdata WHERE login='u1'")[0][0] == 0
    assert caplog() == ["%s CAP UPDATE (u1) DAYS:0" % NOW, "%s CAP RESURRECTED (u1) DAYS:12" % NOW]
    h.assert_unchanged(snap)


def test_cap_dryrun_and_reqid():
    clean()
    user("u1", cash="-10")
    user("u2", cash="-10")
    h.exec("INSERT INTO capdata (login,date,days) VALUES ('u1','2024-04-01 00:00:00',30)")
    snap = h.snapshot(MONEY)
    with h.config(alter=CAP):
        assert run("crimeandpunishment&dryrun=1", now=NOW) == "u1\t-20\tPENALTY:30\tpayments\nOK:CRIMEANDPUNISHMENT"
        h.assert_unchanged(snap)
        assert caplog() == []
        # a retried request (same reqid) does not count a second day
        reqid = "cap-" + uuid.uuid4().hex
        assert run("crimeandpunishment&reqid=" + reqid, now=NOW) == "OK:CRIMEANDPUNISHMENT"
        assert run("crimeandpunishment&reqid=" + reqid, now=NOW) == "OK:CRIMEANDPUNISHMENT"
    assert h.sql("SELECT login,days FROM capdata ORDER BY login") == [("u1", 31), ("u2", 1)]
    assert len(h.sql("SELECT id FROM payments WHERE note='PENALTY:30' AND login='u1'")) == 1


def test_cap_stargazer_peer():
    clean()
    user("u1", cash="-10")
    h.exec("INSERT INTO capdata (login,date,days) VALUES ('u1','2024-04-01 00:00:00',30)")
    p0 = mark("payments")
    with h.stgpeer(users=["u1:-10:0:0:0:1:T:0"]) as peer:
        with h.config(alter=CAP):
            assert run("crimeandpunishment", now=NOW) == "OK:CRIMEANDPUNISHMENT"
        assert ['<cash add="-20"' in x for x in peer.setuser_log()] == [True]
        assert float(peer.state()["u1"]["cash"]) == -30
    assert rows_after("payments", p0, "login,summ,note") == [("u1", "-20", "PENALTY:30")]
    assert h.sql("SELECT days FROM capdata WHERE login='u1'")[0][0] == 31


def test_cap_refused_penalty_keeps_counter():
    # the core refused: no payment, and the counter stays at the limit so
    # the next run punishes (the unit was rolled back)
    clean()
    user("u1", cash="-10")
    h.exec("INSERT INTO capdata (login,date,days) VALUES ('u1','2024-04-01 00:00:00',30)")
    snap = h.snapshot(["payments", "capdata"])
    with h.stgpeer(users=["u1:-10:0:0:0:1:T:0"], mode="refuse"):
        with h.config(alter=CAP):
            assert run("crimeandpunishment", now=NOW) == "ERROR:BILLING_CORE"
    h.assert_unchanged(snap)


# ---------------------------------------------------------------- pt

PT = {"PT_ENABLED": "1", "PT_MAXDAY": "26", "PT_CHARGEONREG": "1"}


def pt_setup(cash="500", credit="0"):
    clean()
    h.exec("INSERT INTO pt_tariffs (tariff,fee) VALUES ('P1',300)")
    user("u1", cash=cash, credit=credit, tariff="P1")
    user("other", cash="500", tariff="Plain")


def test_pt_disabled():
    pt_setup()
    snap = h.snapshot(MONEY)
    with h.config(alter={"PT_ENABLED": "0"}):
        assert run("pt") == "ERROR: PT_DISABLED"
    h.assert_unchanged(snap)


def test_pt_register_charge_bury_resurrect():
    pt_setup()
    c0, w0 = mark("paymentscorr"), mark("weblogs")
    with h.config(alter=PT):
        assert run("pt", now="2024-05-07 04:00:00") == "OK: PT_ROCESSING"
        assert h.sql("SELECT login,day FROM pt_users") == [("u1", 7)]
        assert h.sql("SELECT date,login,tariff,day FROM pt_log", strings=True) == [
            ("2024-05-07 04:00:00", "u1", "P1", "7")]
        assert rows_after("paymentscorr", c0) == [("u1", "-300", "1", "PTFEE", "500", "guest")]
        assert events_after(w0) == []  # PT writes no weblog for its fee
        assert cash("u1") == "200"
        # the same day again charges nobody twice
        snap = h.snapshot(MONEY)
        assert run("pt", now="2024-05-07 20:00:00") == "OK: PT_ROCESSING"
        h.assert_unchanged(snap)
        # another day of the month: nothing
        assert run("pt", now="2024-05-20 04:00:00") == "OK: PT_ROCESSING"
        h.assert_unchanged(snap)
        # next month on the 7th: charged, balance below credit -> buried
        c1 = mark("paymentscorr")
        assert run("pt", now="2024-06-07 04:00:00") == "OK: PT_ROCESSING"
        assert rows_after("paymentscorr", c1, "login,summ,balance") == [("u1", "-300", "200")]
        assert h.sql("SELECT day FROM pt_users WHERE login='u1'")[0][0] == 0
        assert h.sql("SELECT day FROM pt_log ORDER BY id DESC LIMIT 1")[0][0] == 0
        # frozen at -100: stays buried; paying again resurrects on today's day
        assert run("pt", now="2024-06-09 04:00:00") == "OK: PT_ROCESSING"
        assert h.sql("SELECT day FROM pt_users WHERE login='u1'")[0][0] == 0
        h.exec("UPDATE users SET Cash=50 WHERE login='u1'")
        assert run("pt", now="2024-06-10 04:00:00") == "OK: PT_ROCESSING"
        assert h.sql("SELECT day FROM pt_users WHERE login='u1'")[0][0] == 10
        assert h.sql("SELECT day FROM pt_log ORDER BY id DESC LIMIT 1")[0][0] == 10


def test_pt_late_day_rolls_to_first_and_skips_fee():
    pt_setup()
    c0, w0 = mark("paymentscorr"), mark("weblogs")
    with h.config(alter=PT):
        assert run("pt", now="2024-05-28 04:00:00") == "OK: PT_ROCESSING"
    assert h.sql("SELECT login,day FROM pt_users") == [("u1", 1)]
    assert events_after(w0) == ["PT USER (u1) SKIP FEE ON DAY `28`"]
    assert rows_after("paymentscorr", c0) == []
    assert cash("u1") == "500"


def test_pt_last_day_of_february_and_maxday_edge():
    # MAXDAY 29: Feb 29 (leap year) rolls to day 1; Feb 28 is still a day
    pt_setup()
    with h.config(alter=dict(PT, PT_MAXDAY="29")):
        assert run("pt", now="2024-02-29 04:00:00") == "OK: PT_ROCESSING"
        assert h.sql("SELECT day FROM pt_users") == [(1,)]
        c0 = mark("paymentscorr")
        # March 1st is the registered day 1: charged
        assert run("pt", now="2024-03-01 04:00:00") == "OK: PT_ROCESSING"
        assert rows_after("paymentscorr", c0, "login,summ") == [("u1", "-300")]


def test_pt_inactive_users_not_registered():
    clean()
    h.exec("INSERT INTO pt_tariffs (tariff,fee) VALUES ('P1',300)")
    user("neg", cash="-1", credit="100", tariff="P1")
    user("cold", cash="100", tariff="P1", passive=1)
    snap = h.snapshot(MONEY)
    with h.config(alter=PT):
        assert run("pt", now="2024-05-07 04:00:00") == "OK: PT_ROCESSING"
    h.assert_unchanged(snap)


def test_pt_dryrun_and_bad_config():
    pt_setup()
    snap = h.snapshot(MONEY)
    with h.config(alter=PT):
        assert run("pt&dryrun=1", now="2024-05-07 04:00:00") == "u1\t-300\tPTFEE\tpaymentscorr\nOK: PT_ROCESSING"
    with h.config(alter=dict(PT, PT_MAXDAY="abc")):
        assert run("pt", now="2024-05-07 04:00:00") == "ERROR:WRONG_CONFIG"
    h.assert_unchanged(snap)


def test_pt_stargazer_peer():
    pt_setup()
    c0 = mark("paymentscorr")
    with h.stgpeer(users=["u1:500:0:0:0:1:P1:0", "other:500:0:0:0:1:Plain:0"]) as peer:
        with h.config(alter=PT):
            assert run("pt", now="2024-05-07 04:00:00") == "OK: PT_ROCESSING"
        log = peer.setuser_log()
        assert len(log) == 1 and '<login value="u1" />' in log[0] and '<cash add="-300"' in log[0], log
        assert float(peer.state()["u1"]["cash"]) == 200
    assert rows_after("paymentscorr", c0, "login,summ,balance,note") == [("u1", "-300", "500", "PTFEE")]


def test_pt_stargazer_refusing_registers_nobody():
    pt_setup()
    snap = h.snapshot(["paymentscorr", "pt_users", "pt_log"])
    with h.stgpeer(users=["u1:500:0:0:0:1:P1:0"], mode="refuse"):
        with h.config(alter=PT):
            assert run("pt", now="2024-05-07 04:00:00") == "ERROR:BILLING_CORE"
    h.assert_unchanged(snap)


# ---------------------------------------------------------------- karmaguard


def karma_setup():
    clean()
    user("u1", cash="0", ao=1)
    user("u2", cash="10", ao=1)
    user("u3", cash="-0.02", ao=1)    # still "must be online"
    user("poor", cash="-0.03", ao=1)  # below BadKarma's limit
    user("down", cash="5", ao=1, down=1)
    user("cold", cash="5", ao=1, passive=1)
    user("noao", cash="5", ao=0)
    d = tempfile.mkdtemp(prefix="dn-")
    return d


def test_karmaguard_disabled():
    clean()
    snap = h.snapshot(["weblogs"])
    with h.config(alter={"KARMA_CONTROL": "0"}):
        assert run("karmaguard") == "ERROR:KARMA_CONTROL_DISABLED"
    h.assert_unchanged(snap)


def test_karmaguard_resets_offline_users_direct():
    d = karma_setup()
    try:
        open(os.path.join(d, "u2"), "w").close()
        open(os.path.join(d, ".hidden"), "w").close()
        w0 = mark("weblogs")
        with h.config(alter={"KARMA_CONTROL": "1"}, ubapi={"karma": {"stargazer_dn_dir": d}}):
            assert run("karmaguard") == "OK:KARMAGUARD"
        assert events_after(w0) == ["KARMA GUARDRESET User (u1)", "KARMA GUARDRESET User (u3)"]
        assert h.sql("SELECT login,AlwaysOnline,Down FROM users WHERE login IN ('u1','u3') ORDER BY login") == [
            ("u1", 1, 0), ("u3", 1, 0)]
    finally:
        shutil.rmtree(d)


def test_karmaguard_stargazer_reset_pair():
    d = karma_setup()
    try:
        open(os.path.join(d, "u2"), "w").close()
        open(os.path.join(d, "u3"), "w").close()
        with h.stgpeer(users=["u1:0:0:0:0:1:T:0", "u2:10:0:0:0:1:T:0", "u3:0:0:0:0:1:T:0"]) as peer:
            with h.config(alter={"KARMA_CONTROL": "1"}, billing={"RESET_AO": "0"},
                          ubapi={"karma": {"stargazer_dn_dir": d}}):
                assert api("action=karmaguard") == "OK:KARMAGUARD"
            log = peer.setuser_log()
            assert len(log) == 2, log
            assert '<login value="u1" />' in log[0] and '<down value="1"' in log[0], log
            assert '<login value="u1" />' in log[1] and '<down value="0"' in log[1], log
    finally:
        shutil.rmtree(d)


def test_karmaguard_empty_or_missing_dir_resets_nobody():
    d = karma_setup()
    try:
        snap = h.snapshot(["weblogs", "users"])
        with h.stgpeer(users=["u1:0:0:0:0:1:T:0"]) as peer:
            for path in (d, os.path.join(d, "missing")):
                with h.config(alter={"KARMA_CONTROL": "1"}, ubapi={"karma": {"stargazer_dn_dir": path}}):
                    assert run("karmaguard") == "OK:KARMAGUARD"
            assert peer.setuser_log() == []
        h.assert_unchanged(snap)
    finally:
        shutil.rmtree(d)


# ---------------------------------------------------------------- locks of every scheduler action

LOCKED = [
    ("friendshipdaily", "ubapi_friendshipdaily", "SKIP:FRIENDSHIPDAILY_ALREADY_RUNNING", FRIENDS),
    ("crimeandpunishment", "ubapi_crimeandpunishment", "SKIP:CRIMEANDPUNISHMENT_ALREADY_RUNNING", CAP),
    ("pt", "ubapi_pt", "SKIP:PT_ALREADY_RUNNING", PT),
    ("karmaguard", "ubapi_karmaguard", "SKIP:KARMAGUARD_ALREADY_RUNNING", {"KARMA_CONTROL": "1"}),
    ("dealwithit", "ubapi_dealwithit", "SKIP:DEALWITHIT_ALREADY_RUNNING", {"DEALWITHIT_ENABLED": "1"}),
    ("ddt", "stardustPID_DDT", "SKIP:DDT_ALREADY_RUNNING", {"DDT_ENABLED": "1", "DEALWITHIT_ENABLED": "1"}),
]


def test_every_action_skips_while_its_lock_is_held():
    clean()
    user("u1", cash="-10", tariff="P1", ao=1)
    h.exec("INSERT INTO pt_tariffs (tariff,fee) VALUES ('P1',300)")
    h.exec("INSERT INTO dealwithit (date,login,action,param,note) VALUES ('2000-01-01','u1','addcash','5','')")
    alter = {}
    for _, _, _, a in LOCKED:
        alter.update(a)
    with h.config(alter=alter):
        for action, lock, busy, _ in LOCKED:
            holder = h.db(new=True)
            try:
                with holder.cursor() as cur:
                    cur.execute("SELECT GET_LOCK(%s,0)", (lock,))
                    assert cur.fetchone()[0] == 1
                snap = h.snapshot(MONEY + ["dealwithit", "ubapi_requests"])
                assert run(action) == busy, action
                assert api("action=" + action) == busy, action
                h.assert_unchanged(snap)
            finally:
                holder.close()
            # ubapi did not take it over: free once the holder's disconnect
            # has reached the server (that part is asynchronous)
            h.wait_until(lambda: h.sql("SELECT IS_FREE_LOCK(%s)", (lock,))[0][0] == 1,
                         timeout=10, what="%s free" % lock)


if __name__ == "__main__":
    h.main(globals())
