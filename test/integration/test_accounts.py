"""The account actions reset, usercash, sc, setculpa and paycardsqueue
through real nginx -> ubapi.fcgi -> MariaDB (and the CLI for exact dates),
on both billing backends: direct (SQL on users) and Stargazer (the loopback
peer, whose request log is asserted byte for byte).

Every acceptance check of spec/actions-accounts.md §2.1, §2.2, §2.3, §2.17
and §2.19 is a test here; bad input is checked to change no table and send
nothing to Stargazer. Stargazer failure modes are in test_billing_core.py."""
import datetime
import threading
import time

import harness as h

DIRECT = {"baseconf": "direct", "NOSTGCHECKPID": "1"}
# Everything a money action may touch: a refused call must leave all of it.
TABLES = ["users", "payments", "paymentscorr", "weblogs", "mlg_culpas", "cardbank",
          "ubapi_requests"]
# every column as the server's text (CAST keeps pymysql from converting)
PAY_COLS = "login,CAST(date AS CHAR),admin,balance,summ,CAST(cashtypeid AS CHAR),note"
LOG_COLS = "CAST(date AS CHAR),admin,ip,event"


# ---------------------------------------------------------------- fixtures


def make_user(login, cash="0", credit="0", passive=0, down=0, ao=1, tariff="Test"):
    """A users row with every NOT NULL column of Ubilling's real schema
    filled (Note, Userdata0-9 have no default there)."""
    h.exec("DELETE FROM users WHERE login=%s", (login,))
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Address,Phone,"
           "Email,Note,RealName,StgGroup,Credit,TariffChange,Userdata0,Userdata1,Userdata2,"
           "Userdata3,Userdata4,Userdata5,Userdata6,Userdata7,Userdata8,Userdata9,CreditExpire,"
           "IP,Cash,FreeMb,LastCashAdd,LastCashAddTime,PassiveTime,LastActivityTime,NAS) "
           "VALUES (%s,'*',%s,%s,%s,%s,'','','','','','',%s,'','','','','','','','','','','',0,"
           "'*',%s,0,0,0,0,0,'')",
           (login, passive, down, ao, tariff, credit, cash))


def peer_user(login, cash="0", credit="0", passive=0, down=0, ao=1, tariff="Test"):
    return "%s:%s:%s:%s:%s:%s:%s:0" % (login, cash, credit, passive, down, ao, tariff)


def user(login):
    """(Cash, Credit, Passive, Down, AlwaysOnline, CreditExpire) as the
    server's text."""
    rows = h.sql("SELECT CAST(Cash AS CHAR),CAST(Credit AS CHAR),CAST(Passive AS CHAR),"
                 "CAST(Down AS CHAR),CAST(AlwaysOnline AS CHAR),CAST(CreditExpire AS CHAR)"
                 " FROM users WHERE login=%s", (login,))
    return rows[0] if rows else None


class Marks:
    """The last id of payments, paymentscorr and weblogs now; new(t) gives
    the rows written since."""

    def __init__(self):
        self.ids = {t: h.sql("SELECT COALESCE(MAX(id),0) FROM `%s`" % t)[0][0]
                    for t in ("payments", "paymentscorr", "weblogs")}

    def new(self, table):
        cols = LOG_COLS if table == "weblogs" else PAY_COLS
        return h.sql("SELECT %s FROM `%s` WHERE id>%%s ORDER BY id" % (cols, table),
                     (self.ids[table],))

    def events(self):
        return [r[3] for r in self.new("weblogs")]


def call(query, headers=None):
    status, _, body = h.api(query, headers=headers)
    assert status == 200, "status %d for %r" % (status, query)
    return body.decode("utf-8")


def near_now(stamp, slack=30):
    t = datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
    return abs((datetime.datetime.now() - t).total_seconds()) <= slack


def check_pay(row, login, balance, summ, ct, note, admin="guest"):
    assert row[0] == login and row[2] == admin and row[3] == balance and row[4] == summ \
        and row[5] == str(ct) and row[6] == note, row
    assert near_now(row[1]), row


def check_weblog(row, event, ip="127.0.0.1"):
    assert row[1] == "guest" and row[2] == ip and row[3] == event, row
    assert near_now(row[0]), row


def setuser(login, elem, attr, value):
    return '<SetUser><login value="%s" /><%s %s="%s" /></SetUser>' % (login, elem, attr, value)


def refused(cases, peer=None, snap_tables=TABLES):
    """Each (query, reply): exactly that reply, no table changed and no
    request to the peer."""
    snap = h.snapshot(snap_tables)
    for query, want in cases:
        got = call(query)
        assert got == want, "%r -> %r, want %r" % (query, got, want)
    h.assert_unchanged(snap)
    if peer is not None:
        assert peer.log() == [], peer.log()


# ---------------------------------------------------------------- usercash, direct


def test_usercash_add_direct():
    make_user("acc1", cash="12.5")
    m = Marks()
    with h.config(billing=DIRECT):
        assert call("action=usercash&login=acc1&summ=10") == "OK:USERCASH"
    assert user("acc1")[0] == "22.5"
    pays = m.new("payments")
    assert len(pays) == 1 and m.new("paymentscorr") == []
    check_pay(pays[0], "acc1", "12.5", "10", 1, "")
    logs = m.new("weblogs")
    assert len(logs) == 1
    check_weblog(logs[0], "BALANCEADD (acc1) ON 10")


