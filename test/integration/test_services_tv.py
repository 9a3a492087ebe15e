"""Megogo TV actions mgqueue, mgprocessing, mgfreecleanup (spec
actions-services.md §2), through nginx and the CLI, on both billing backends
(direct SQL, and the loopback Stargazer peer whose SetUser log is asserted
byte for byte), with a loopback Megogo API that records every request.

Beyond PHP: the run lock (a held GET_LOCK, two overlapping real runs),
reqid replay, dryrun=1, a running balance across one user's subscriptions,
bad rows skipped, the provider called before the local rows go (a refusal
keeps them, logs MEGOGO UNSUBSCRIBE FAIL and marks the line FAIL), and a
refusing Stargazer giving ERROR:BILLING_CORE with no payments row."""
import http.server
import os
import threading
import time

import harness as h

DIRECT = {"baseconf": "direct", "NOSTGCHECKPID": "1"}
MG = {"MG_ENABLED": "1", "MG_PARTNERID": "pid", "MG_PREFIX": "OurISP", "MG_SPREAD": "0",
      "MG_FREEPERIOD_DAYS": "14"}
TABLES = ["users", "payments", "paymentscorr", "weblogs", "mg_tariffs", "mg_subscribers",
          "mg_queue", "ubapi_requests"]
PAY_COLS = "login,admin,balance,summ,CAST(cashtypeid AS CHAR),note"
NOW = "2024-05-20 12:00:00"  # May: 31 days


# ---------------------------------------------------------------- the Megogo peer


class MegogoPeer:
    """127.0.0.1 HTTP server standing in for billing.megogo.net: records each
    request path (with its query) and answers with reply (status, body),
    after delay seconds."""

    def __init__(self):
        self.requests = []
        self.reply = (200, '{"successful":true}')
        self.delay = 0.0
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                peer.requests.append(self.path)
                if peer.delay:
                    time.sleep(peer.delay)
                status, body = peer.reply
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self):
        return "http://127.0.0.1:%d/partners/" % self.port

    def close(self):
        self.server.shutdown()
        self.server.server_close()


PEER = None


def setup():
    global PEER
    PEER = MegogoPeer()


def teardown():
    PEER.close()
    path = os.path.join(h.root, "config", "config.ini")
    if os.path.exists(path):
        os.unlink(path)


def unsub_path(login, service, pid="pid", prefix="OurISP"):
    return "/partners/%s/subscription/unsubscribe?userId=%s%s&serviceId=%s" % (pid, prefix, login,
                                                                               service)


# ---------------------------------------------------------------- fixtures


def reset():
    for t in TABLES:
        h.exec("DELETE FROM `%s`" % t)
    PEER.requests.clear()
    PEER.reply = (200, '{"successful":true}')
    PEER.delay = 0.0


def make_user(login, cash="0", credit="0"):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Address,Phone,"
           "Email,Note,RealName,StgGroup,Credit,TariffChange,Userdata0,Userdata1,Userdata2,"
           "Userdata3,Userdata4,Userdata5,Userdata6,Userdata7,Userdata8,Userdata9,CreditExpire,"
           "IP,Cash,FreeMb,LastCashAdd,LastCashAddTime,PassiveTime,LastActivityTime,NAS) "
           "VALUES (%s,'*',0,0,1,'Test','','','','','','',%s,'','','','','','','','','','','',0,"
           "'*',%s,0,0,0,0,0,'')", (login, credit, cash))


def tariff(tid, fee, service, name="TV"):
    h.exec("INSERT INTO mg_tariffs (id,name,fee,serviceid,`primary`,freeperiod) "
           "VALUES (%s,%s,%s,%s,1,0)", (tid, name, fee, service))


def sub(login, tid, active=1, free=0, actdate="2024-05-01 10:00:00", sid=None):
    h.exec("INSERT INTO mg_subscribers (id,login,tariffid,actdate,active,`primary`,freeperiod) "
           "VALUES (%s,%s,%s,%s,%s,1,%s)", (sid, login, tid, actdate, active, free))


def queue(login, tid, action="unsub", qid=None):
    h.exec("INSERT INTO mg_queue (id,login,date,action,tariffid) VALUES (%s,%s,%s,%s,%s)",
           (qid, login, "2024-04-10 10:00:00", action, tid))


def subs():
    return [tuple(r) for r in h.sql("SELECT login,CAST(tariffid AS CHAR) FROM mg_subscribers "
                                    "ORDER BY id", strings=True)]


def cash(login):
    r = h.sql("SELECT CAST(Cash AS CHAR) FROM users WHERE login=%s", (login,), strings=True)
    return r[0][0] if r else None


