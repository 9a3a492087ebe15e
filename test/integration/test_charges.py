"""Recurring charges: vserviceschargefee, discountprocessing, cudiscounts and
autocredit (spec/actions-accounts.md §2.4, §2.9-2.11), through nginx and the
CLI, on both billing backends (direct SQL, and the loopback Stargazer peer
whose SetUser log is asserted byte for byte).

Beyond PHP: the run lock (a held GET_LOCK and two overlapping real runs),
reqid replay, dryrun=1 reports, strict period/param checks that change
nothing, month-edge dates through UBAPI_NOW, and a SIGKILL half-way through
a 10,000-user run (direct backend, InnoDB: own schema only) after which
every user is charged fully or not at all and payments agree with balances.

With the direct backend on InnoDB the batches apply their units a group at
a time (up to 500 units, one transaction, a few set-based statements), so a
kill leaves whole groups: still every user charged fully or not at all.
MyISAM (Ubilling's real schema): no transactions, so the units stay one at a
time there, and a kill between the balance change and the payments INSERT of
one user can leave that one user charged without a payments row (at most one
user per kill, the one being processed); the lock and reqid guarantees hold
on both engines. The grouped tests run each scenario both ways (grouped, and
one by one with weblogs switched to MyISAM) and compare every row."""
import os
import signal
import subprocess
import threading
import time

import harness as h

DIRECT = {"baseconf": "direct", "NOSTGCHECKPID": "1"}
DATA_TABLES = ["users", "tariffs", "tags", "vservices", "vcash", "vcashlog", "payments",
               "paymentscorr", "weblogs", "discounts", "cudiscounts", "cfitems", "cftypes",
               "zbssclog", "frozen_charge_days", "ubapi_requests"]
TABLES = ["users", "payments", "paymentscorr", "weblogs", "vcash", "vcashlog", "cudiscounts",
          "frozen_charge_days", "ubapi_requests"]
PAY_COLS = "login,balance,summ,CAST(cashtypeid AS CHAR),note"


# ---------------------------------------------------------------- fixtures


def reset():
    for t in DATA_TABLES:
        h.exec("DELETE FROM `%s`" % t)


def make_user(login, cash="0", credit="0", passive=0, down=0, tariff="Test"):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Address,Phone,"
           "Email,Note,RealName,StgGroup,Credit,TariffChange,Userdata0,Userdata1,Userdata2,"
           "Userdata3,Userdata4,Userdata5,Userdata6,Userdata7,Userdata8,Userdata9,CreditExpire,"
           "IP,Cash,FreeMb,LastCashAdd,LastCashAddTime,PassiveTime,LastActivityTime,NAS) "
           "VALUES (%s,'*',%s,%s,1,%s,'','','','','','',%s,'','','','','','','','','','','',0,"
           "'*',%s,0,0,0,0,0,'')",
           (login, passive, down, tariff, credit, cash))


def make_tariff(name, fee):
    h.exec("INSERT INTO tariffs (name,Fee) VALUES (%s,%s)", (name, fee))


def tag(login, tagid):
    h.exec("INSERT INTO tags (tagid,login) VALUES (%s,%s)", (tagid, login))


def vservice(vid, tagid, price, cashtype="stargazer", priority=1, always=1, period=0,
             exclude="", archived=0):
    h.exec("INSERT INTO vservices (id,tagid,price,cashtype,priority,fee_charge_always,"
           "charge_period_days,exclude_tags,archived) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
           (vid, tagid, price, cashtype, priority, always, period, exclude, archived))


def cash(login):
    r = h.sql("SELECT CAST(Cash AS CHAR) FROM users WHERE login=%s", (login,), strings=True)
    return r[0][0] if r else None


def payments(table="payments"):
    return [tuple(r) for r in h.sql("SELECT %s FROM `%s` ORDER BY id" % (PAY_COLS, table),
                                    strings=True)]


def events():
    return [r[0] for r in h.sql("SELECT event FROM weblogs ORDER BY id")]


def setuser(login, elem, attr, value):
    return '<SetUser><login value="%s" /><%s %s="%s" /></SetUser>' % (login, elem, attr, value)


def call(query):
    status, _, body = h.api(query)
    assert status == 200, (status, query)
    return body.decode("utf-8")


def cli(query, now=None):
    env = {"UBAPI_NOW": now} if now else {"UBAPI_NOW": None}
    rc, out, err = h.cli([query], env=env)
    return out.decode("utf-8")


def on_backends(users, body, alter=None):
    """users: list of dicts for make_user. Runs body(peer) twice on fresh
    data: direct backend (peer None) and the Stargazer peer."""
    for backend in ("direct", "stg"):
        reset()
        for u in users:
            make_user(**u)
        if backend == "direct":
            with h.config(billing=DIRECT, alter=alter or {}):
                body(None)
        else:
            spec = ["%s:%s:%s:%s:%s:1:%s:0" % (u["login"], u.get("cash", "0"), u.get("credit", "0"),
                                              u.get("passive", 0), u.get("down", 0),
                                              u.get("tariff", "Test")) for u in users]
            with h.stgpeer(users=spec) as peer, h.config(alter=alter or {}):
                body(peer)