def test_usercash_correct_direct():
    make_user("acc1", cash="12.5")
    m = Marks()
    with h.config(billing=DIRECT):
        assert call("action=usercash&login=acc1&summ=10&op=correct&ct=3&note=x") == "OK:USERCASH"
    assert user("acc1")[0] == "22.5"
    assert m.new("payments") == []
    corr = m.new("paymentscorr")
    assert len(corr) == 1
    check_pay(corr[0], "acc1", "12.5", "10", 3, "x")
    assert m.events() == ["BALANCECORRECT (acc1) ON 10"]


def test_usercash_set_direct():
    make_user("acc1", cash="12.5")
    m = Marks()
    with h.config(billing=DIRECT):
        assert call("action=usercash&login=acc1&summ=5&op=set") == "OK:USERCASH"
    assert user("acc1")[0] == "5"
    pays = m.new("payments")
    assert len(pays) == 1
    check_pay(pays[0], "acc1", "12.5", "5", 1, "BALANCESET:")
    assert m.events() == ["BALANCESET (acc1) ON 5"]


def test_usercash_mock_direct():
    make_user("acc1", cash="12.5")
    m = Marks()
    with h.config(billing=DIRECT):
        assert call("action=usercash&login=acc1&summ=10&op=mock&note=n1") == "OK:USERCASH"
    assert user("acc1")[0] == "12.5"
    pays = m.new("payments")
    assert len(pays) == 1
    check_pay(pays[0], "acc1", "12.5", "10", 1, "MOCK:n1")
    assert m.events() == ["BALANCEMOCK (acc1) ON 10"]


def test_usercash_op_direct():
    make_user("acc1", cash="12.5")
    m = Marks()
    with h.config(billing=DIRECT):
        assert call("action=usercash&login=acc1&summ=-2.75&op=op") == "OK:USERCASH"
    assert user("acc1")[0] == "9.75"
    pays = m.new("payments")
    assert len(pays) == 1
    check_pay(pays[0], "acc1", "12.5", "-2.75", 1, "")
    assert m.events() == []


def test_usercash_cashtype_digits_and_note_kept_verbatim():
    # ct keeps its digits (Ubilling's rule), 0 or none means 1; a note with
    # quotes and semicolons is bound, stored exactly, never part of SQL
    make_user("acc1", cash="0")
    m = Marks()
    with h.config(billing=DIRECT):
        assert call("action=usercash&login=acc1&summ=1&ct=4x") == "OK:USERCASH"
        assert call("action=usercash&login=acc1&summ=1&ct=0") == "OK:USERCASH"
        assert call("action=usercash&login=acc1&summ=1&note=a%27b%3Bc%22d%20%D0%AF") == "OK:USERCASH"
    pays = m.new("payments")
    assert [(p[5], p[6]) for p in pays] == [("4", ""), ("1", ""), ("1", "a'b;c\"d \u042f")], pays
    assert user("acc1")[0] == "3"


def test_usercash_cli_exact_date():
    # The CLI takes UBAPI_NOW, so the rows' dates can be checked exactly;
    # the CLI's address is 127.0.0.1.
    make_user("acc1", cash="1.5")
    m = Marks()
    with h.config(billing=DIRECT):
        rc, out, err = h.cli(["usercash&login=acc1&summ=0.25&note=cli"],
                             env={"UBAPI_NOW": "2024-02-29 23:59:58"})
    assert (rc, out) == (0, b"OK:USERCASH"), (rc, out, err)
    assert m.new("payments") == [("acc1", "2024-02-29 23:59:58", "guest", "1.5", "0.25", "1", "cli")]
    assert m.new("weblogs") == [("2024-02-29 23:59:58", "guest", "127.0.0.1",
                                 "BALANCEADD (acc1) ON 0.25")]
    assert user("acc1")[0] == "1.75"