def payments():
    return [tuple(r) for r in h.sql("SELECT %s FROM payments ORDER BY id" % PAY_COLS,
                                    strings=True)]


def events():
    return [r[0] for r in h.sql("SELECT event FROM weblogs ORDER BY id")]


def weblog_rows():
    return [tuple(r) for r in h.sql("SELECT admin,ip,event FROM weblogs ORDER BY id",
                                    strings=True)]


def setuser(login, value):
    return '<SetUser><login value="%s" /><cash add="%s" /></SetUser>' % (login, value)


def call(query):
    status, _, body = h.api(query)
    assert status == 200, (status, query)
    return body.decode("utf-8")


def cli(query, now=NOW):
    rc, out, err = h.cli([query], env={"UBAPI_NOW": now})
    return out.decode("utf-8")


def peer_cfg(extra=None):
    a = dict(MG)
    a.update(extra or {})
    return a


def on_backends(users, body, alter=None):
    """users: (login, cash) pairs. Runs body(stg) on fresh Megogo-free data
    twice: direct backend (stg None), then the Stargazer peer; body() makes
    its own mg_* rows after reset."""
    for backend in ("direct", "stg"):
        reset()
        for login, c in users:
            make_user(login, c)
        ubapi = {"services": {"megogo_api_url": PEER.url(), "megogo_timeout_ms": "3000"}}
        if backend == "direct":
            with h.config(billing=DIRECT, alter=peer_cfg(alter), ubapi=ubapi):
                body(None)
        else:
            spec = ["%s:%s:0:0:0:1:Test:0" % (login, c) for login, c in users]
            with h.stgpeer(users=spec) as stg, h.config(alter=peer_cfg(alter), ubapi=ubapi):
                body(stg)


def charged(stg, login, amounts, before):
    if stg is None:
        total = sum(float(a) for a in amounts)
        assert abs(float(cash(login)) - (float(before) + total)) < 1e-9, (login, cash(login))
    else:
        got = [x for x in stg.setuser_log() if '"%s"' % login in x]
        assert got == [setuser(login, a) for a in amounts], got


# ---------------------------------------------------------------- §2.6.1 disabled


def test_disabled_changes_nothing():
    reset()
    make_user("u1", "150")
    tariff(3, "100", "S1")
    sub("u1", 3)
    sub("u1", 3, free=1, actdate="2020-01-01 00:00:00")
    queue("u1", 3)
    snap = h.snapshot(TABLES)
    for value in ("0", None):
        with h.config(billing=DIRECT, alter={"MG_ENABLED": value, "MG_FREEPERIOD_DAYS": "14"},
                      ubapi={"services": {"megogo_api_url": PEER.url()}}):
            for a in ("mgqueue", "mgprocessing", "mgfreecleanup"):
                assert call("action=" + a) == "ERROR: MEGOGO DISABLED", a
                assert cli(a) == "ERROR: MEGOGO DISABLED", a
    h.assert_unchanged(snap)
    assert PEER.requests == []


# ---------------------------------------------------------------- §2.6.2 monthly fee


def test_monthly_fee_both_backends():
    def body(stg):
        tariff(3, "100", "S1")
        sub("u1", 3)
        assert call("action=mgprocessing") == "u1 FEE 100\n"
        assert payments() == [("u1", "guest", "150", "-100", "1", "MEGOGO:3")]
        assert weblog_rows() == [("guest", "127.0.0.1", "BALANCEADD (u1) ON -100"),
                                 ("guest", "127.0.0.1", "MEGOGO FEE (u1) -100")]
        charged(stg, "u1", ["-100"], "150")
        assert subs() == [("u1", "3")]
        assert PEER.requests == []
    on_backends([("u1", "150")], body)


def test_fee_exactly_the_balance_is_charged():
    def body(stg):
        tariff(3, "99.99", "S1")
        sub("u1", 3)
        assert call("action=mgprocessing") == "u1 FEE 99.99\n"
        assert payments() == [("u1", "guest", "99.99", "-99.99", "1", "MEGOGO:3")]
        charged(stg, "u1", ["-99.99"], "99.99")
    on_backends([("u1", "99.99")], body)


# ---------------------------------------------------------------- §2.6.3 unsubscribe