def charged(peer, login, amounts, before):
    """The user's balance moved by exactly these SetUser cash adds."""
    if peer is None:
        total = sum(float(a) for a in amounts)
        assert abs(float(cash(login)) - (float(before) + total)) < 1e-9, (login, cash(login))
    else:
        got = [x for x in peer.setuser_log() if '"%s"' % login in x]
        assert got == [setuser(login, "cash", "add", a) for a in amounts], got


# ---------------------------------------------------------------- vserviceschargefee


def test_vservice_basic_charge_both_backends():
    def body(peer):
        vservice(4, 5, 10)
        tag("u1", 5)
        assert call("action=vserviceschargefee") == "OK:SERVICE_CHARGE_FEE"
        assert payments() == [("u1", "3", "-10", "1", "Service:4")]
        assert events() == ["REMOTEAPI VSERVICE_CHARGE_FEE STARTED", "BALANCEADD (u1) ON -10",
                            "REMOTEAPI VSERVICE_CHARGE_FEE FINISHED"]
        charged(peer, "u1", ["-10"], "3")
    on_backends([dict(login="u1", cash="3")], body)


def test_vservice_as_corrections_and_cashtype():
    def body(peer):
        vservice(4, 5, 10)
        tag("u1", 5)
        assert call("action=vserviceschargefee") == "OK:SERVICE_CHARGE_FEE"
        assert payments() == []
        assert payments("paymentscorr") == [("u1", "3", "-10", "7", "Service:4")]
        assert "BALANCECORRECT (u1) ON -10" in events()
        charged(peer, "u1", ["-10"], "3")
    on_backends([dict(login="u1", cash="3")], body,
                alter={"VSERVICES_AS_PAYMENTS": "0", "VSERVICES_CASHTYPEID": "7"})


def test_vservice_gates_and_credit():
    def body(peer):
        vservice(4, 5, 10, always=0)
        tag("u1", 5)
        tag("u2", 5)
        assert call("action=vserviceschargefee") == "OK:SERVICE_CHARGE_FEE"
        assert payments() == []
        with h.config(alter={"VSERVICES_CONSIDER_CREDIT": "1"}):
            assert call("action=vserviceschargefee") == "OK:SERVICE_CHARGE_FEE"
        # u1: 0 >= -0 is allowed with credit considered; u2: -5 >= -10
        assert payments() == [("u1", "0", "-10", "1", "Service:4"),
                              ("u2", "-5", "-10", "1", "Service:4")]
        charged(peer, "u2", ["-10"], "-5")
    on_backends([dict(login="u1", cash="0"), dict(login="u2", cash="-5", credit="10")], body)


def test_vservice_priority_uses_running_balance():
    def body(peer):
        vservice(1, 11, 10, priority=9, always=0)
        vservice(2, 12, 10, priority=1, always=0)
        for u in ("u1", "u2"):
            tag(u, 11)
            tag(u, 12)
        assert call("action=vserviceschargefee") == "OK:SERVICE_CHARGE_FEE"
        assert payments() == [("u1", "10", "-10", "1", "Service:1"),
                              ("u2", "15", "-10", "1", "Service:1"),
                              # the peer does not write users back to MariaDB
                              ("u2", "15" if peer else "5", "-10", "1", "Service:2")]
        charged(peer, "u1", ["-10"], "10")
        charged(peer, "u2", ["-10", "-10"], "15")
    on_backends([dict(login="u1", cash="10"), dict(login="u2", cash="15")], body)


def test_vservice_filters_period_nofrozen_exclude_negative_price():
    reset()
    make_user("u1", cash="100")
    make_user("u2", cash="100", passive=1)
    make_user("u3", cash="100")
    vservice(1, 5, 10, period=30)
    vservice(2, 6, 3, period=7)
    vservice(3, 8, -5, period=1)
    vservice(4, 9, 2, period=30, exclude=" 7, ,7,x7" if False else " 7, ,7")
    for u in ("u1", "u2", "u3"):
        tag(u, 5)
        tag(u, 6)
        tag(u, 9)
    tag("u3", 7)
    tag("u1", 8)
    with h.config(billing=DIRECT):
        assert call("action=vserviceschargefee&period=30&param=nofrozen") == "OK:SERVICE_CHARGE_FEE"
        assert payments() == [("u1", "100", "-10", "1", "Service:1"),
                              ("u3", "100", "-10", "1", "Service:1"),
                              ("u1", "90", "-2", "1", "Service:4")]
        h.exec("DELETE FROM payments")
        # " 1" as Ubilling's manual writes it; a negative price pays
        assert call("action=vserviceschargefee&period=%201") == "OK:SERVICE_CHARGE_FEE"
        assert payments() == [("u1", "88", "5", "1", "Service:3")]
        h.exec("DELETE FROM payments")
        assert call("action=vserviceschargefee&period=7_1&param=nofrozen") == "OK:SERVICE_CHARGE_FEE"
        assert [p[4] for p in payments()] == ["Service:2", "Service:2", "Service:3"]
        assert cash("u2") == "100"