USERCASH_BAD = [
    ("summ=1,5", "ERROR:DIRTY_MONEY"),
    ("summ=0", "ERROR:NO_PARAMS"),
    ("summ=", "ERROR:NO_PARAMS"),
    ("summ[]=5", "ERROR:NO_PARAMS"),
    ("summ=abc", "ERROR:DIRTY_MONEY"),
    ("summ=--5", "ERROR:DIRTY_MONEY"),
    ("summ=-", "ERROR:DIRTY_MONEY"),
    ("summ=%2B5", "ERROR:DIRTY_MONEY"),
    ("summ=1e2", "ERROR:DIRTY_MONEY"),
    ("summ=1.5.5", "ERROR:DIRTY_MONEY"),
    ("summ=.5", "ERROR:DIRTY_MONEY"),
    ("summ=%205", "ERROR:DIRTY_MONEY"),
    ("summ=5%27", "ERROR:DIRTY_MONEY"),
    ("summ=5%3B", "ERROR:DIRTY_MONEY"),
    ("summ=5%0A", "ERROR:DIRTY_MONEY"),
    ("summ=1.1234567891", "ERROR:DIRTY_MONEY"),
    ("summ=" + "9" * 40, "ERROR:DIRTY_MONEY"),
    ("summ=5&op=steal", "ERROR:WRONG_OPERATION"),
    ("summ=5&op=ADD", "ERROR:WRONG_OPERATION"),
    ("summ=5&op=add%27", "ERROR:WRONG_OPERATION"),
    ("summ=5&note=a%0Ab", "ERROR:WRONG_NOTE"),
    ("summ=5&note=a%09b", "ERROR:WRONG_NOTE"),
    ("summ=5&note=" + "n" * 201, "ERROR:WRONG_NOTE"),
    ("summ=5&reqid=a%27b", "ERROR:WRONG_REQID"),
    ("summ=5&reqid=a%3Bb", "ERROR:WRONG_REQID"),
    ("summ=5&reqid=" + "r" * 129, "ERROR:WRONG_REQID"),
]
USERCASH_BAD_LOGIN = [
    ("login=nobody&summ=5", "ERROR:WRONG_LOGIN"),
    ("login=acc1%27&summ=5", "ERROR:WRONG_LOGIN"),
    ("login=acc1%27%20OR%20%271%27%3D%271&summ=5", "ERROR:WRONG_LOGIN"),
    ("login=acc1%3B&summ=5", "ERROR:WRONG_LOGIN"),
    ("login=acc1%0A&summ=5", "ERROR:WRONG_LOGIN"),
    ("login=acc1%22&summ=5", "ERROR:WRONG_LOGIN"),
    ("login=ACC1%20&summ=5", "ERROR:WRONG_LOGIN"),
    ("login=" + "a" * 51 + "&summ=5", "ERROR:WRONG_LOGIN"),
    ("login=acc1", "ERROR:NO_PARAMS"),
    ("summ=5", "ERROR:NO_PARAMS"),
    ("login=&summ=5", "ERROR:NO_PARAMS"),
    ("login=0&summ=5", "ERROR:NO_PARAMS"),
]


def usercash_bad_cases():
    return ([("action=usercash&login=acc1&" + q, want) for q, want in USERCASH_BAD] +
            [("action=usercash&" + q, want) for q, want in USERCASH_BAD_LOGIN])


def test_usercash_bad_input_writes_nothing_direct():
    make_user("acc1", cash="12.5")
    with h.config(billing=DIRECT):
        refused(usercash_bad_cases())
        # bytes the query decoder refuses (NUL, invalid UTF-8) never reach
        # the action
        snap = h.snapshot(TABLES)
        for q in ("note=a%00b", "note=%FF", "login=acc1%FF"):
            status, _, _ = h.api("action=usercash&login=acc1&summ=5&" + q)
            assert status == 400, (q, status)
        h.assert_unchanged(snap)


# ---------------------------------------------------------------- usercash, Stargazer


def test_usercash_ops_stargazer():
    make_user("acc1", cash="12.5")
    m = Marks()
    with h.stgpeer(users=[peer_user("acc1", cash="12.5")]) as peer:
        assert call("action=usercash&login=acc1&summ=10") == "OK:USERCASH"
        assert call("action=usercash&login=acc1&summ=10&op=correct&ct=3&note=x") == "OK:USERCASH"
        assert call("action=usercash&login=acc1&summ=5&op=set") == "OK:USERCASH"
        assert call("action=usercash&login=acc1&summ=10&op=mock") == "OK:USERCASH"
        assert call("action=usercash&login=acc1&summ=-1.5&op=op") == "OK:USERCASH"
        assert peer.setuser_log() == [
            setuser("acc1", "cash", "add", "10"),
            setuser("acc1", "cash", "add", "10"),
            setuser("acc1", "cash", "set", "5"),
            setuser("acc1", "cash", "add", "-1.5"),
        ], peer.log()
        assert float(peer.state()["acc1"]["cash"]) == 3.5, peer.state()
    # Stargazer owns the users row: ubapi never touched it, and the balance
    # column is the users.Cash text before each change
    assert user("acc1")[0] == "12.5"
    pays = m.new("payments")
    assert len(pays) == 4, pays
    check_pay(pays[0], "acc1", "12.5", "10", 1, "")
    check_pay(pays[1], "acc1", "12.5", "5", 1, "BALANCESET:")
    check_pay(pays[2], "acc1", "12.5", "10", 1, "MOCK:")
    check_pay(pays[3], "acc1", "12.5", "-1.5", 1, "")
    corr = m.new("paymentscorr")
    assert len(corr) == 1
    check_pay(corr[0], "acc1", "12.5", "10", 3, "x")
    assert m.events() == ["BALANCEADD (acc1) ON 10", "BALANCECORRECT (acc1) ON 10",
                          "BALANCESET (acc1) ON 5", "BALANCEMOCK (acc1) ON 10"]


def test_usercash_bad_input_stargazer():
    make_user("acc1", cash="12.5")
    with h.stgpeer(users=[peer_user("acc1", cash="12.5")]) as peer:
        refused(usercash_bad_cases(), peer)


# ---------------------------------------------------------------- reqid


def test_usercash_reqid_replay_direct():
    make_user("acc1", cash="0")
    h.exec("DELETE FROM ubapi_requests WHERE reqid LIKE 'acc-%%'")
    m = Marks()
    with h.config(billing=DIRECT):
        q = "action=usercash&login=acc1&summ=3&reqid=acc-r1"
        assert call(q) == "OK:USERCASH"
        assert call(q) == "OK:USERCASH"
        assert len(m.new("payments")) == 1 and user("acc1")[0] == "3"
        assert call("action=usercash&login=acc1&summ=3&reqid=acc-r2") == "OK:USERCASH"
        assert len(m.new("payments")) == 2 and user("acc1")[0] == "6"
        # an error is not kept: after fixing the request, the same reqid runs
        assert call("action=usercash&login=nobody&summ=3&reqid=acc-r3") == "ERROR:WRONG_LOGIN"
        assert call("action=usercash&login=acc1&summ=3&reqid=acc-r3") == "OK:USERCASH"
        assert call("action=usercash&login=acc1&summ=3&reqid=acc-r3") == "OK:USERCASH"
        assert len(m.new("payments")) == 3 and user("acc1")[0] == "9"
        assert len(m.new("weblogs")) == 3