def test_low_balance_unsubscribes_both_backends():
    def body(stg):
        tariff(3, "100", "S1")
        tariff(4, "10", "S2")
        sub("u1", 3)
        sub("u2", 4)   # negative balance: unsubscribed whatever the fee
        sub("u3", 4, active=0)  # inactive paid row: left alone
        assert call("action=mgprocessing") == "u1 UNSUB [3]\nu2 UNSUB [4]\n"
        assert subs() == [("u3", "4")]
        assert PEER.requests == [unsub_path("u1", "S1"), unsub_path("u2", "S2")]
        assert payments() == []
        assert events() == ["MEGOGO UNSUBSCRIBE (u1) TARIFF [3]",
                            "MEGOGO DEACTIVATED (u1) SERVICE [S1]",
                            "MEGOGO UNSUBSCRIBE (u2) TARIFF [4]",
                            "MEGOGO DEACTIVATED (u2) SERVICE [S2]"]
        if stg:
            assert stg.setuser_log() == []
        else:
            assert cash("u1") == "50" and cash("u2") == "-1"
    on_backends([("u1", "50"), ("u2", "-1"), ("u3", "0")], body)


def test_running_balance_across_subscriptions():
    """Ubilling checks both against the start balance and leaves -50."""
    def body(stg):
        tariff(3, "100", "S1")
        tariff(4, "100", "S2")
        sub("u1", 3)
        sub("u1", 4)
        assert call("action=mgprocessing") == "u1 FEE 100\nu1 UNSUB [4]\n"
        assert payments() == [("u1", "guest", "150", "-100", "1", "MEGOGO:3")]
        assert subs() == [("u1", "3")]
        assert PEER.requests == [unsub_path("u1", "S2")]
        charged(stg, "u1", ["-100"], "150")
    on_backends([("u1", "150")], body)


def test_provider_refusal_keeps_the_subscription():
    for reply in ((200, '{"successful":false}'), (500, '{"successful":true}'), (200, "garbage")):
        reset()
        make_user("u1", "5")
        tariff(3, "100", "S1")
        sub("u1", 3)
        PEER.reply = reply
        with h.config(billing=DIRECT, alter=MG,
                      ubapi={"services": {"megogo_api_url": PEER.url()}}):
            assert call("action=mgprocessing") == "u1 UNSUB [3] FAIL\n", reply
        assert subs() == [("u1", "3")]
        assert events() == ["MEGOGO UNSUBSCRIBE FAIL (u1) SERVICE [S1]"]
        assert PEER.requests == [unsub_path("u1", "S1")]
        assert payments() == []


def test_unreachable_provider_keeps_the_subscription():
    reset()
    make_user("u1", "5")
    tariff(3, "100", "S1")
    sub("u1", 3)
    queue("u1", 3)
    dead = {"services": {"megogo_api_url": "http://127.0.0.1:1/partners/",
                         "megogo_timeout_ms": "2000"}}
    with h.config(billing=DIRECT, alter=MG, ubapi=dead):
        assert call("action=mgqueue") == "u1 SCHEDULE UNSUB [3] FAIL\n"
        assert call("action=mgprocessing") == "u1 UNSUB [3] FAIL\n"
    assert subs() == [("u1", "3")]
    assert h.sql("SELECT COUNT(*) FROM mg_queue")[0][0] == 1
    assert events() == ["MEGOGO UNSUBSCRIBE FAIL (u1) SERVICE [S1]"] * 2


def test_url_parts_are_encoded():
    reset()
    make_user("a.b@c", "0")
    tariff(3, "100", "S 1&x")
    sub("a.b@c", 3)
    with h.config(billing=DIRECT, alter=peer_cfg({"MG_PREFIX": "Our ISP", "MG_PARTNERID": "p/1"}),
                  ubapi={"services": {"megogo_api_url": PEER.url()}}):
        assert call("action=mgprocessing") == "a.b@c UNSUB [3]\n"
    assert PEER.requests == ["/partners/p%2F1/subscription/unsubscribe?userId=Our%20ISPa.b%40c"
                             "&serviceId=S%201%26x"]


# ---------------------------------------------------------------- §2.6.4 daily fee


def test_daily_fee_both_backends():
    def body(stg):
        tariff(3, "100", "S1")
        sub("u1", 3)
        assert cli("mgprocessing") == "u1 FEE 3.23\n"            # May: 31 days
        assert payments() == [("u1", "guest", "10", "-3.23", "1", "MEGOGO:3")]
        assert events() == ["BALANCEADD (u1) ON -3.23", "MEGOGO FEE (u1) -3.23"]
        charged(stg, "u1", ["-3.23"], "10")
    on_backends([("u1", "10")], body, alter={"MG_SPREAD": "1"})