def test_vservice_duplicate_tags_unknown_user_and_virtual():
    reset()
    make_user("u1", cash="20")
    vservice(1, 5, 4)
    vservice(2, 6, "2.5", cashtype="virtual", priority=0)
    tag("u1", 5)
    tag("u1", 5)
    tag("ghost", 5)
    tag("u1", 6)
    with h.config(billing=DIRECT):
        assert call("action=vserviceschargefee") == "OK:SERVICE_CHARGE_FEE"
    assert payments() == [("u1", "20", "-4", "1", "Service:1"), ("u1", "16", "-4", "1", "Service:1")]
    assert cash("u1") == "12"
    ev = events()
    assert "VSERVICE_CHARGE_FEE: user (ghost) not found in overall existent users list" in ev
    assert "VCASH CREATE (u1) `0`" in ev and "VCASH CHANGE (u1) `-2.5`" in ev
    # vcash.cash is INT: the server stores -3 (rounded), vcashlog keeps both
    assert h.sql("SELECT login,CAST(cash AS CHAR) FROM vcash", strings=True) == [("u1", "-3")]
    assert h.sql("SELECT login,balance,summ,CAST(cashtypeid AS CHAR),note FROM vcashlog",
                 strings=True) == [("u1", "-3", "-2.5", "2", "")]


def test_vservice_validation_changes_nothing():
    reset()
    make_user("u1", cash="5")
    vservice(1, 5, 10, period=30)
    tag("u1", 5)
    snap = h.snapshot(TABLES)
    for q, want in [
        ("period=1;DROP%20TABLE%20users", "ERROR:WRONG_PERIOD"),
        ("period=1,2", "ERROR:WRONG_PERIOD"),
        ("period=_1", "ERROR:WRONG_PERIOD"),
        ("period=1__2", "ERROR:WRONG_PERIOD"),
        ("period=1_", "ERROR:WRONG_PERIOD"),
        ("period=30)%20OR%20(1=1", "ERROR:WRONG_PERIOD"),
        ("period=abc", "ERROR:WRONG_PERIOD"),
        ("param=frozen", "ERROR:WRONG_PARAM"),
        ("dryrun=2", "ERROR:WRONG_DRYRUN"),
        ("dryrun=yes", "ERROR:WRONG_DRYRUN"),
    ]:
        assert call("action=vserviceschargefee&" + q) == want, q
    h.assert_unchanged(snap)


def test_vservice_dryrun_reports_and_changes_nothing():
    def body(peer):
        vservice(1, 5, 10, priority=2, always=0)
        vservice(2, 6, 3, cashtype="virtual")
        vservice(3, 5, 10, priority=1, always=0)
        tag("u1", 5)
        tag("u1", 6)
        tag("u2", 5)
        snap = h.snapshot(TABLES)
        out = call("action=vserviceschargefee&dryrun=1")
        # u2 (cash 5): the in-memory balance stops its second charge
        assert out == ("u1\t-10\tService:1\tpayments\n"
                       "u2\t-10\tService:1\tpayments\n"
                       "u1\t-3\tService:2\tvcash\n"
                       "u1\t-10\tService:3\tpayments\n"
                       "OK:SERVICE_CHARGE_FEE"), out
        h.assert_unchanged(snap)
        if peer:
            assert peer.setuser_log() == []
    on_backends([dict(login="u1", cash="100"), dict(login="u2", cash="5")], body)


def test_vservice_reqid_replay():
    reset()
    make_user("u1", cash="50")
    vservice(1, 5, 10)
    tag("u1", 5)
    with h.config(billing=DIRECT):
        assert call("action=vserviceschargefee&reqid=vs-1") == "OK:SERVICE_CHARGE_FEE"
        assert call("action=vserviceschargefee&reqid=vs-1") == "OK:SERVICE_CHARGE_FEE"
    assert len(payments()) == 1 and cash("u1") == "40"


ACTIONS = ["vserviceschargefee", "discountprocessing", "cudiscounts", "autofreeze",
           "autofreezemonth", "freezemonth", "freezedayscharge", "autocredit"]
RUNNABLE = {"DISCOUNTS_ENABLED": "1", "CUD_ENABLED": "1", "AUTOFREEZE_CASH_LIMIT": "-20",
            "FREEZEMONTH_COST": "20", "FREEZE_DAYS_CHARGE_ENABLED": "1",
            "FREEZE_DAYS_INITIAL_AMOUNT": "365", "FREEZE_DAYS_WORK_TO_RESTORE": "120",
            "AUTOCREDIT_CFID": "7"}