def test_usercash_reqid_replay_stargazer():
    make_user("acc1", cash="0")
    h.exec("DELETE FROM ubapi_requests WHERE reqid LIKE 'acc-%%'")
    m = Marks()
    with h.stgpeer(users=[peer_user("acc1")]) as peer:
        q = "action=usercash&login=acc1&summ=2&reqid=acc-s1"
        assert call(q) == "OK:USERCASH"
        assert call(q) == "OK:USERCASH"
        assert peer.setuser_log() == [setuser("acc1", "cash", "add", "2")]
    assert len(m.new("payments")) == 1


# ---------------------------------------------------------------- X-Forwarded-For


def test_weblog_ip_and_forwarded_for():
    """nginx passes the TCP peer as REMOTE_ADDR (127.0.0.1 here) and the
    client's X-Forwarded-For as HTTP_X_FORWARDED_FOR; the header counts only
    when that peer is a trusted proxy and the value is an address."""
    make_user("acc1", cash="0")
    xff = {"X-Forwarded-For": "203.0.113.9, 127.0.0.1"}
    with h.config(billing=DIRECT, ubapi={"server": {"trusted_proxies": "127.0.0.1"}}):
        m = Marks()
        assert call("action=usercash&login=acc1&summ=1", headers=xff) == "OK:USERCASH"
        assert call("action=usercash&login=acc1&summ=1",
                    headers={"X-Forwarded-For": "1.2.3.4' OR 1=1"}) == "OK:USERCASH"
        assert call("action=usercash&login=acc1&summ=1") == "OK:USERCASH"
        assert [r[2] for r in m.new("weblogs")] == ["203.0.113.9", "127.0.0.1", "127.0.0.1"]
    with h.config(billing=DIRECT, ubapi={"server": {"trusted_proxies": ""}}):
        m = Marks()
        assert call("action=usercash&login=acc1&summ=1", headers=xff) == "OK:USERCASH"
        assert [r[2] for r in m.new("weblogs")] == ["127.0.0.1"]


# ---------------------------------------------------------------- reset


def test_reset_ao_stargazer():
    make_user("acc1")
    m = Marks()
    with h.config(billing={"RESET_AO": "1"}, alter={"RESETHARD": "0"}):
        with h.stgpeer(users=[peer_user("acc1")]) as peer:
            assert call("action=reset&param=acc1") == "OK:RESET"
            assert peer.setuser_log() == [setuser("acc1", "aonline", "value", "0"),
                                          setuser("acc1", "aonline", "value", "1")]
    logs = m.new("weblogs")
    assert len(logs) == 1
    check_weblog(logs[0], "REMOTEAPI RESET (acc1)")
    assert m.new("payments") == []


def test_reset_down_stargazer():
    make_user("acc1")
    with h.config(billing={"RESET_AO": "0"}, alter={"RESETHARD": "0"}):
        with h.stgpeer(users=[peer_user("acc1")]) as peer:
            assert call("action=reset&param=acc1") == "OK:RESET"
            assert peer.setuser_log() == [setuser("acc1", "down", "value", "1"),
                                          setuser("acc1", "down", "value", "0")]
            assert peer.state()["acc1"]["down"] == "0"


def test_reset_direct():
    make_user("acc1", down=0, ao=1)
    m = Marks()
    for reset_ao in ("1", "0"):
        with h.config(billing=dict(DIRECT, RESET_AO=reset_ao), alter={"RESETHARD": "0"}):
            assert call("action=reset&param=acc1") == "OK:RESET"
        assert user("acc1")[3:5] == ("0", "1"), user("acc1")
    assert m.events() == ["REMOTEAPI RESET (acc1)"] * 2


def test_reset_bad_input():
    make_user("acc1")
    cases = [
        ("action=reset", "ERROR:GET_NO_PARAM"),
        ("action=reset&param=", "ERROR:WRONG_LOGIN"),
        ("action=reset&param=nobody", "ERROR:WRONG_LOGIN"),
        ("action=reset&param=a%27b", "ERROR:WRONG_LOGIN"),
        ("action=reset&param=acc1%27%3B%20touch%20%2Ftmp%2Fx%3B%20%27", "ERROR:WRONG_LOGIN"),
        ("action=reset&param=acc1%0A", "ERROR:WRONG_LOGIN"),
        ("action=reset&param=" + "a" * 60, "ERROR:WRONG_LOGIN"),
        ("action=reset&param[]=acc1", "ERROR:GET_NO_PARAM"),
    ]
    with h.config(alter={"RESETHARD": "1"}):
        with h.stgpeer(users=[peer_user("acc1")]) as peer:
            refused(cases, peer)
        with h.config(billing=DIRECT):
            refused(cases)