def test_daily_fee_month_lengths_and_rounding():
    cases = [("2024-02-10 00:00:00", "100", "3.45"),   # 29 days: 3.448..
             ("2023-02-10 00:00:00", "100", "3.57"),   # 28 days: 3.571..
             ("2024-04-10 00:00:00", "100", "3.33"),   # 30 days
             ("2024-04-10 00:00:00", "0.15", "0.01"),  # 0.005 rounds up, as PHP
             ("2024-04-10 00:00:00", "0.1", "0")]      # charged "-0", as PHP
    for now, fee, want in cases:
        reset()
        make_user("u1", "10")
        tariff(3, fee, "S1")
        sub("u1", 3)
        with h.config(billing=DIRECT, alter=peer_cfg({"MG_SPREAD": "2"}),
                      ubapi={"services": {"megogo_api_url": PEER.url()}}):
            assert cli("mgprocessing", now=now) == "u1 FEE %s\n" % want, (now, fee)
        assert payments() == [("u1", "guest", "10", "-" + want, "1", "MEGOGO:3")], (now, fee)


# ---------------------------------------------------------------- §2.6.5 trials


def test_freecleanup_expiry():
    def body(stg):
        tariff(3, "0", "S1")
        sub("u1", 3, free=1, actdate="2024-05-05 12:00:00")   # 15 days
        sub("u2", 3, free=1, actdate="2024-05-07 12:00:00")   # 13 days
        sub("u3", 3, free=1, actdate="2024-05-06 12:00:00")   # exactly 14 days
        sub("u4", 3, actdate="2020-01-01 00:00:00")           # paid: not touched
        assert cli("mgfreecleanup") == "u1 UNSUB [3] FREE\nu3 UNSUB [3] FREE\n"
        assert subs() == [("u2", "3"), ("u4", "3")]
        assert events() == ["MEGOGO UNSUBSCRIBE (u1) TARIFF [3]",
                            "MEGOGO DEACTIVATED (u1) SERVICE [S1]",
                            "MEGOGO (u1) FREE PERIOD EXPIRED AFTER `14` DAYS ON `MFC`",
                            "MEGOGO UNSUBSCRIBE (u3) TARIFF [3]",
                            "MEGOGO DEACTIVATED (u3) SERVICE [S1]",
                            "MEGOGO (u3) FREE PERIOD EXPIRED AFTER `14` DAYS ON `MFC`"]
        assert PEER.requests == [unsub_path("u1", "S1"), unsub_path("u3", "S1")]
        assert payments() == []
        if stg:
            assert stg.setuser_log() == []
    on_backends([("u1", "0"), ("u2", "0"), ("u3", "0"), ("u4", "0")], body)


def test_freecleanup_not_expired_and_no_rule():
    reset()
    tariff(3, "0", "S1")
    sub("u2", 3, free=1, actdate="2024-05-07 12:00:00")
    snap = h.snapshot(TABLES)
    ubapi = {"services": {"megogo_api_url": PEER.url()}}
    with h.config(billing=DIRECT, alter=MG, ubapi=ubapi):
        assert cli("mgfreecleanup") == ""
    h.assert_unchanged(snap)
    # no MG_SPREAD, no MG_FREEPERIOD_DAYS: mgfreecleanup does nothing at all
    sub("u1", 3, free=1, actdate="2020-01-01 00:00:00")
    snap = h.snapshot(TABLES)
    with h.config(billing=DIRECT, alter=peer_cfg({"MG_FREEPERIOD_DAYS": "0"}), ubapi=ubapi):
        assert cli("mgfreecleanup") == ""
    with h.config(billing=DIRECT, alter=peer_cfg({"MG_FREEPERIOD_DAYS": None}), ubapi=ubapi):
        assert call("action=mgfreecleanup") == ""
    h.assert_unchanged(snap)
    assert PEER.requests == []


def test_mgprocessing_trials():
    ubapi = {"services": {"megogo_api_url": PEER.url()}}
    # a trial rule (MG_SPREAD alone means 30 days): expired rows end, on `MP`
    reset()
    tariff(3, "0", "S1")
    sub("u1", 3, free=1, actdate="2024-04-20 12:00:00")   # 30 days
    sub("u2", 3, free=1, actdate="2024-04-21 12:00:00")   # 29 days
    with h.config(billing=DIRECT, alter=peer_cfg({"MG_SPREAD": "1", "MG_FREEPERIOD_DAYS": "0"}),
                  ubapi=ubapi):
        assert cli("mgprocessing") == "u1 UNSUB [3] FREE\n"
    assert subs() == [("u2", "3")]
    assert events()[-1] == "MEGOGO (u1) FREE PERIOD EXPIRED AFTER `30` DAYS ON `MP`"
    # no rule: every trial ends at this (monthly) run
    reset()
    tariff(3, "0", "S1")
    sub("u2", 3, free=1, actdate="2024-05-19 12:00:00")
    sub("u5", 9, free=1, actdate="2024-05-19 12:00:00")   # unknown tariff: only the line
    with h.config(billing=DIRECT, alter=peer_cfg({"MG_FREEPERIOD_DAYS": "0"}), ubapi=ubapi):
        assert cli("mgprocessing") == "u2 UNSUB [3] FREE\nu5 UNSUB [9] FREE\n"
    assert subs() == [("u5", "9")]
    assert events() == ["MEGOGO UNSUBSCRIBE (u2) TARIFF [3]",
                        "MEGOGO DEACTIVATED (u2) SERVICE [S1]",
                        "MEGOGO (u2) FREE PERIOD EXPIRED ON `MP`",
                        "MEGOGO (u5) FREE PERIOD EXPIRED ON `MP`"]
    assert PEER.requests == [unsub_path("u2", "S1")]