def test_every_action_skips_while_its_lock_is_held():
    reset()
    make_user("u1", cash="-50", passive=0)
    make_user("u2", cash="5", passive=1)
    vservice(1, 5, 10)
    tag("u1", 5)
    with h.config(billing=DIRECT, alter=RUNNABLE):
        snap = h.snapshot(TABLES)
        holder = h.db(new=True)
        try:
            for a in ACTIONS:
                with holder.cursor() as cur:
                    cur.execute("SELECT GET_LOCK(%s,0)", ("ubapi_" + a,))
                    assert cur.fetchone()[0] == 1
                want = "SKIP:%s_ALREADY_RUNNING" % a.upper()
                assert call("action=" + a) == want, a
                assert cli(a, now="2024-05-31 10:00:00") == want, a
                with holder.cursor() as cur:
                    cur.execute("SELECT RELEASE_LOCK(%s)", ("ubapi_" + a,))
        finally:
            holder.close()
        h.assert_unchanged(snap)


def _bulk_users(n, prefix, cash_expr="100", tagid=5):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Address,Phone,"
           "Email,Note,RealName,StgGroup,Credit,TariffChange,Userdata0,Userdata1,Userdata2,"
           "Userdata3,Userdata4,Userdata5,Userdata6,Userdata7,Userdata8,Userdata9,CreditExpire,"
           "IP,Cash,FreeMb,LastCashAdd,LastCashAddTime,PassiveTime,LastActivityTime,NAS) "
           "SELECT CONCAT(%%s,LPAD(seq,6,'0')),'*',0,0,1,'Test','','','','','','',0,'','','','',"
           "'','','','','','','',0,'*',%s,0,0,0,0,0,'' FROM seq_1_to_%d" % (cash_expr, n),
           (prefix,))
    h.exec("INSERT INTO tags (tagid,login) SELECT %%s,CONCAT(%%s,LPAD(seq,6,'0')) FROM seq_1_to_%d"
           % n, (tagid, prefix))


def test_two_overlapping_runs_charge_once():
    reset()
    _bulk_users(1500, "o")
    vservice(1, 5, 1)
    with h.config(billing=DIRECT):
        first = {}
        t = threading.Thread(target=lambda: first.setdefault("r", call("action=vserviceschargefee")))
        t.start()
        h.wait_until(lambda: h.table_count("payments") > 0, timeout=30, what="first run started")
        second = call("action=vserviceschargefee")
        t.join(120)
        assert second == "SKIP:VSERVICESCHARGEFEE_ALREADY_RUNNING", second
        assert first["r"] == "OK:SERVICE_CHARGE_FEE"
    assert h.sql("SELECT COUNT(*),COUNT(DISTINCT login) FROM payments") == [(1500, 1500)]
    assert h.sql("SELECT COUNT(*) FROM users WHERE Cash<>99") == [(0,)]