def test_reset_hard_resurrect_stargazer():
    # spec §2.1 acceptance 4: Passive=1, Cash=-50, Credit=0, AO=1, Down=0
    make_user("acc1", cash="-50", credit="0", passive=1, down=0, ao=1)
    m = Marks()
    with h.config(billing={"RESET_AO": "1"}, alter={"RESETHARD": "1"}):
        with h.stgpeer(users=[peer_user("acc1", cash="-50", passive=1)]) as peer:
            t0 = time.monotonic()
            assert call("action=reset&param=acc1") == "OK:RESET"
            took = time.monotonic() - t0
            assert peer.setuser_log() == [
                setuser("acc1", "aonline", "value", "0"),
                setuser("acc1", "aonline", "value", "1"),
                setuser("acc1", "passive", "value", "0"),
                setuser("acc1", "credit", "value", "51"),
                setuser("acc1", "passive", "value", "1"),
                setuser("acc1", "credit", "value", "0"),
            ], peer.log()
            st = peer.state()["acc1"]
            assert st["passive"] == "1" and float(st["credit"]) == 0, st
    assert took >= 1.0, took  # Stargazer gets a second before the credit goes
    assert m.events() == ["REMOTEAPI RESET (acc1)", "RESURRECT (acc1) PASSIVE,CASH"]


def test_reset_hard_resurrect_direct():
    # The reset pair runs first, so what resurrect sees is the state after
    # it (as in PHP, where Stargazer has already written users): with
    # RESET_AO=0 Down is 0 again, with RESET_AO=1 AlwaysOnline is 1 again.
    m = Marks()
    for reset_ao, flags, final in (
            ("0", "PASSIVE,AO,CASH", ("-10.5", "2", "1", "0", "0", "0")),
            ("1", "DOWN,PASSIVE,CASH", ("-10.5", "2", "1", "1", "1", "0"))):
        make_user("acc1", cash="-10.5", credit="2", passive=1, down=1, ao=0)
        with h.config(billing=dict(DIRECT, RESET_AO=reset_ao), alter={"RESETHARD": "1"}):
            assert call("action=reset&param=acc1") == "OK:RESET"
        assert user("acc1") == final, (reset_ao, user("acc1"))
    assert m.events() == ["REMOTEAPI RESET (acc1)", "RESURRECT (acc1) PASSIVE,AO,CASH",
                          "REMOTEAPI RESET (acc1)", "RESURRECT (acc1) DOWN,PASSIVE,CASH"]


def test_reset_hard_nothing_to_lift():
    make_user("acc1", cash="5", ao=1)
    m = Marks()
    with h.config(alter={"RESETHARD": "1"}):
        with h.stgpeer(users=[peer_user("acc1", cash="5")]) as peer:
            assert call("action=reset&param=acc1") == "OK:RESET"
            assert len(peer.setuser_log()) == 2
    assert m.events() == ["REMOTEAPI RESET (acc1)"]


# ---------------------------------------------------------------- sc


def epoch(day):
    return str(int(time.mktime(time.strptime(day, "%Y-%m-%d"))))


def test_sc_direct():
    make_user("acc1", cash="3", credit="0")
    m = Marks()
    with h.config(billing=DIRECT):
        assert call("action=sc&login=acc1&cr=100&end=2024-06-01&fee=5&ct=2") == "SC:OK"
    assert user("acc1") == ("-2", "100", "0", "0", "1", epoch("2024-06-01")), user("acc1")
    pays = m.new("payments")
    assert len(pays) == 1
    check_pay(pays[0], "acc1", "3", "-5", 2, "SCFEE")
    assert m.events() == ["BALANCEADD (acc1) ON -5"]


def test_sc_stargazer():
    make_user("acc1", cash="3")
    m = Marks()
    with h.stgpeer(users=[peer_user("acc1", cash="3")]) as peer:
        assert call("action=sc&login=acc1&cr=100&end=2024-06-01&fee=5&ct=2") == "SC:OK"
        assert peer.setuser_log() == [
            setuser("acc1", "credit", "value", "100"),
            setuser("acc1", "CreditExpire", "value", epoch("2024-06-01")),
            setuser("acc1", "cash", "add", "-5"),
        ], peer.log()
    pays = m.new("payments")
    assert len(pays) == 1
    check_pay(pays[0], "acc1", "3", "-5", 2, "SCFEE")
    assert m.events() == ["BALANCEADD (acc1) ON -5"]


def test_sc_without_fee_still_writes_scfee():
    # PHP writes summ "-" here; ubapi writes "-0" (a number)
    make_user("acc1", cash="3")
    m = Marks()
    with h.stgpeer(users=[peer_user("acc1", cash="3")]) as peer:
        assert call("action=sc&login=acc1&cr=50.5&end=2024-12-31&ct=1") == "SC:OK"
        assert call("action=sc&login=acc1&cr=50.5&end=2024-12-31&ct=1&fee=0") == "SC:OK"
        assert peer.setuser_log()[2] == setuser("acc1", "cash", "add", "-0")
    pays = m.new("payments")
    assert [(p[4], p[6]) for p in pays] == [("-0", "SCFEE"), ("-0", "SCFEE")], pays
    with h.config(billing=DIRECT):
        assert call("action=sc&login=acc1&cr=7&end=2024-12-31&ct=1") == "SC:OK"
    assert m.new("payments")[2][4:] == ("-0", "1", "SCFEE")
    assert user("acc1")[:2] == ("3", "7")