def test_bad_trial_length_is_refused():
    reset()
    tariff(3, "0", "S1")
    sub("u1", 3, free=1, actdate="2020-01-01 00:00:00")
    snap = h.snapshot(TABLES)
    with h.config(billing=DIRECT, alter=peer_cfg({"MG_FREEPERIOD_DAYS": "two weeks"}),
                  ubapi={"services": {"megogo_api_url": PEER.url()}}):
        for a in ("mgfreecleanup", "mgprocessing", "mgqueue"):
            assert call("action=" + a) == "ERROR:WRONG_MG_FREEPERIOD_DAYS", a
    h.assert_unchanged(snap)


# ---------------------------------------------------------------- §2.6.6 queue


def test_mgqueue():
    def body(stg):
        tariff(3, "100", "S1")
        sub("u1", 3, sid=1)
        sub("u2", 3, sid=2)
        queue("u1", 3, qid=5)
        queue("u2", 3, action="other", qid=6)   # not ours: left alone
        queue("u3", 77, qid=7)                  # unknown tariff: item dropped, nothing else
        assert call("action=mgqueue") == "u1 SCHEDULE UNSUB [3]\nu3 SCHEDULE UNSUB [77]\n"
        assert [r[0] for r in h.sql("SELECT id FROM mg_queue ORDER BY id")] == [6]
        assert subs() == [("u2", "3")]
        assert events() == ["MEGOGO UNSUBSCRIBE (u1) TARIFF [3]",
                            "MEGOGO DEACTIVATED (u1) SERVICE [S1]"]
        assert PEER.requests == [unsub_path("u1", "S1")]
        assert payments() == []
        assert call("action=mgqueue") == ""
        if stg:
            assert stg.setuser_log() == []
    on_backends([("u1", "100"), ("u2", "100")], body)


# ---------------------------------------------------------------- §2.6.7 and beyond


def test_held_lock_skips_each_action():
    reset()
    make_user("u1", "150")
    tariff(3, "100", "S1")
    sub("u1", 3)
    queue("u1", 3)
    with h.config(billing=DIRECT, alter=MG, ubapi={"services": {"megogo_api_url": PEER.url()}}):
        snap = h.snapshot(TABLES)
        holder = h.db(new=True)
        try:
            for a in ("mgqueue", "mgprocessing", "mgfreecleanup"):
                with holder.cursor() as cur:
                    cur.execute("SELECT GET_LOCK(%s,0)", ("ubapi_" + a,))
                    assert cur.fetchone()[0] == 1
                want = "SKIP:%s_ALREADY_RUNNING" % a.upper()
                assert call("action=" + a) == want
                assert cli(a) == want
                with holder.cursor() as cur:
                    cur.execute("SELECT RELEASE_LOCK(%s)", ("ubapi_" + a,))
        finally:
            holder.close()
        h.assert_unchanged(snap)
    assert PEER.requests == []


def test_overlapping_runs_charge_once():
    """The first run is held up by a slow provider call (u0's unsubscribe)
    before it reaches the paid rows; the second must not charge them."""
    reset()
    make_user("u0", "0")
    tariff(3, "100", "S1")
    sub("u0", 3, sid=1)
    for i in range(1, 6):
        make_user("p%d" % i, "500")
        sub("p%d" % i, 3, sid=1 + i)
    PEER.delay = 1.5
    with h.config(billing=DIRECT, alter=MG, ubapi={"services": {"megogo_api_url": PEER.url()}}):
        got = []
        first = threading.Thread(target=lambda: got.append(call("action=mgprocessing")))
        first.start()
        h.wait_until(lambda: PEER.requests, what="first run calls the provider")
        second = call("action=mgprocessing")
        first.join()
    assert second == "SKIP:MGPROCESSING_ALREADY_RUNNING"
    assert got == ["u0 UNSUB [3]\n" + "".join("p%d FEE 100\n" % i for i in range(1, 6))]
    assert len(payments()) == 5
    assert [cash("p%d" % i) for i in range(1, 6)] == ["400"] * 5
    assert PEER.requests == [unsub_path("u0", "S1")]


