"""dealwithit (spec accounts §2.20): every task type, bookkeeping, missing
users, pending tasks that cannot run, dry run, username filter, both
backends and overlapping calls."""
import os
import threading
import uuid

import harness as h
from test_schedulers import api, clean, events_after, mark, rows_after, run, user

DWI = {"DEALWITHIT_ENABLED": "1"}
NOW = "2024-05-10 06:00:00"


def task(action, param="", date="2024-05-09", login="u1", note=""):
    tid = h.insert("INSERT INTO dealwithit (date,login,action,param,note) VALUES (%s,%s,%s,%s,%s)",
                   (date, login, action, param, note))
    h.exec("INSERT INTO dealwithithist (originalid,mtime,date,login,action,param,note,admin,done) "
           "VALUES (%s,'2024-05-01 00:00:00',%s,%s,%s,%s,%s,'admin',0)", (tid, date, login, action, param, note))
    return tid


def fresh():
    clean()
    user("u1", cash="10", ao=1)


def done(tid):
    return h.sql("SELECT done,datetimedone FROM dealwithithist WHERE originalid=%s", (tid,), strings=False)


def pending():
    return [r[0] for r in h.sql("SELECT id FROM dealwithit ORDER BY id")]


def test_dealwithit_disabled():
    fresh()
    task("addcash", "5")
    snap = h.snapshot(["dealwithit", "payments", "weblogs"])
    with h.config(alter={"DEALWITHIT_ENABLED": "0"}):
        assert run("dealwithit") == "ERROR:DEALWITHIT DISABLED"
    h.assert_unchanged(snap)


def test_dealwithit_addcash_done_and_future_untouched():
    fresh()
    tid = task("addcash", "15|3")
    later = task("addcash", "7", date="2024-05-11")
    p0, w0 = mark("payments"), mark("weblogs")
    with h.config(alter=DWI):
        assert run("dealwithit", now=NOW) == "OK:DEALWITHIT"
    assert rows_after("payments", p0) == [("u1", "15", "3", "SCHEDULED", "10", "guest")]
    assert events_after(w0) == ["BALANCEADD (u1) ON 15", "SCHEDULER DONE ID [%d] (u1)" % tid]
    assert [(d, str(t)) for d, t in done(tid)] == [(1, "2024-05-10 06:00:00")]
    assert pending() == [later]
    assert done(later)[0][0] == 0


def test_dealwithit_missing_user_task_deleted():
    fresh()
    tid = task("addcash", "5", login="ghost")
    w0 = mark("weblogs")
    with h.config(alter=DWI):
        assert run("dealwithit", now=NOW) == "OK:DEALWITHIT"
    assert pending() == []
    assert events_after(w0) == ["SCHEDULER FAIL ID [%d] USER (ghost)  NON EXISTS" % tid,
                                "SCHEDULER DELETE ID [%d] (ghost)  DATE `2024-05-09 `ACTION `addcash`" % tid]
    assert done(tid)[0][0] == 0  # no history update, as in PHP


def test_dealwithit_every_task_type_direct():
    fresh()
    h.exec("INSERT INTO tags (tagid,login) VALUES (7,'u1'),(7,'u1'),(8,'u1')")
    h.exec("INSERT INTO userspeeds (login,speed) VALUES ('u1',1)")
    cache = os.path.join(h.root, "exports", "UBCACHE_DISCOUNTS")
    with open(cache, "w") as f:
        f.write("a:0:{}")
    ids = [task("corrcash", "-4", note="DEFSALE:9"), task("corrcash", "2"), task("setcash", "100"),
           task("credit", "25"), task("creditexpire", "2024-06-01"), task("tagadd", "12"),
           task("tagdel", "7"), task("freeze"), task("unfreeze"), task("down"), task("undown"),
           task("ao"), task("unao"), task("reset"), task("setspeed", "2048"), task("setdiscount", "15"),
           task("tariffchange", "T2"), task("nosuchthing", "x")]
    p0, c0, w0 = mark("payments"), mark("paymentscorr"), mark("weblogs")
    with h.config(alter=dict(DWI, DISCOUNTS_ENABLED="1", TARIFFCHGRESET="1", UBCACHE_STORAGE="files")):
        assert run("dealwithit", now=NOW) == "OK:DEALWITHIT"
    assert pending() == []
    assert rows_after("paymentscorr", c0, "summ,note") == [("-4", "DEFSALE:9"), ("2", "SCHEDULED")]
    assert rows_after("payments", p0, "summ,note") == [("100", "BALANCESET:SCHEDULED")]
    u = h.sql("SELECT CAST(Cash AS CHAR),CAST(Credit AS CHAR),CreditExpire,Passive,Down,AlwaysOnline,Tariff "
              "FROM users WHERE login='u1'", strings=True)[0]
    assert u[0] == "100" and u[1] == "25" and u[3:] == ("0", "0", "1", "T2"), u
    assert h.sql("SELECT tagid FROM tags WHERE login='u1' ORDER BY tagid") == [(8,), (12,)]
    assert h.sql("SELECT speed FROM userspeeds WHERE login='u1'") == [(2048,)]
    assert h.sql("SELECT CAST(percent AS CHAR) FROM discounts WHERE login='u1'", strings=True) == [("15",)]
    assert not os.path.exists(cache)
    ev = [e for e in events_after(w0) if not e.startswith("SCHEDULER DONE")]
    assert ev == [
        "BALANCECORRECT (u1) ON -4", "BALANCECORRECT (u1) ON 2", "BALANCESET (u1) ON 100",
        "CREDIT CHANGE (u1) ON `25`", "CREDITEXPIRE CHANGE (u1) ON `2024-06-01`",
        "TAG ADD (u1) TAGID [12]", "TAG DELETE (u1) TAGID [7]",
        "PASSIVE CHANGE (u1) ON `1`", "PASSIVE CHANGE (u1) ON `0`",
        "DOWN CHANGE (u1) ON `1`", "DOWN CHANGE (u1) ON `0`",
        "ALWAYSONLINE CHANGE (u1) ON `1`", "ALWAYSONLINE CHANGE (u1) ON `0`", "RESET (u1)",
        "SPEEDOVERRIDE DELETE (u1)", "SPEEDOVERRIDE CREATE (u1) `2048`", "RESET (u1)",
        "DISCOUNT SET (u1) PERCENT `15`", "DISCOUNT CHANGE (u1) PERCENT `15`",
        "TARIFF CHANGE (u1) ON `T2`", "RESET (u1)"], ev
    assert [e for e in events_after(w0) if e.startswith("SCHEDULER DONE")] == [
        "SCHEDULER DONE ID [%d] (u1)" % i for i in ids]
    assert all(done(i)[0][0] == 1 for i in ids)