SC_BAD = [
    ("login=acc1&cr=0&end=2024-06-01&fee=5&ct=2", "ERROR:PARAMS_MISSED"),
    ("login=acc1&end=2024-06-01&fee=5&ct=2", "ERROR:PARAMS_MISSED"),
    ("login=acc1&cr=100&fee=5&ct=2", "ERROR:PARAMS_MISSED"),
    ("login=acc1&cr=100&end=2024-06-01&fee=5", "ERROR:PARAMS_MISSED"),
    ("login=acc1&cr=100&end=2024-06-01&fee=5&ct=0", "ERROR:PARAMS_MISSED"),
    ("cr=100&end=2024-06-01&fee=5&ct=2", "ERROR:PARAMS_MISSED"),
    ("login=acc1&cr=abc&end=2024-06-01&fee=5&ct=2", "ERROR:WRONG_PARAMS"),
    ("login=acc1&cr=1,5&end=2024-06-01&fee=5&ct=2", "ERROR:WRONG_PARAMS"),
    ("login=acc1&cr=100%27&end=2024-06-01&fee=5&ct=2", "ERROR:WRONG_PARAMS"),
    ("login=acc1&cr=100&end=2024-02-30&fee=5&ct=2", "ERROR:WRONG_PARAMS"),
    ("login=acc1&cr=100&end=tomorrow&fee=5&ct=2", "ERROR:WRONG_PARAMS"),
    ("login=acc1&cr=100&end=2024-06-01%3B&fee=5&ct=2", "ERROR:WRONG_PARAMS"),
    ("login=acc1&cr=100&end=2024-06-01&fee=-5&ct=2", "ERROR:WRONG_PARAMS"),
    ("login=acc1&cr=100&end=2024-06-01&fee=--5&ct=2", "ERROR:WRONG_PARAMS"),
    ("login=acc1&cr=100&end=2024-06-01&fee=5%0A&ct=2", "ERROR:WRONG_PARAMS"),
    ("login=acc1&cr=100&end=2024-06-01&fee=5&ct=abc", "ERROR:WRONG_PARAMS"),
    ("login=acc1&cr=100&end=2024-06-01&fee=5&ct=2%27", "ERROR:WRONG_PARAMS"),
    ("login=acc1&cr=" + "1" * 40 + "&end=2024-06-01&fee=5&ct=2", "ERROR:WRONG_PARAMS"),
    ("login=nobody&cr=100&end=2024-06-01&fee=5&ct=2", "ERROR:WRONG_LOGIN"),
    ("login=acc1%27&cr=100&end=2024-06-01&fee=5&ct=2", "ERROR:WRONG_LOGIN"),
    ("login=" + "a" * 51 + "&cr=100&end=2024-06-01&fee=5&ct=2", "ERROR:WRONG_LOGIN"),
]


def test_sc_bad_input_writes_nothing():
    make_user("acc1", cash="3")
    cases = [("action=sc&" + q, want) for q, want in SC_BAD]
    with h.stgpeer(users=[peer_user("acc1", cash="3")]) as peer:
        refused(cases, peer)
    with h.config(billing=DIRECT):
        refused(cases)


# ---------------------------------------------------------------- setculpa


def culpa_rows(*logins):
    return h.sql("SELECT login,culpa FROM mlg_culpas WHERE login IN (%s) ORDER BY id"
                 % ",".join(["%s"] * len(logins)), logins)


def clean_culpas():
    h.exec("DELETE FROM mlg_culpas WHERE login LIKE 'acc%%' OR culpa LIKE 'acc-%%'")


def test_setculpa_disabled():
    clean_culpas()
    for value in (None, "0", ""):
        with h.config(alter={"MEACULPA_ENABLED": value}):
            refused([("action=setculpa&login=acc1&culpa=acc-c1", "ERROR:MEACULPA_DISABLED")])


def test_setculpa_create_update_duplicate():
    clean_culpas()
    m = Marks()
    with h.config(alter={"MEACULPA_ENABLED": "1"}):
        assert call("action=setculpa&login=acc1&culpa=acc-c1") == "OK:MEACULPA"
        assert culpa_rows("acc1") == [("acc1", "acc-c1")]
        assert call("action=setculpa&login=acc1&culpa=acc-c2") == "OK:MEACULPA"
        assert culpa_rows("acc1") == [("acc1", "acc-c2")]
        # another user's culpa, and the user's own current one, are taken
        assert call("action=setculpa&login=acc2&culpa=acc-c2") == "FAIL:MEACULPA"
        assert call("action=setculpa&login=acc1&culpa=acc-c2") == "FAIL:MEACULPA"
        assert culpa_rows("acc1", "acc2") == [("acc1", "acc-c2")]
        # exact comparison: another case is another culpa
        assert call("action=setculpa&login=acc2&culpa=ACC-c2") == "OK:MEACULPA"
        assert culpa_rows("acc1", "acc2") == [("acc1", "acc-c2"), ("acc2", "ACC-c2")]
    logs = m.new("weblogs")
    assert [r[3] for r in logs] == [
        "CULPA CREATE (acc1) CULPA `acc-c1`",
        "CULPA UPDATE (acc1) CULPA `acc-c2`",
        "CULPA FAIL (acc2) DUPLICATE CULPA `acc-c2`",
        "CULPA FAIL (acc1) DUPLICATE CULPA `acc-c2`",
        "CULPA CREATE (acc2) CULPA `ACC-c2`",
    ], logs
    for row in logs:
        check_weblog(row, row[3])