def test_reqid_replay_charges_once():
    reset()
    make_user("u1", "500")
    tariff(3, "100", "S1")
    sub("u1", 3)
    with h.config(billing=DIRECT, alter=MG, ubapi={"services": {"megogo_api_url": PEER.url()}}):
        assert call("action=mgprocessing&reqid=mg-2024-05") == "u1 FEE 100\n"
        assert call("action=mgprocessing&reqid=mg-2024-05") == "u1 FEE 100\n"
        assert cli("mgprocessing&reqid=mg-2024-05") == "u1 FEE 100\n"
    assert payments() == [("u1", "guest", "500", "-100", "1", "MEGOGO:3")]
    assert cash("u1") == "400"


def test_dryrun_reports_and_changes_nothing():
    reset()
    make_user("u1", "150")
    make_user("u2", "0")
    tariff(3, "100", "S1")
    sub("u1", 3)
    sub("u2", 3)
    sub("u3", 3, free=1, actdate="2020-01-01 00:00:00")
    queue("u1", 3)
    snap = h.snapshot(TABLES)
    with h.config(billing=DIRECT, alter=MG, ubapi={"services": {"megogo_api_url": PEER.url()}}):
        assert call("action=mgprocessing&dryrun=1") == (
            "u1\t-100\tMEGOGO:3\tpayments\nu2\tUNSUB\t[3]\tmg_subscribers\n"
            "u3\tUNSUB\t[3]\tmg_subscribers\n")
        assert call("action=mgqueue&dryrun=1") == "u1\tUNSUB\t[3]\tmg_subscribers\n"
        assert call("action=mgfreecleanup&dryrun=1") == "u3\tUNSUB\t[3]\tmg_subscribers\n"
        assert call("action=mgprocessing&dryrun=yes") == "ERROR:WRONG_DRYRUN"
    h.assert_unchanged(snap)
    assert PEER.requests == []


def test_bad_rows_are_skipped():
    reset()
    make_user("u1", "150")
    make_user("u2", "150")
    make_user("u3", "150")
    tariff(3, "100", "S1")
    tariff(4, "-5", "S2")        # negative fee: never charged
    tariff(5, None, "S3")        # NULL fee: Ubilling would charge "-0"
    sub("bad login", 3)          # not a login
    sub("u1", 4)
    sub("u2", 99)                # no such tariff
    sub("u1", 5)
    sub("ghost", 3)              # no account: nothing to charge, so unsubscribed
    sub("u3", 3)
    with h.config(billing=DIRECT, alter=MG, ubapi={"services": {"megogo_api_url": PEER.url()}}):
        assert call("action=mgprocessing") == "u1 FEE 0\nghost UNSUB [3]\nu3 FEE 100\n"
    assert payments() == [("u1", "guest", "150", "-0", "1", "MEGOGO:5"),
                          ("u3", "guest", "150", "-100", "1", "MEGOGO:3")]
    assert subs() == [("bad login", "3"), ("u1", "4"), ("u2", "99"), ("u1", "5"), ("u3", "3")]
    assert PEER.requests == [unsub_path("ghost", "S1")]


def test_refusing_stargazer_writes_nothing():
    reset()
    make_user("u1", "150")
    make_user("u2", "150")
    tariff(3, "100", "S1")
    sub("u1", 3)
    sub("u2", 3)
    with h.stgpeer(users=["u1:150:0:0:0:1:Test:0", "u2:150:0:0:0:1:Test:0"], mode="refuse"), \
            h.config(alter=MG, ubapi={"services": {"megogo_api_url": PEER.url()}}):
        assert call("action=mgprocessing") == "ERROR:BILLING_CORE"
    assert payments() == []
    assert events() == []
    assert subs() == [("u1", "3"), ("u2", "3")]
    assert PEER.requests == []


# ================================================================ ukvfeeprocessing (§3)

UKV_TABLES = ["ukv_users", "ukv_tariffs", "ukv_payments", "ukv_fees", "weblogs", "ubapi_requests"]
UKV_PAY = ("CAST(userid AS CHAR),CAST(date AS CHAR),admin,balance,summ,CAST(visible AS CHAR),"
           "CAST(cashtypeid AS CHAR),note")
JAN = "2026-01-15 09:30:00"


