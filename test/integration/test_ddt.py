"""ddt (spec accounts §2.14): doomsday tariffs, forced charges, the StarDust
lock (GET_LOCK and flock mode), PHP month arithmetic at the calendar's
edges (UBAPI_NOW through the CLI), dry runs, both backends."""
import fcntl
import os
import time

import harness as h
from test_schedulers import clean, events_after, mark, rows_after, run, tariff, user

DDT = {"DDT_ENABLED": "1", "DEALWITHIT_ENABLED": "1"}
UK_NOTE = "Тариф судного дня: T1"


def option(period="month", startnow=1, duration=1, chargefee=1, untilday=15, setcredit=0,
           move="T2", absolute=0, custom=0):
    h.exec("INSERT INTO ddt_options (tariffname,period,startnow,duration,chargefee,chargeuntilday,"
           "setcredit,tariffmove,chargeabsolute,creditcustom) VALUES ('T1',%s,%s,%s,%s,%s,%s,%s,%s,%s)",
           (period, startnow, duration, chargefee, untilday, setcredit, move, absolute, custom))


def setup_t1(cash="500", credit="0"):
    clean()
    tariff("T1", "100")
    tariff("T2", "50")
    user("u1", cash=cash, credit=credit, tariff="T1")
    user("u2", cash="500", tariff="T2")


def test_ddt_gates():
    setup_t1()
    snap = h.snapshot(["dealwithit", "paymentscorr", "weblogs"])
    with h.config(alter={"DDT_ENABLED": "0", "DEALWITHIT_ENABLED": "1"}):
        assert run("ddt") == "ERROR:NO_DDT_ENABLED"
    with h.config(alter={"DDT_ENABLED": "1", "DEALWITHIT_ENABLED": "0"}):
        assert run("ddt") == "ERROR:NO_DEALWITHIT_ENABLED"
    h.assert_unchanged(snap)


def test_ddt_schedules_move_and_charges_fee_once():
    setup_t1()
    option()
    c0, w0 = mark("paymentscorr"), mark("weblogs")
    with h.config(alter=DDT):
        assert run("ddt", now="2024-05-10 02:00:00") == "OK:DDTPROCESSING"
        tasks = h.sql("SELECT id,date,login,action,param,note FROM dealwithit", strings=True)
        assert [t[1:] for t in tasks] == [("2024-05-31", "u1", "tariffchange", "T2", UK_NOTE)], tasks
        tid = tasks[0][0]
        assert h.sql("SELECT originalid,mtime,date,login,action,param,note,admin,done FROM dealwithithist",
                     strings=True) == [(tid, "2024-05-10 02:00:00", "2024-05-31", "u1", "tariffchange",
                                        "T2", UK_NOTE, "guest", "0")]
        assert h.sql("SELECT login,active,startdate,curtariff,enddate,nexttariff,dwiid FROM ddt_users",
                     strings=True) == [("u1", "1", "2024-05-10 02:00:00", "T1", "2024-05-31", "T2", tid)]
        assert rows_after("paymentscorr", c0) == [("u1", "-100", "1", "DDT: T1", "500", "guest")]
        assert events_after(w0) == [
            "SCHEDULER CREATE ID [%s] (u1)  DATE `2024-05-31 `ACTION `tariffchange` NOTE `%s`" % (tid, UK_NOTE),
            "DDT FEE CHARGE (u1) TARIFF `T1` ON -100",
            "BALANCECORRECT (u1) ON -100"]
        assert h.sql("SELECT CAST(Cash AS CHAR) FROM users WHERE login='u1'", strings=True)[0][0] == "400"
        # the CLI's connection is gone; the server notices asynchronously
        h.wait_until(lambda: h.sql("SELECT IS_FREE_LOCK('stardustPID_DDT')")[0][0] == 1,
                     timeout=10, what="stardustPID_DDT free")
        # the task is pending: a second run writes nothing
        snap = h.snapshot(["dealwithit", "dealwithithist", "ddt_users", "paymentscorr", "weblogs", "users"])
        assert run("ddt", now="2024-05-11 02:00:00") == "OK:DDTPROCESSING"
        h.assert_unchanged(snap)


def test_ddt_no_fee_after_until_day_or_when_zero():
    for untilday, now in ((15, "2024-05-16 00:00:00"), (0, "2024-05-01 00:00:00")):
        setup_t1()
        option(untilday=untilday)
        c0 = mark("paymentscorr")
        with h.config(alter=DDT):
            assert run("ddt", now=now) == "OK:DDTPROCESSING"
        assert rows_after("paymentscorr", c0) == []
        assert len(h.sql("SELECT id FROM dealwithit")) == 1


def target_for(now, prevdays=None, **opt):
    setup_t1()
    option(**opt)
    alter = dict(DDT)
    if prevdays is not None:
        alter["DDT_ENDPREVDAYS"] = prevdays
    with h.config(alter=alter):
        assert run("ddt", now=now) == "OK:DDTPROCESSING"
    return h.sql("SELECT date FROM dealwithit", strings=True)[0][0]


def test_ddt_calendar_edges():
    # PHP's strtotime("+1 months") from Jan 31 lands in March
    assert target_for("2024-01-31 10:00:00", duration=2, startnow=1) == "2024-03-31"
    assert target_for("2023-01-31 10:00:00", duration=1, startnow=0) == "2023-03-31"
    # February of a leap year, year end, days
    assert target_for("2024-02-10 10:00:00", duration=1, startnow=1) == "2024-02-29"
    assert target_for("2024-12-15 10:00:00", duration=1, startnow=0) == "2025-01-31"
    assert target_for("2024-02-28 10:00:00", period="day", duration=2, startnow=0) == "2024-03-01"
    assert target_for("2024-12-31 10:00:00", period="day", duration=1, startnow=1) == "2024-12-31"
    assert target_for("2024-05-10 10:00:00", prevdays="2", duration=1, startnow=1) == "2024-05-29"