def test_setculpa_rcms_truthiness():
    # alter.ini's remoteapi keys go through the RCMS parser: "off" is a
    # non-empty string and so enables the feature, as in PHP
    clean_culpas()
    with h.config(alter={"MEACULPA_ENABLED": "off"}):
        assert call("action=setculpa&login=acc1&culpa=acc-c1") == "OK:MEACULPA"


def test_setculpa_bad_input_writes_nothing():
    clean_culpas()
    with h.config(alter={"MEACULPA_ENABLED": "1"}):
        refused([
            ("action=setculpa", "ERROR:PARAMS_MISSED"),
            ("action=setculpa&login=acc1", "ERROR:PARAMS_MISSED"),
            ("action=setculpa&culpa=acc-c1", "ERROR:PARAMS_MISSED"),
            ("action=setculpa&login=acc1&culpa=0", "ERROR:PARAMS_MISSED"),
            ("action=setculpa&login=acc1&culpa=", "ERROR:PARAMS_MISSED"),
            ("action=setculpa&login=a%27b&culpa=acc-c1", "ERROR:WRONG_LOGIN"),
            ("action=setculpa&login=acc1%3B&culpa=acc-c1", "ERROR:WRONG_LOGIN"),
            ("action=setculpa&login=" + "a" * 51 + "&culpa=acc-c1", "ERROR:WRONG_LOGIN"),
            ("action=setculpa&login=acc1&culpa=a%27b", "ERROR:WRONG_CULPA"),
            ("action=setculpa&login=acc1&culpa=a%22b", "ERROR:WRONG_CULPA"),
            ("action=setculpa&login=acc1&culpa=a%60b", "ERROR:WRONG_CULPA"),
            ("action=setculpa&login=acc1&culpa=a%3Bb", "ERROR:WRONG_CULPA"),
            ("action=setculpa&login=acc1&culpa=a%0Ab", "ERROR:WRONG_CULPA"),
            ("action=setculpa&login=acc1&culpa=a%5Cb", "ERROR:WRONG_CULPA"),
            ("action=setculpa&login=acc1&culpa=" + "c" * 256, "ERROR:WRONG_CULPA"),
        ])
        # 255 characters (UTF-8, two bytes each) is the column's limit
        culpa = "\u044f" * 255
        q = "action=setculpa&login=acc1&culpa=" + "%D1%8F" * 255
        assert call(q) == "OK:MEACULPA"
        assert culpa_rows("acc1") == [("acc1", culpa)]


# ---------------------------------------------------------------- paycardsqueue


def add_card(serial, cash, login, used=0):
    return h.insert("INSERT INTO cardbank (serial,cash,admin,date,active,used,usedate,usedlogin,"
                    "usedip,part) VALUES (%s,%s,'admin','2024-01-01 00:00:00',1,%s,NULL,%s,"
                    "NULL,'1')", (serial, cash, used, login))


def card_used(card_id):
    return h.sql("SELECT used FROM cardbank WHERE id=%s", (card_id,))[0][0]


def test_paycardsqueue_disabled():
    h.exec("DELETE FROM cardbank")
    add_card("111", "50", "acc1")
    for value in (None, "0", ""):
        with h.config(alter={"PAYMENTCARDS_ENABLED": value}):
            refused([("action=paycardsqueue", "ERROR:PAYCARDS_DISABLED")])


def test_paycardsqueue_pays_once_direct():
    h.exec("DELETE FROM cardbank")
    make_user("acc1", cash="1")
    card = add_card("111", "50", "acc1")
    m = Marks()
    with h.config(billing=DIRECT, alter={"PAYMENTCARDS_ENABLED": "1"}):
        assert call("action=paycardsqueue") == "PAYCARDS_QUEUE:1"
        assert card_used(card) == 1
        assert call("action=paycardsqueue") == "PAYCARDS_QUEUE:0"
    pays = m.new("payments")
    assert len(pays) == 1
    check_pay(pays[0], "acc1", "1", "50", 1, "CARD:111")
    assert m.events() == ["BALANCEADD (acc1) ON 50"]
    assert user("acc1")[0] == "51"


def test_paycardsqueue_selection_and_cashtype():
    """Only queued cards (usedlogin set, used 0) are paid, in id order, with
    PC_CASHTYPEID; a card for an unknown user or with malformed cash stays
    queued without blocking the others; another card with the same serial
    (PAYMENTCARDS_UNIQUE_MODE=2 batches) is left alone."""
    h.exec("DELETE FROM cardbank")
    make_user("acc1", cash="0")
    make_user("acc2", cash="10")
    a = add_card("201", "5.5", "acc1")
    used = add_card("202", "7", "acc1", used=1)
    unqueued = add_card("203", "9", "")
    ghost = add_card("204", "9", "nobody")
    dirty = add_card("205", "1,5", "acc2")
    b = add_card("206", "20", "acc2")
    twin = add_card("206", "20", "")
    m = Marks()
    with h.config(billing=DIRECT, alter={"PAYMENTCARDS_ENABLED": "1", "PC_CASHTYPEID": "4"}):
        assert call("action=paycardsqueue") == "PAYCARDS_QUEUE:2"
    assert [card_used(c) for c in (a, used, unqueued, ghost, dirty, b, twin)] == [1, 1, 0, 0, 0, 1, 0]
    pays = m.new("payments")
    assert len(pays) == 2
    check_pay(pays[0], "acc1", "0", "5.5", 4, "CARD:201")
    check_pay(pays[1], "acc2", "10", "20", 4, "CARD:206")
    assert user("acc1")[0] == "5.5" and user("acc2")[0] == "30"