def ukv_reset(lang="uk"):
    for t in UKV_TABLES:
        h.exec("DELETE FROM `%s`" % t)
    path = os.path.join(h.root, "config", "config.ini")
    if lang is None:
        if os.path.exists(path):
            os.unlink(path)
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write('title = "Ubilling"\ndefault_lang = "%s"\n' % lang)


def ukv_tariff(tid, name, price):
    h.exec("INSERT INTO ukv_tariffs (id,tariffname,price) VALUES (%s,%s,%s)", (tid, name, price))


def ukv_user(uid, cash, tariffid=1, active=1, nmid=None, nmdate=None):
    h.exec("INSERT INTO ukv_users (id,contract,tariffid,tariffnmid,tariffnmdate,cash,active,"
           "regdate) VALUES (%s,%s,%s,%s,%s,%s,%s,'2020-01-01 00:00:00')",
           (uid, "c%d" % uid, tariffid, nmid, nmdate, cash, active))


def ukv_payments():
    return [tuple(r) for r in h.sql("SELECT %s FROM ukv_payments ORDER BY id" % UKV_PAY,
                                    strings=True)]


def ukv_users():
    return [tuple(r) for r in h.sql(
        "SELECT CAST(id AS CHAR),CAST(tariffid AS CHAR),CAST(tariffnmid AS CHAR),tariffnmdate,"
        "CAST(cash AS CHAR) FROM ukv_users ORDER BY id", strings=True)]


def fees():
    return [r[0] for r in h.sql("SELECT yearmonth FROM ukv_fees ORDER BY id", strings=True)]


def ukv(query="ukvfeeprocessing", now=JAN):
    return cli(query, now=now)


def test_ukv_disabled():
    ukv_reset()
    ukv_tariff(1, "Basic", "30")
    ukv_user(1, "50")
    snap = h.snapshot(UKV_TABLES)
    for value in ("0", None):
        with h.config(alter={"UKV_ENABLED": value}):
            assert ukv() == "ERROR:NO_UKV_ENABLED"
            assert call("action=ukvfeeprocessing") == "ERROR:NO_UKV_ENABLED"
    h.assert_unchanged(snap)


def test_ukv_charge_then_double_try():
    ukv_reset("uk")
    ukv_tariff(1, "Basic", "30")
    ukv_user(1, "50")
    with h.config(alter={"UKV_ENABLED": "1"}):
        assert ukv() == "OK:UKVFEEPROCESSING:1"
        assert ukv_users() == [("1", "1", None, None, "20")]
        assert ukv_payments() == [("1", JAN, "guest", "50", "-30", "0", "1",
                                   "UKVFEE:Basic Січень 2026")]
        assert fees() == ["2026-01"]
        assert weblog_rows() == [("guest", "127.0.0.1", "UKV FEE CHARGED FOR 1 USERS")]
        assert ukv(now="2026-01-31 23:59:59") == "OK:UKVFEEPROCESSING:0"
    assert len(ukv_payments()) == 1 and fees() == ["2026-01"]
    assert events()[:2] == ["UKV FEE CHARGED FOR 1 USERS", "UKV FEE CHARGE DOUBLE TRY"]
    assert ukv_users()[0][4] == "20"


def test_ukv_tariff_moves_inactive_and_untariffed():
    ukv_reset("uk")
    ukv_tariff(1, "Basic", "30")
    ukv_tariff(2, "Premium", "-45.5")          # the fee is abs(price)
    ukv_user(1, "100", tariffid=1, nmid=2, nmdate="")       # due now
    ukv_user(2, "100", tariffid=1, nmid=2, nmdate="2026-01-15")  # due today
    ukv_user(3, "100", tariffid=1, nmid=2, nmdate="2026-01-16")  # not yet
    ukv_user(4, "100", tariffid=1, nmid=9, nmdate="")       # no such tariff: stays
    ukv_user(5, "7.5", tariffid=2, active=0)                # inactive: 0, still counted
    ukv_user(6, "0", tariffid=0)                            # no tariff
    ukv_user(7, "0.3", tariffid=8)                          # tariff gone: "-0", empty name
    with h.config(alter={"UKV_ENABLED": "1"}):
        assert ukv() == "OK:UKVFEEPROCESSING:7"
    assert ukv_users() == [("1", "2", "0", "", "54.5"), ("2", "2", "0", "", "54.5"),
                           ("3", "1", "2", "2026-01-16", "70"), ("4", "1", "9", "", "70"),
                           ("5", "2", None, None, "7.5"), ("6", "0", None, None, "0"),
                           ("7", "8", None, None, "0.3")]
    m = "Січень 2026"
    assert ukv_payments() == [
        ("1", JAN, "guest", "100", "-45.5", "0", "1", "UKVFEE:Premium " + m),
        ("2", JAN, "guest", "100", "-45.5", "0", "1", "UKVFEE:Premium " + m),
        ("3", JAN, "guest", "100", "-30", "0", "1", "UKVFEE:Basic " + m),
        ("4", JAN, "guest", "100", "-30", "0", "1", "UKVFEE:Basic " + m),
        ("5", JAN, "guest", "7.5", "0", "0", "1", "UKVFEE: USER_NOT_ACTIVE"),
        ("6", JAN, "guest", "0", "0", "0", "1", "UKVFEE: NO_TARIFF_SET"),
        ("7", JAN, "guest", "0.3", "-0", "0", "1", "UKVFEE: " + m)]
    assert events() == ["UKV FEE CHARGED FOR 7 USERS"]