def test_dealwithit_tariffchange_reset_on_stargazer():
    fresh()
    task("tariffchange", "T2")
    with h.stgpeer(users=["u1:10:0:0:0:1:T1:0"]) as peer:
        with h.config(alter=dict(DWI, TARIFFCHGRESET="1"), billing={"RESET_AO": "0"}):
            assert run("dealwithit", now=NOW) == "OK:DEALWITHIT"
        log = peer.setuser_log()
        assert len(log) == 3, log
        assert '<tariff now="T2" />' in log[0] and '<down value="1"' in log[1] and '<down value="0"' in log[2], log
    assert pending() == []


def test_dealwithit_stargazer_refusal_leaves_task_pending():
    fresh()
    tid = task("addcash", "5")
    snap = h.snapshot(["dealwithit", "dealwithithist", "payments"])
    with h.stgpeer(users=["u1:10:0:0:0:1:T1:0"], mode="refuse"):
        with h.config(alter=DWI):
            assert run("dealwithit", now=NOW) == "ERROR:BILLING_CORE"
    h.assert_unchanged(snap)
    assert pending() == [tid]


def test_dealwithit_unusable_tasks_stay_pending():
    fresh()
    bad = [task("addcash", "ten"), task("addcash", "5|x"), task("credit", "1e5"),
           task("creditexpire", "2024-02-30"), task("tagadd", "none"), task("setdiscount", "20")]
    good = task("down")
    w0 = mark("weblogs")
    with h.config(alter=dict(DWI, DISCOUNTS_ENABLED="0")):
        assert run("dealwithit", now=NOW) == "OK:DEALWITHIT"
    assert pending() == bad
    ev = events_after(w0)
    assert ev == ["SCHEDULER FAIL ID [%d] WRONG PARAM" % i for i in bad[:-1]] + [
        "SCHEDULER FAIL ID [%d] DISCOUNTS DISABLED" % bad[-1], "DOWN CHANGE (u1) ON `1`",
        "SCHEDULER DONE ID [%d] (u1)" % good], ev


def test_dealwithit_username_filter_and_validation():
    fresh()
    user("u2")
    mine = task("down")
    other = task("down", login="u2")
    with h.config(alter=DWI):
        snap = h.snapshot(["dealwithit", "weblogs"])
        assert run("dealwithit&username=u1%27x") == "ERROR:WRONG_LOGIN"
        h.assert_unchanged(snap)
        assert run("dealwithit&username=u2", now=NOW) == "OK:DEALWITHIT"
    assert pending() == [mine]
    assert other not in pending()


def test_dealwithit_dryrun():
    fresh()
    task("addcash", "15|3")
    task("corrcash", "-2")
    task("setcash", "7")
    task("down")
    snap = h.snapshot(["dealwithit", "payments", "paymentscorr", "weblogs", "users"])
    with h.config(alter=DWI):
        out = run("dealwithit&dryrun=1", now=NOW)
    assert out == ("u1\t15\tSCHEDULED\tpayments\nu1\t-2\tSCHEDULED\tpaymentscorr\n"
                   "u1\t7\tBALANCESET:SCHEDULED\tpayments\nOK:DEALWITHIT"), out
    h.assert_unchanged(snap)


def test_dealwithit_overlapping_calls_run_each_task_once():
    fresh()
    for _ in range(20):
        task("addcash", "1", date="2000-01-01")
    p0 = mark("payments")
    replies = []
    with h.config(alter=DWI):
        ts = [threading.Thread(target=lambda: replies.append(api("action=dealwithit"))) for _ in range(3)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        # a retried request is answered from the first reply, running nothing
        reqid = "dwi-" + uuid.uuid4().hex
        assert api("action=dealwithit&reqid=" + reqid) == "OK:DEALWITHIT"
        task("addcash", "1", date="2000-01-01")
        assert api("action=dealwithit&reqid=" + reqid) == "OK:DEALWITHIT"
    assert set(replies) <= {"OK:DEALWITHIT", "SKIP:DEALWITHIT_ALREADY_RUNNING"}, replies
    assert len(rows_after("payments", p0)) == 20
    assert len(pending()) == 1


if __name__ == "__main__":
    h.main(globals())