def test_ddt_absolute_charge_and_credit():
    setup_t1(cash="50")
    option(untilday=31, absolute=30, setcredit=1)
    c0, w0 = mark("paymentscorr"), mark("weblogs")
    with h.config(alter=DDT):
        assert run("ddt", now="2024-05-10 02:00:00") == "OK:DDTPROCESSING"
    assert rows_after("paymentscorr", c0, "summ,note") == [("-100", "DDT: T1"), ("-30", "DDT: ABSOLUTE 30")]
    ev = events_after(w0)[1:]
    assert ev == ["DDT FEE CHARGE (u1) TARIFF `T1` ON -100", "BALANCECORRECT (u1) ON -100",
                  "DDT FEE CHARGE (u1) ABSOLUTE ON -30", "BALANCECORRECT (u1) ON -30",
                  "DDT CHANGE Credit (u1) ON 80", "DDT CHANGE CreditExpire (u1) ON 2024-05-31"], ev
    credit, expire = h.sql("SELECT CAST(Credit AS CHAR),CreditExpire FROM users WHERE login='u1'",
                           strings=True)[0]
    assert credit == "80"
    assert time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(expire))) == "2024-05-31 00:00:00"


def test_ddt_forced_charge_rule():
    clean()
    tariff("T1", "100")
    user("u1", cash="0", tariff="T1")
    user("old", cash="0", tariff="T1")
    h.exec("INSERT INTO ddt_chargeopts (tariff,untilday,chargefee,absolute,creditdays) VALUES ('T1',0,1,50,5)")
    h.exec("INSERT INTO userreg (date,admin,login,address) VALUES ('2024-05-10 01:00:00','admin','u1','')")
    h.exec("INSERT INTO userreg (date,admin,login,address) VALUES ('2024-05-09 01:00:00','admin','old','')")
    c0, w0 = mark("paymentscorr"), mark("weblogs")
    with h.config(alter=DDT):
        assert run("ddt", now="2024-05-10 12:00:00") == "OK:DDTPROCESSING"
        assert rows_after("paymentscorr", c0, "login,summ,note") == [("u1", "-150", "DDT: T1")]
        assert events_after(w0) == ["DDT RUN FAIL NO_TARIFFS", "DDT CHANGE Credit (u1) ON 150",
                                    "DDT CHANGE CreditExpire (u1) ON 2024-05-15",
                                    "DDT FORCED CHARGE (u1) TARIFF `T1` ON -150",
                                    "BALANCECORRECT (u1) ON -150"]
        assert h.sql("SELECT login,chargedate,tariff,CAST(summ AS CHAR) FROM ddt_charges", strings=True) == [
            ("u1", "2024-05-10", "T1", "150")]
        assert h.sql("SELECT CAST(Credit AS CHAR) FROM users WHERE login='u1'", strings=True)[0][0] == "150"
        c1 = mark("paymentscorr")
        assert run("ddt", now="2024-05-10 18:00:00") == "OK:DDTPROCESSING"
        assert rows_after("paymentscorr", c1) == []


def test_ddt_dryrun_changes_nothing():
    setup_t1()
    option(absolute=30)
    snap = h.snapshot(["dealwithit", "dealwithithist", "ddt_users", "paymentscorr", "weblogs", "users"])
    with h.config(alter=DDT):
        out = run("ddt&dryrun=1", now="2024-05-10 02:00:00")
        assert run("ddt&dryrun=x") == "ERROR:WRONG_DRYRUN"
    assert out == "u1\t-100\tDDT: T1\tpaymentscorr\nu1\t-30\tDDT: ABSOLUTE 30\tpaymentscorr\nOK:DDTPROCESSING", out
    h.assert_unchanged(snap)


def test_ddt_stargazer_peer():
    setup_t1()
    option()
    c0 = mark("paymentscorr")
    with h.stgpeer(users=["u1:500:0:0:0:1:T1:0", "u2:500:0:0:0:1:T2:0"]) as peer:
        with h.config(alter=DDT):
            assert run("ddt", now="2024-05-10 02:00:00") == "OK:DDTPROCESSING"
        log = peer.setuser_log()
        assert len(log) == 1 and '<cash add="-100"' in log[0], log
    assert rows_after("paymentscorr", c0, "login,summ,note") == [("u1", "-100", "DDT: T1")]
    assert len(h.sql("SELECT id FROM dealwithit")) == 1


def test_ddt_flock_mode_excludes_php():
    setup_t1()
    option()
    path = os.path.join(h.root, "exports", "stardustPID_DDT.lock")
    snap = h.snapshot(["dealwithit", "paymentscorr"])
    with open(path, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with h.config(alter=dict(DDT, STARDUST_FLOCK_FORCE="1")):
            assert run("ddt", now="2024-05-10 02:00:00") == "SKIP:DDT_ALREADY_RUNNING"
        h.assert_unchanged(snap)
        fcntl.flock(f, fcntl.LOCK_UN)
    with h.config(alter=dict(DDT, STARDUST_FLOCK_FORCE="1")):
        assert run("ddt", now="2024-05-10 02:00:00") == "OK:DDTPROCESSING"
    assert len(h.sql("SELECT id FROM dealwithit")) == 1
    with open(path) as f:
        assert f.read() == ""  # truncated on stop, as StarDust does
    os.unlink(path)


if __name__ == "__main__":
    h.main(globals())