def test_paycardsqueue_bad_cashtype():
    h.exec("DELETE FROM cardbank")
    make_user("acc1")
    add_card("111", "50", "acc1")
    for value in ("abc", "0", "-1", "2x"):
        with h.config(alter={"PAYMENTCARDS_ENABLED": "1", "PC_CASHTYPEID": value}):
            refused([("action=paycardsqueue", "ERROR:WRONG_CASHTYPE")])


def test_paycardsqueue_dryrun():
    h.exec("DELETE FROM cardbank")
    make_user("acc1")
    make_user("acc2")
    add_card("301", "5", "acc1")
    add_card("302", "6.25", "acc2")
    with h.config(billing=DIRECT, alter={"PAYMENTCARDS_ENABLED": "1"}):
        snap = h.snapshot(TABLES)
        assert call("action=paycardsqueue&dryrun=1") == \
            "acc1\t5\tCARD:301\nacc2\t6.25\tCARD:302\nPAYCARDS_QUEUE:2"
        h.assert_unchanged(snap)


def test_paycardsqueue_locked_run_skips():
    h.exec("DELETE FROM cardbank")
    make_user("acc1")
    add_card("111", "50", "acc1")
    holder = h.db(new=True)
    try:
        with holder.cursor() as cur:
            cur.execute("SELECT GET_LOCK('ubapi_paycardsqueue', 0)")
            assert cur.fetchone()[0] == 1
        with h.config(billing=DIRECT, alter={"PAYMENTCARDS_ENABLED": "1"}):
            refused([("action=paycardsqueue", "SKIP:PAYCARDSQUEUE_ALREADY_RUNNING")])
    finally:
        holder.close()
    with h.config(billing=DIRECT, alter={"PAYMENTCARDS_ENABLED": "1"}):
        assert call("action=paycardsqueue") == "PAYCARDS_QUEUE:1"


def test_paycardsqueue_stargazer():
    h.exec("DELETE FROM cardbank")
    make_user("acc1", cash="2")
    card = add_card("111", "50", "acc1")
    m = Marks()
    with h.config(alter={"PAYMENTCARDS_ENABLED": "1"}):
        with h.stgpeer(users=[peer_user("acc1", cash="2")], mode="refuse") as peer:
            assert call("action=paycardsqueue") == "ERROR:BILLING_CORE"
        assert card_used(card) == 0 and m.new("payments") == [] and m.events() == []
        with h.stgpeer(users=[peer_user("acc1", cash="2")]) as peer:
            assert call("action=paycardsqueue") == "PAYCARDS_QUEUE:1"
            assert call("action=paycardsqueue") == "PAYCARDS_QUEUE:0"
            assert peer.setuser_log() == [setuser("acc1", "cash", "add", "50")]
    assert card_used(card) == 1
    pays = m.new("payments")
    assert len(pays) == 1
    check_pay(pays[0], "acc1", "2", "50", 1, "CARD:111")


def parallel(queries):
    """Sends the queries at once, one thread each; their replies in order."""
    out = [None] * len(queries)
    start = threading.Barrier(len(queries))

    def run(i):
        start.wait()
        out[i] = call(queries[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(queries))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def test_paycardsqueue_overlapping_runs_pay_each_card_once():
    h.exec("DELETE FROM cardbank")
    make_user("acc1", cash="0")
    cards = [add_card("4%02d" % i, "1", "acc1") for i in range(30)]
    m = Marks()
    with h.config(billing=DIRECT, alter={"PAYMENTCARDS_ENABLED": "1"}):
        replies = parallel(["action=paycardsqueue"] * 6)
        paid = sum(int(r.split(":")[1]) for r in replies if r.startswith("PAYCARDS_QUEUE:"))
        assert all(r.startswith("PAYCARDS_QUEUE:") or r == "SKIP:PAYCARDSQUEUE_ALREADY_RUNNING"
                   for r in replies), replies
        paid += int(call("action=paycardsqueue").split(":")[1])
    assert paid == 30, replies
    assert [card_used(c) for c in cards] == [1] * 30
    notes = sorted(p[6] for p in m.new("payments"))
    assert notes == sorted("CARD:4%02d" % i for i in range(30)), notes
    assert user("acc1")[0] == "30"


def test_usercash_same_reqid_in_parallel_pays_once():
    make_user("acc1", cash="0")
    h.exec("DELETE FROM ubapi_requests WHERE reqid LIKE 'acc-%%'")
    m = Marks()
    with h.config(billing=DIRECT):
        replies = parallel(["action=usercash&login=acc1&summ=1&reqid=acc-par"] * 6)
    assert set(replies) <= {"OK:USERCASH", "SKIP:REQUEST_IN_PROGRESS"}, replies
    assert "OK:USERCASH" in replies
    assert len(m.new("payments")) == 1 and user("acc1")[0] == "1"


def teardown():
    h.exec("DELETE FROM cardbank")
    clean_culpas()
    for login in ("acc1", "acc2"):
        h.exec("DELETE FROM users WHERE login=%s", (login,))


if __name__ == "__main__":
    h.main(globals())