def test_sigkill_mid_run_leaves_whole_units():
    # InnoDB (own schema): each unit is one transaction, so nothing is half
    # done. MyISAM (Ubilling's schema): the documented weaker guarantee, at
    # most the one user being charged at the kill is left half done.
    reset()
    n = 10000
    _bulk_users(n, "k", cash_expr="seq")
    vservice(1, 5, "1.5")
    with h.config(billing=DIRECT):
        proc = subprocess.Popen([h.UBAPI, "--root", h.root, "vserviceschargefee"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            h.wait_until(lambda: h.table_count("payments") >= n // 3, timeout=120,
                         interval=0.01, what="a third charged")
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.wait(30)
    done = h.table_count("payments")
    assert 0 < done < n, done
    # every user: charged once with its payments row, or untouched
    bad = h.sql("SELECT u.login FROM users u LEFT JOIN (SELECT login,COUNT(*) c,SUM(summ) s,"
                "MIN(balance) b FROM payments GROUP BY login) p ON p.login=u.login"
                " WHERE NOT ((p.c IS NULL AND u.Cash=CAST(SUBSTR(u.login,2) AS UNSIGNED))"
                " OR (p.c=1 AND p.s=-1.5 AND u.Cash=CAST(SUBSTR(u.login,2) AS UNSIGNED)-1.5"
                " AND p.b=CAST(CAST(SUBSTR(u.login,2) AS UNSIGNED) AS CHAR)))")
    ev = h.sql("SELECT COUNT(*) FROM weblogs WHERE event LIKE 'BALANCEADD%%'")[0][0]
    if h.SCHEMA == "own":
        assert bad == [], bad[:5]
        assert ev == done
    else:
        assert len(bad) <= 1, bad[:5]
        assert done <= ev <= done + 1, (done, ev)
    # the lock died with the process: a new run finishes the rest, once each
    with h.config(billing=DIRECT):
        h.exec("DELETE FROM tags WHERE login IN (SELECT login FROM payments)")
        rc, out, _ = h.cli(["vserviceschargefee"])
        assert out == b"OK:SERVICE_CHARGE_FEE", out
    assert h.sql("SELECT COUNT(*),COUNT(DISTINCT login) FROM payments") == [(n, n)]


# ---------------------------------------------------------------- discountprocessing


def _pay(login, summ, note="", date="2024-05-10 12:00:00"):
    h.exec("INSERT INTO payments (login,date,admin,balance,summ,cashtypeid,note) "
           "VALUES (%s,%s,'admin','0',%s,1,%s)", (login, date, summ, note))


def test_discountprocessing_gates():
    reset()
    snap = h.snapshot(TABLES)
    with h.config(alter={"DISCOUNTS_ENABLED": "0"}):
        assert cli("discountprocessing") == "ERROR:DISCOUNTS_DISABLED"
    with h.config(alter={"DISCOUNTS_ENABLED": "1"}):
        assert cli("discountprocessing&lastday=1", now="2024-05-15 10:00:00") == "OK:DISCOUNTS_SKIPPED"
        assert cli("discountprocessing&lastday=1", now="2024-02-28 10:00:00") == "OK:DISCOUNTS_SKIPPED"
    h.assert_unchanged(snap)


def test_discountprocessing_acceptance_both_backends():
    def body(peer):
        h.exec("INSERT INTO discounts (login,percent) VALUES ('u1',5),('u1',10),('u2',0)")
        for s, note in (("100", ""), ("50", ""), ("-20", ""), ("30", "DISCOUNT:10"), (".5", "")):
            _pay("u1", s, note)
        _pay("u2", "100")
        _pay("u1", "1000", date="2024-04-30 23:59:59")
        h.exec("DELETE FROM weblogs")
        # leap-year February's last day runs with lastday
        out = cli("discountprocessing&lastday=1", now="2024-05-31 10:00:00")
        assert out == "OK:DISCOUNTS_PROCESSING", out
        assert payments("paymentscorr") == [("u1", "0", "15", "1", "DISCOUNT:10")]
        assert events() == ["BALANCECORRECT (u1) ON 15"]
        charged(peer, "u1", ["15"], "0")
    on_backends([dict(login="u1"), dict(login="u2")], body,
                alter={"DISCOUNTS_ENABLED": "1", "DISCOUNT_OPERATION": "CORR"})


def test_discountprocessing_add_prevmonth_daily_and_fractions():
    reset()
    make_user("u1")
    h.exec("INSERT INTO discounts (login,percent) VALUES ('u1',7)")
    _pay("u1", "333", date="2024-02-29 09:00:00")
    _pay("u1", "10", date="2024-03-31 09:00:00")
    with h.config(billing=DIRECT, alter={"DISCOUNTS_ENABLED": "1", "DISCOUNT_OPERATION": "ADD",
                                         "DISCOUNT_PREVMONTH": "1", "DISCOUNT_CASHTYPEID": "3"}):
        # March 31 minus one month is February (PHP's strtotime gives March)
        assert cli("discountprocessing&lastday=1", now="2024-03-31 23:00:00") == "OK:DISCOUNTS_PROCESSING"
        assert payments()[-1] == ("u1", "0", "23.31", "3", "DISCOUNT:7")
        with h.config(alter={"DISCOUNT_DAILY": "1"}):
            out = cli("discountprocessing&dryrun=1", now="2024-03-31 23:00:00")
            assert out == "u1\t0.7\tDISCOUNT:7\tpayments\nOK:DISCOUNTS_PROCESSING", out
        # year end: the previous month of January is December of last year
        _pay("u1", "200", date="2023-12-05 09:00:00")
        assert cli("discountprocessing", now="2024-01-15 10:00:00") == "OK:DISCOUNTS_PROCESSING"
        assert payments()[-1] == ("u1", "23.31", "14", "3", "DISCOUNT:7")


# ---------------------------------------------------------------- cudiscounts


def test_cudiscounts_acceptance_both_backends():
    def body(peer):
        make_tariff("T200", 200)
        h.exec("INSERT INTO cudiscounts (login,discount,date,days) VALUES "
               "('u2',2,'2024-01-01 00:00:00',30),('u3',4,'2024-01-01 00:00:00',5),"
               "('u4',0,'2024-01-01 00:00:00',0)")
        log = os.path.join(h.root, "content", "documents", "cudiscounts.log")
        if os.path.exists(log):
            os.unlink(log)
        out = cli("cudiscounts", now="2024-05-31 10:00:00")
        assert out == "OK:CUDISCOUNTS", out
        rows = h.sql("SELECT login,CAST(discount AS CHAR),CAST(days AS CHAR),CAST(date AS CHAR)"
                     " FROM cudiscounts ORDER BY login", strings=True)
        assert rows == [("u1", "0", "1", "2024-05-31 10:00:00"),
                        ("u2", "3", "0", "2024-01-01 00:00:00"),
                        ("u3", "0", "0", "2024-01-01 00:00:00"),
                        ("u4", "0", "0", "2024-01-01 00:00:00")], rows
        assert payments() == [("u2", "0", "6", "1", "DISCOUNT:3")]
        charged(peer, "u2", ["6"], "0")
        with open(log) as f:
            assert f.read() == (
                "2024-05-31 10:00:00 CUDISCOUNTS CREATE (u1)\n"
                "2024-05-31 10:00:00 CUDISCOUNTS PUSH (u2) PERCENT:3 DAYS:0 CASH:6 TARIFF:T200\n"
                "2024-05-31 10:00:00 CUDISCOUNTS SETDOWN (u3) DAYS: 0 PERCENT: 0\n")
        os.unlink(log)
    on_backends([dict(login="u1"), dict(login="u2", tariff="T200"),
                 dict(login="u3", passive=1), dict(login="u4", down=1)], body,
                alter={"CUD_ENABLED": "1"})


def test_cudiscounts_weblog_level_override_and_dryrun():
    reset()
    make_user("u1")
    make_user("u2")
    h.exec("INSERT INTO cudiscounts (login,discount,date,days) VALUES "
           "('u1',2,'2024-01-01 00:00:00',3),('u2',2,'2024-01-01 00:00:00',3)")
    h.exec("INSERT INTO cftypes (id,type,name) VALUES (9,'VARCHAR','cud')")
    h.exec("INSERT INTO cfitems (typeid,login,content) VALUES (9,'u2','8%')")
    with h.config(billing=DIRECT, alter={"CUD_ENABLED": "2", "CUD_CFID": "9"}):
        snap = h.snapshot(TABLES)
        out = cli("cudiscounts&dryrun=1")
        assert out == ("u1\tdays=4 discount=2\t\tcudiscounts\n"
                       "u2\tdays=4 discount=8\t\tcudiscounts\nOK:CUDISCOUNTS"), out
        h.assert_unchanged(snap)
        assert cli("cudiscounts") == "OK:CUDISCOUNTS"
    assert events() == ["CUDISCOUNTS UPDATE (u1) DAYS:4 PERCENT:2",
                        "CUDISCOUNTS OVERRIDE (u2) PERCENT:8",
                        "CUDISCOUNTS UPDATE (u2) DAYS:4 PERCENT:2"]
    with h.config(alter={"CUD_ENABLED": "0"}):
        assert cli("cudiscounts") == "ERROR:CUDISCOUNTS_DISABLED"
    log = os.path.join(h.root, "content", "documents", "cudiscounts.log")
    if os.path.exists(log):
        os.unlink(log)


# ---------------------------------------------------------------- autocredit


def _autocredit_data(day="5"):
    make_tariff("T100", 100)
    make_tariff("Free", 0)
    h.exec("INSERT INTO cftypes (id,type,name) VALUES (7,'VARCHAR','day')")
    h.exec("INSERT INTO cfitems (typeid,login,content) VALUES (7,'u1',%s),(7,'u2','9'),"
           "(7,'ghost','3'),(8,'u1','1')", (day,))
    vservice(1, 3, 20, archived=1)
    tag("u1", 3)
    tag("u1", 3)


def test_autocredit_gates():
    reset()
    snap = h.snapshot(TABLES)
    with h.config(alter={"AUTOCREDIT_CFID": "0"}):
        assert cli("autocredit", now="2024-05-31 10:00:00") == "ERROR:AUTOCREDIT DISABLED"
    with h.config(alter={"AUTOCREDIT_CFID": "7"}):
        assert cli("autocredit", now="2024-05-15 10:00:00") == "SKIP:AUTOCREDIT"
        assert cli("autocredit", now="2024-02-28 10:00:00") == "SKIP:AUTOCREDIT"  # leap year
        assert cli("autocredit", now="2023-12-30 10:00:00") == "SKIP:AUTOCREDIT"
    h.assert_unchanged(snap)


def test_autocredit_acceptance_both_backends():
    def body(peer):
        _autocredit_data()
        out = cli("autocredit", now="2024-05-31 10:00:00")
        assert out == "OK:AUTOCREDIT 1", out
        assert events() == ["AUTOCREDIT (u1) ON `140` TO `2024-06-05`"]
        epoch = h.sql("SELECT UNIX_TIMESTAMP('2024-06-05 00:00:00')")[0][0]
        if peer:
            assert peer.setuser_log() == [setuser("u1", "credit", "value", "140"),
                                          setuser("u1", "CreditExpire", "value", str(epoch))]
        else:
            assert h.sql("SELECT CAST(Credit AS CHAR),CreditExpire FROM users WHERE login='u1'",
                         strings=True) == [("140", str(epoch))]
    on_backends([dict(login="u1", tariff="T100"), dict(login="u2", tariff="Free")], body,
                alter={"AUTOCREDIT_CFID": "7"})


def test_autocredit_month_edges():
    reset()
    make_user("u1", tariff="T100")
    with h.config(billing=DIRECT, alter={"AUTOCREDIT_CFID": "7"}):
        _autocredit_data(day="31")
        assert cli("autocredit", now="2024-05-31 10:00:00") == "OK:AUTOCREDIT 0"
        assert events() == ["AUTOCREDIT (u1) FAIL WRONG CFDAY `2024-06-31`"]
        h.exec("DELETE FROM weblogs")
        # January 31 -> February: day 29 exists in 2024 only
        h.exec("UPDATE cfitems SET content='29' WHERE login='u1' AND typeid=7")
        assert cli("autocredit", now="2023-01-31 10:00:00") == "OK:AUTOCREDIT 0"
        assert cli("autocredit", now="2024-01-31 10:00:00") == "OK:AUTOCREDIT 1"
        assert events() == ["AUTOCREDIT (u1) FAIL WRONG CFDAY `2023-02-29`",
                            "AUTOCREDIT (u1) ON `140` TO `2024-02-29`"]
        h.exec("DELETE FROM weblogs")
        # year end, and the last day of a leap February
        assert cli("autocredit", now="2024-12-31 23:59:59") == "OK:AUTOCREDIT 1"
        assert cli("autocredit&dryrun=1", now="2024-02-29 00:00:00") == \
            "u1\t140\t2024-03-29\tcredit\nOK:AUTOCREDIT 1"
        assert events() == ["AUTOCREDIT (u1) ON `140` TO `2025-01-29`"]
        h.exec("UPDATE cfitems SET content='x' WHERE login='u1' AND typeid=7")
        h.exec("DELETE FROM weblogs")
        assert cli("autocredit", now="2024-12-31 23:59:59") == "OK:AUTOCREDIT 0"
        assert events() == ["AUTOCREDIT (u1) FAIL WRONG CFDAY ``"]


# ---------------------------------------------------------------- grouped units
# With the direct backend on InnoDB (own schema) the batches apply their
# units a group at a time (lib/batch.c, groups of 500); on MyISAM they stay
# one unit per transaction. Each scenario runs twice on the same data, with
# grouping and with weblogs switched to MyISAM (which turns it off), and
# every row written must be the same, in the same order.


def _commits():
    return int(h.sql("SHOW GLOBAL STATUS LIKE 'Com_commit'")[0][1])


def _state():
    q = {"users": "SELECT login,CAST(Cash AS CHAR),CAST(LastCashAdd AS CHAR),LastCashAddTime,"
                  "Passive,PassiveTime,CAST(Credit AS CHAR),CreditExpire FROM users ORDER BY login",
         "payments": "SELECT login,date,admin,balance,summ,cashtypeid,note FROM payments ORDER BY id",
         "paymentscorr": "SELECT login,date,admin,balance,summ,cashtypeid,note FROM paymentscorr"
                         " ORDER BY id",
         "weblogs": "SELECT date,admin,ip,event FROM weblogs ORDER BY id"}
    return {k: [tuple(r) for r in h.sql(v, strings=True)] for k, v in q.items()}


def _both_ways(setup, run, units):
    """setup() loads the data, run() runs the batch and returns its reply.
    Returns (reply, state) of the grouped run after checking the one-unit
    run gave the same; units: how many units the run applies."""
    engine = h.sql("SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA=DATABASE()"
                   " AND TABLE_NAME='weblogs'")[0][0]
    got = []
    for one_by_one in (False, True):
        reset()
        setup()
        if one_by_one:
            h.exec("ALTER TABLE weblogs ENGINE=MyISAM")
        try:
            before = _commits()
            reply = run()
            commits = _commits() - before
        finally:
            if one_by_one:
                h.exec("ALTER TABLE weblogs ENGINE=%s" % engine)
        if engine == "InnoDB" and not one_by_one:
            assert commits <= units // 500 + 4, commits  # grouped
        else:
            assert commits >= units, commits  # one transaction per unit
        got.append((reply, _state()))
    assert got[0][0] == got[1][0], (got[0][0], got[1][0])
    for k in got[0][1]:
        assert got[0][1][k] == got[1][1][k], (k, [x for x in zip(got[0][1][k], got[1][1][k])
                                                  if x[0] != x[1]][:3])
    return got[0]


def test_grouped_vservices_match_one_by_one():
    n = 1100

    def setup():
        _bulk_users(n, "g", cash_expr="CAST(seq AS SIGNED) - 3")
        # a second, gated service on a few users: their second unit lands in
        # the same group as their first; a tag of nobody in the middle
        h.exec("INSERT INTO tags (tagid,login) SELECT 6,CONCAT('g',LPAD(seq,6,'0'))"
               " FROM seq_1_to_%d WHERE seq > 1000 AND seq %% 7 = 0 OR seq IN (2,4,5)" % n)
        tag("ghost", 6)
        h.exec("INSERT INTO tags (tagid,login) VALUES (6,'g001099')")
        vservice(1, 5, "1.5", priority=2)
        vservice(2, 6, "2", priority=1, always=0)

    def run():
        with h.config(billing=DIRECT, alter={"VSERVICES_CONSIDER_CREDIT": "0"}):
            return cli("vserviceschargefee", now="2024-05-20 10:00:00")
    reply, st = _both_ways(setup, run, n)
    assert reply == "OK:SERVICE_CHARGE_FEE"
    pays = [(p[0], p[3], p[4]) for p in st["payments"]]
    assert len(pays) == n + 17, len(pays)
    assert pays[:2] == [("g000001", "-2", "-1.5"), ("g000002", "-1", "-1.5")]
    # g000005 had 2 (after -1.5: 0.5 > 0, so the second service charges it)
    mine = [p for p in pays if p[0] == "g000005"]
    assert mine == [("g000005", "2", "-1.5"), ("g000005", "0.5", "-2")], mine
    # g001099 holds tag 6 twice: three units, running balances
    mine = [p for p in pays if p[0] == "g001099"]
    assert mine == [("g001099", "1096", "-1.5"), ("g001099", "1094.5", "-2"),
                    ("g001099", "1092.5", "-2")], mine
    assert [u[1:3] for u in st["users"] if u[0] == "g001099"] == [("1090.5", "-2")]
    ev = [w[3] for w in st["weblogs"]]
    assert ev[0] == "REMOTEAPI VSERVICE_CHARGE_FEE STARTED"
    assert ev[-1] == "REMOTEAPI VSERVICE_CHARGE_FEE FINISHED"
    assert ev[-3:-1] == ["VSERVICE_CHARGE_FEE: user (ghost) not found in overall existent users list",
                         "BALANCEADD (g001099) ON -2"], ev[-3:]
    assert ev[1:n + 1] == ["BALANCEADD (g%06d) ON -1.5" % i for i in range(1, n + 1)]


def test_grouped_missing_user_and_corrections():
    # discountprocessing charges a login with no users row: refused alone,
    # the others of its group are charged
    def setup():
        for i in range(1, 8):
            make_user("d%d" % i, cash=str(i))
        logins = ["d1", "ghost", "d2", "D3", "d4", "d5", "d6", "d7"]
        for lg in logins:
            h.exec("INSERT INTO discounts (login,percent) VALUES (%s,10)", (lg,))
            _pay(lg, "100")
        _pay("d2", "50")
        h.exec("DELETE FROM weblogs")

    def run():
        with h.config(billing=DIRECT, alter={"DISCOUNTS_ENABLED": "1", "DISCOUNT_OPERATION": "CORR"}):
            return cli("discountprocessing", now="2024-05-31 10:00:00")
    reply, st = _both_ways(setup, run, 7)
    assert reply == "ERROR:BILLING_CORE", reply
    corr = [(p[0], p[3], p[4], p[6]) for p in st["paymentscorr"]]
    # D3 is d3's row: the users table compares logins without case
    assert corr == [("d1", "1", "10", "DISCOUNT:10"), ("d2", "2", "15", "DISCOUNT:10"),
                    ("D3", "3", "10", "DISCOUNT:10"), ("d4", "4", "10", "DISCOUNT:10"),
                    ("d5", "5", "10", "DISCOUNT:10"), ("d6", "6", "10", "DISCOUNT:10"),
                    ("d7", "7", "10", "DISCOUNT:10")], corr
    assert [w[3] for w in st["weblogs"]][:3] == ["BALANCECORRECT (d1) ON 10", "BALANCECORRECT (d2) ON 15",
                                                 "BALANCECORRECT (D3) ON 10"]
    assert [u[1] for u in st["users"]] == ["11", "17", "13", "14", "15", "16", "17"]


def test_grouped_autofreeze_passive_cost():
    n = 700

    def setup():
        h.exec("INSERT INTO tariffs (name,Fee,PassiveCost) VALUES ('Test',100,3),('Free',0,0)")
        _bulk_users(n, "f", cash_expr="IF(seq %% 2 = 1, -30, 10)")
        h.exec("UPDATE users SET Tariff='Free' WHERE login LIKE '%5'")

    def run():
        with h.config(billing=DIRECT, alter={"AUTOFREEZE_CASH_LIMIT": "-20"}):
            return cli("autofreeze", now="2024-05-20 10:00:00")
    try:
        reply, st = _both_ways(setup, run, n // 2)
    finally:
        reset()  # other files' users take tariff Test without a PassiveCost
    assert reply == "OK:AUTOFREEZE"
    frozen = [u for u in st["users"] if u[4] == "1"]
    assert len(frozen) == n // 2
    assert frozen[0][:3] == ("f000001", "-33", "-3"), frozen[0]
    assert frozen[0][3] == frozen[0][5] != "0", frozen[0]  # LastCashAddTime = PassiveTime = now
    assert [u[1] for u in st["users"] if u[0] == "f000005"] == ["-30"]  # PassiveCost 0
    ev = [w[3] for w in st["weblogs"]]
    assert ev[0] == "AUTOFREEZE (f000001) ON BALANCE -30"
    assert ev[-1] == "AUTOFREEZE DONE COUNT `%d`" % (n // 2)


if __name__ == "__main__":
    h.main(globals())