def test_ukv_exact_money_and_languages():
    for lang, month in (("ru", "Май"), ("en", "May"), ("es", "Mayo"), ("de", "May"),
                        (None, "Травень")):
        ukv_reset(lang)
        ukv_tariff(1, "Basic", "0.1")
        ukv_user(1, "0.3")
        with h.config(alter={"UKV_ENABLED": "1"}):
            assert ukv(now="2025-05-02 00:00:00") == "OK:UKVFEEPROCESSING:1", lang
        assert ukv_users()[0][4] == "0.2", lang     # PHP's float gives 0.2 too
        assert ukv_payments()[0][4:] == ("-0.1", "0", "1", "UKVFEE:Basic %s 2025" % month), lang
    ukv_reset("uk")
    with h.config(alter={"UKV_ENABLED": "1"}):
        assert ukv() == "OK:UKVFEEPROCESSING:0"      # nobody: the month is still marked
    assert fees() == ["2026-01"] and events() == ["UKV FEE CHARGED FOR 0 USERS"]


def test_ukv_resumed_run_skips_charged_users():
    """A crashed MyISAM run left user 1 charged and (marker removed by the
    operator) is run again: user 1 is not charged twice."""
    ukv_reset("uk")
    ukv_tariff(1, "Basic", "30")
    ukv_user(1, "20")
    ukv_user(2, "50")
    h.exec("INSERT INTO ukv_payments (userid,date,admin,balance,summ,visible,cashtypeid,note) "
           "VALUES (1,'2026-01-01 00:00:05','guest','50','-30',0,1,'UKVFEE:Basic Січень 2026')")
    h.exec("INSERT INTO ukv_payments (userid,date,admin,balance,summ,visible,cashtypeid,note) "
           "VALUES (2,'2025-12-01 00:00:05','guest','80','-30',0,1,'UKVFEE:Basic Грудень 2025')")
    with h.config(alter={"UKV_ENABLED": "1"}):
        assert ukv() == "OK:UKVFEEPROCESSING:1"
    assert [u[4] for u in ukv_users()] == ["20", "20"]
    assert [p[0] for p in ukv_payments()] == ["1", "2", "2"]


def test_ukv_lock_reqid_dryrun():
    ukv_reset("uk")
    ukv_tariff(1, "Basic", "30")
    ukv_tariff(2, "Gold", "40")
    ukv_user(1, "50", nmid=2)
    ukv_user(2, "50", active=0)
    with h.config(alter={"UKV_ENABLED": "1"}):
        snap = h.snapshot(UKV_TABLES)
        assert ukv("ukvfeeprocessing&dryrun=1") == (
            "1\tTARIFF\t2\tukv_users\n1\t-40\tUKVFEE:Gold Січень 2026\tukv_payments\n"
            "2\t0\tUKVFEE: USER_NOT_ACTIVE\tukv_payments\nOK:UKVFEEPROCESSING:2")
        h.assert_unchanged(snap)
        holder = h.db(new=True)
        try:
            with holder.cursor() as cur:
                cur.execute("SELECT GET_LOCK('ubapi_ukvfeeprocessing',0)")
            assert ukv() == "SKIP:UKVFEEPROCESSING_ALREADY_RUNNING"
            assert call("action=ukvfeeprocessing") == "SKIP:UKVFEEPROCESSING_ALREADY_RUNNING"
        finally:
            holder.close()
        h.assert_unchanged(snap)
        assert ukv("ukvfeeprocessing&reqid=ukv-1") == "OK:UKVFEEPROCESSING:2"
        assert ukv("ukvfeeprocessing&reqid=ukv-1") == "OK:UKVFEEPROCESSING:2"
    assert len(ukv_payments()) == 2 and fees() == ["2026-01"]
    assert events() == ["UKV FEE CHARGED FOR 2 USERS"]


if __name__ == "__main__":
    h.main(globals())
