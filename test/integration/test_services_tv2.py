"""TV provider fees ptvchargefee (ProstoTV, spec actions-services.md §4) and
olltvchargefee (OllTV, §5), through nginx and the CLI, on both billing
backends (direct SQL, and the loopback Stargazer peer whose SetUser log is
asserted byte for byte), with a loopback oll.tv ispAPI that records the
method, path and body of every request.

Beyond PHP: the run lock (a held GET_LOCK, two overlapping real runs),
reqid replay, dryrun=1, a refusing Stargazer giving ERROR:BILLING_CORE with
no payments row, and OllTV suspending only after oll.tv confirmed (a refused
or unreachable API keeps active=1 and logs SUSPEND API FAIL)."""
import http.server
import os
import re
import socket
import threading
import time

import harness as h
# the row readers and the HTTP call shared with the Megogo/UKV tests
from test_services_tv import call, cash, events, payments, setuser, weblog_rows  # noqa: E402

DIRECT = {"baseconf": "direct", "NOSTGCHECKPID": "1"}
PTV = {"PTV_ENABLED": "1"}
OLL = {"OLLTV_ENABLED": "1", "OLLTV_LOGIN": "isp", "OLLTV_PASSWORD": "s3cr&t", "OLLTV_DEBUG": "0"}
TABLES = ["users", "payments", "paymentscorr", "weblogs", "ptv_subscribers", "ptv_tariffs",
          "ot_users", "ot_tariffs", "ubapi_requests"]
AUTH_BODY = "login=isp&password=s3cr%26t"


# ---------------------------------------------------------------- the oll.tv peer


class OllPeer:
    """127.0.0.1 HTTP server standing in for oll.tv/ispAPI: records
    (method, path, body) of each request and answers replies[method name]
    (status, body), after delay seconds."""

    def __init__(self):
        self.requests = []
        self.delay = 0.0
        self.replies = {}
        self.defaults()
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _serve(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode() if n else ""
                peer.requests.append((self.command, self.path, body))
                if peer.delay:
                    time.sleep(peer.delay)
                status, text = peer.replies.get(self.path.rsplit("/", 1)[-1],
                                                 (404, '{"status":1}'))
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _serve  # noqa: N815 (http.server's names)
            do_POST = _serve  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def defaults(self):
        self.replies = {"auth2": (200, '{"status":0,"hash":"H123"}'),
                        "disableBundle": (200, '{"status":0,"data":1}')}

    def url(self):
        return "http://127.0.0.1:%d/ispAPI/" % self.port

    def close(self):
        self.server.shutdown()
        self.server.server_close()


PEER = None


def setup():
    global PEER
    PEER = OllPeer()


def teardown():
    PEER.close()


def services(url=None):
    return {"services": {"olltv_api_url": url or PEER.url(), "olltv_timeout_ms": "3000",
                         "olltv_connect_timeout_ms": "1000"}}


AUTH = ("POST", "/ispAPI/auth2", AUTH_BODY)


def disable(login, alias):
    return ("POST", "/ispAPI/disableBundle",
            "account=%s&sub_id=%s&type=subs_negative_balance&hash=H123" % (login, alias))


# ---------------------------------------------------------------- fixtures


def reset():
    for t in TABLES:
        h.exec("DELETE FROM `%s`" % t)
    PEER.requests.clear()
    PEER.defaults()
    PEER.delay = 0.0
    log = os.path.join(h.root, "exports", "olltv.log")
    if os.path.exists(log):
        os.unlink(log)


def make_user(login, cash="0", passive=0):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Address,Phone,"
           "Email,Note,RealName,StgGroup,Credit,TariffChange,Userdata0,Userdata1,Userdata2,"
           "Userdata3,Userdata4,Userdata5,Userdata6,Userdata7,Userdata8,Userdata9,CreditExpire,"
           "IP,Cash,FreeMb,LastCashAdd,LastCashAddTime,PassiveTime,LastActivityTime,NAS) "
           "VALUES (%s,'*',%s,0,1,'Test','','','','','','',0,'','','','','','','','','','','',0,"
           "'*',%s,0,0,0,0,0,'')", (login, passive, cash))


def ptv_tariff(serviceid, fee, tid=None):
    h.exec("INSERT INTO ptv_tariffs (id,serviceid,main,name,chans,fee) VALUES (%s,%s,1,'TV','',%s)",
           (tid, serviceid, fee))


def ptv_sub(login, maintariff, active=1, subscriberid=777, sid=None):
    h.exec("INSERT INTO ptv_subscribers (id,date,active,subscriberid,login,maintariff,addtariffs) "
           "VALUES (%s,'2024-04-01 10:00:00',%s,%s,%s,%s,'')",
           (sid, active, subscriberid, login, maintariff))


def ot_tariff(tid, fee, alias):
    h.exec("INSERT INTO ot_tariffs (id,name,alias,fee,period,percent,main) "
           "VALUES (%s,'TV',%s,%s,'month',0,1)", (tid, alias, fee))


def ot_user(login, tariffid, addtariffid=0, active=1, oid=None):
    h.exec("INSERT INTO ot_users (id,date,remoteid,login,email,phone,code,tariffid,addtariffid,"
           "active) VALUES (%s,'2024-04-01 10:00:00',5,%s,'','','',%s,%s,%s)",
           (oid, login, tariffid, addtariffid, active))


def ot_active():
    return [tuple(r) for r in h.sql("SELECT login,CAST(active AS CHAR) FROM ot_users ORDER BY id",
                                    strings=True)]


def cli(query):
    rc, out, err = h.cli([query])
    return out.decode("utf-8")


def on_backends(users, body, alter):
    """users: (login, cash, passive). Runs body(stg) twice on fresh data:
    direct backend (stg None), then the Stargazer peer."""
    for backend in ("direct", "stg"):
        reset()
        for login, c, p in users:
            make_user(login, c, p)
        if backend == "direct":
            with h.config(billing=DIRECT, alter=alter, ubapi=services()):
                body(None)
        else:
            spec = ["%s:%s:0:%s:0:1:Test:0" % (login, c, p) for login, c, p in users]
            with h.stgpeer(users=spec) as stg, h.config(alter=alter, ubapi=services()):
                body(stg)


def charged(stg, login, amounts, before):
    if stg is None:
        total = sum(float(a) for a in amounts)
        assert abs(float(cash(login)) - (float(before) + total)) < 1e-9, (login, cash(login))
    else:
        got = [x for x in stg.setuser_log() if '"%s"' % login in x]
        assert got == [setuser(login, a) for a in amounts], got


def held_lock(action, alter):
    """A held ubapi_<action> lock: both front ends answer SKIP, nothing changes."""
    with h.config(billing=DIRECT, alter=alter, ubapi=services()):
        snap = h.snapshot(TABLES)
        holder = h.db(new=True)
        try:
            with holder.cursor() as cur:
                cur.execute("SELECT GET_LOCK(%s,0)", ("ubapi_" + action,))
                assert cur.fetchone()[0] == 1
            want = "SKIP:%s_ALREADY_RUNNING" % action.upper()
            assert call("action=" + action) == want
            assert cli(action) == want
            with holder.cursor() as cur:
                cur.execute("SELECT RELEASE_LOCK(%s)", ("ubapi_" + action,))
        finally:
            holder.close()
        h.assert_unchanged(snap)
    assert PEER.requests == []


# ================================================================ ptvchargefee (§4)


def test_ptv_disabled_changes_nothing():
    reset()
    make_user("u1", "100")
    ptv_tariff(101, "60")
    ptv_sub("u1", 101)
    snap = h.snapshot(TABLES)
    for value in ("0", None):
        with h.config(billing=DIRECT, alter={"PTV_ENABLED": value}, ubapi=services()):
            assert call("action=ptvchargefee") == "ERROR:PTV_DISABLED"
            assert cli("ptvchargefee") == "ERROR:PTV_DISABLED"
    h.assert_unchanged(snap)
    assert PEER.requests == []


def test_ptv_fee_both_backends():
    """§4 checks 2-5: the active subscriber pays the fee text unchanged, an
    inactive one nothing, maintariff 0 logs NOTARIFF, a login without
    account logs FAIL MISS; nobody is called."""
    def body(stg):
        ptv_tariff(101, "60")
        ptv_tariff(102, "99.5")
        ptv_sub("u1", 101, subscriberid=5501, sid=1)
        ptv_sub("u2", 101, active=0, sid=2)
        ptv_sub("u3", 0, sid=3)
        ptv_sub("ghost", 101, sid=4)
        ptv_sub("u4", 102, subscriberid=5504, sid=5)
        assert call("action=ptvchargefee") == "OK:PTVCHARGEFEE"
        assert payments() == [("u1", "guest", "100", "-60", "1", "PROSTOTV:101"),
                              ("u4", "guest", "10", "-99.5", "1", "PROSTOTV:102")]
        assert weblog_rows() == [
            ("guest", "127.0.0.1", "BALANCEADD (u1) ON -60"),
            ("guest", "127.0.0.1", "PTV CHARGE TARIFF [101] FEE `60` FOR (u1) AS [5501]"),
            ("guest", "127.0.0.1", "PTV CHARGE FAIL NOTARIFF [0] FOR (u3) AS []"),
            ("guest", "127.0.0.1", "PTV CHARGE (ghost) AS [Array] FAIL MISS"),
            ("guest", "127.0.0.1", "BALANCEADD (u4) ON -99.5"),
            ("guest", "127.0.0.1", "PTV CHARGE TARIFF [102] FEE `99.5` FOR (u4) AS [5504]")]
        charged(stg, "u1", ["-60"], "100")
        charged(stg, "u2", [], "100")
        charged(stg, "u3", [], "100")
        charged(stg, "u4", ["-99.5"], "10")  # debtors are charged further
        assert PEER.requests == []
    on_backends([("u1", "100", 0), ("u2", "100", 0), ("u3", "100", 0), ("u4", "10", 1)], body,
                PTV)


def test_ptv_cli_and_repeated_login():
    """A login with two rows is charged once, with its last row (PHP keys the
    rows by login); the CLI runs the same action."""
    reset()
    make_user("u1", "100")
    ptv_tariff(101, "60")
    ptv_tariff(103, "7")
    ptv_sub("u1", 101, subscriberid=1, sid=1)
    ptv_sub("u1", 103, subscriberid=2, sid=2)
    ptv_sub("u1", None, active=1, subscriberid=3, sid=3)
    with h.config(billing=DIRECT, alter=PTV, ubapi=services()):
        assert cli("ptvchargefee") == "OK:PTVCHARGEFEE"
    # the last row has no tariff: PHP's null key prints as []
    assert events() == ["PTV CHARGE FAIL NOTARIFF [] FOR (u1) AS []"]
    assert payments() == []
    h.exec("DELETE FROM ptv_subscribers WHERE id=3")
    h.exec("DELETE FROM weblogs")
    with h.config(billing=DIRECT, alter=PTV, ubapi=services()):
        assert cli("ptvchargefee") == "OK:PTVCHARGEFEE"
    assert payments() == [("u1", "guest", "100", "-7", "1", "PROSTOTV:103")]
    assert events() == ["BALANCEADD (u1) ON -7", "PTV CHARGE TARIFF [103] FEE `7` FOR (u1) AS [2]"]
    assert cash("u1") == "93"


def test_ptv_held_lock_skips():
    reset()
    make_user("u1", "100")
    ptv_tariff(101, "60")
    ptv_sub("u1", 101)
    held_lock("ptvchargefee", PTV)
    assert payments() == []


def test_ptv_reqid_replay_charges_once():
    reset()
    make_user("u1", "100")
    ptv_tariff(101, "60")
    ptv_sub("u1", 101)
    with h.config(billing=DIRECT, alter=PTV, ubapi=services()):
        assert call("action=ptvchargefee&reqid=ptv-2024-05") == "OK:PTVCHARGEFEE"
        assert call("action=ptvchargefee&reqid=ptv-2024-05") == "OK:PTVCHARGEFEE"
        assert cli("ptvchargefee&reqid=ptv-2024-05") == "OK:PTVCHARGEFEE"
    assert payments() == [("u1", "guest", "100", "-60", "1", "PROSTOTV:101")]
    assert cash("u1") == "40"


def test_ptv_dryrun_changes_nothing():
    reset()
    make_user("u1", "100")
    make_user("u2", "100")
    ptv_tariff(101, "60")
    ptv_sub("u1", 101)
    ptv_sub("u2", 0)
    ptv_sub("ghost", 101)
    snap = h.snapshot(TABLES)
    with h.config(billing=DIRECT, alter=PTV, ubapi=services()):
        assert call("action=ptvchargefee&dryrun=1") == (
            "u1\t-60\tPROSTOTV:101\tpayments\nOK:PTVCHARGEFEE")
        assert call("action=ptvchargefee&dryrun=yes") == "ERROR:WRONG_DRYRUN"
    h.assert_unchanged(snap)


def test_ptv_bad_fee_is_not_charged():
    reset()
    make_user("u1", "100")
    make_user("u2", "100")
    ptv_tariff(101, "-5")       # "--5" in Ubilling: never charged
    ptv_tariff(102, "0")
    ptv_sub("u1", 101, sid=1)
    ptv_sub("u2", 102, sid=2)
    with h.config(billing=DIRECT, alter=PTV, ubapi=services()):
        assert call("action=ptvchargefee") == "OK:PTVCHARGEFEE"
    assert payments() == [("u2", "guest", "100", "-0", "1", "PROSTOTV:102")]
    assert cash("u1") == "100"


def test_ptv_refusing_stargazer_writes_nothing():
    reset()
    make_user("u1", "100")
    make_user("u2", "100")
    ptv_tariff(101, "60")
    ptv_sub("u1", 101)
    ptv_sub("u2", 101)
    with h.stgpeer(users=["u1:100:0:0:0:1:Test:0", "u2:100:0:0:0:1:Test:0"], mode="refuse"), \
            h.config(alter=PTV, ubapi=services()):
        assert call("action=ptvchargefee") == "ERROR:BILLING_CORE"
    assert payments() == []
    assert events() == []



# ================================================================ olltvchargefee (§5)


def test_olltv_disabled_or_unconfigured_changes_nothing():
    reset()
    make_user("u1", "100")
    ot_tariff(1, "50", "basic")
    ot_user("u1", 1)
    snap = h.snapshot(TABLES)
    for alter, want in (({"OLLTV_ENABLED": "0"}, "ERROR:OLLTV_DISABLED"),
                        ({"OLLTV_ENABLED": None}, "ERROR:OLLTV_DISABLED"),
                        (dict(OLL, OLLTV_LOGIN=""), "ERROR:EX_EMPTY_OLLTVOPTIONS"),
                        (dict(OLL, OLLTV_PASSWORD=None), "ERROR:EX_EMPTY_OLLTVOPTIONS")):
        with h.config(billing=DIRECT, alter=alter, ubapi=services()):
            assert call("action=olltvchargefee") == want
            assert cli("olltvchargefee") == want
    h.assert_unchanged(snap)
    assert PEER.requests == []


def test_olltv_fee_both_backends():
    """§5 check 2 (and the add tariff): the balance covers the fees, so they
    are charged; oll.tv only sees auth2."""
    def body(stg):
        ot_tariff(1, "50", "basic")
        ot_tariff(2, "20.25", "extra")
        ot_user("u1", 1, oid=11)
        ot_user("u2", 1, addtariffid=2, oid=12)
        ot_user("u3", 1, addtariffid=9, oid=13)   # add tariff gone: counts 0
        assert call("action=olltvchargefee") == "OK:OLLTVCHARGEFEE"
        assert PEER.requests == [AUTH]
        assert payments() == [("u1", "guest", "80", "-50", "1", "OLLTV:1"),
                              ("u2", "guest", "70.25", "-50", "1", "OLLTV:1"),
                              ("u2", "guest", "20.25", "-20.25", "1", "OLLTV:2"),
                              ("u3", "guest", "50", "-50", "1", "OLLTV:1")] if stg is None else \
            [("u1", "guest", "80", "-50", "1", "OLLTV:1"),
             ("u2", "guest", "70.25", "-50", "1", "OLLTV:1"),
             ("u2", "guest", "70.25", "-20.25", "1", "OLLTV:2"),
             ("u3", "guest", "50", "-50", "1", "OLLTV:1")]
        assert weblog_rows() == [
            ("guest", "127.0.0.1", "BALANCEADD (u1) ON -50"),
            ("guest", "127.0.0.1", "OLLTV CHARGE TARIFF [1] FEE `50` FOR (u1) AS [11]"),
            ("guest", "127.0.0.1", "BALANCEADD (u2) ON -50"),
            ("guest", "127.0.0.1", "OLLTV CHARGE TARIFF [1] FEE `50` FOR (u2) AS [12]"),
            ("guest", "127.0.0.1", "BALANCEADD (u2) ON -20.25"),
            ("guest", "127.0.0.1", "OLLTV CHARGE TARIFF [2] FEE `20.25` FOR (u2) AS [12]"),
            ("guest", "127.0.0.1", "BALANCEADD (u3) ON -50"),
            ("guest", "127.0.0.1", "OLLTV CHARGE TARIFF [1] FEE `50` FOR (u3) AS [13]"),
            ("guest", "127.0.0.1", "OLLTV CHARGE FAIL NOTARIFF [9] FOR (u3) AS []")]
        charged(stg, "u1", ["-50"], "80")
        charged(stg, "u2", ["-50", "-20.25"], "70.25")
        charged(stg, "u3", ["-50"], "50")
        assert ot_active() == [("u1", "1"), ("u2", "1"), ("u3", "1")]
    on_backends([("u1", "80", 0), ("u2", "70.25", 0), ("u3", "50", 0)], body, OLL)


def test_olltv_suspends_both_backends():
    """§5 checks 3-5: low balance, frozen with money, fee + add fee above the
    balance: suspended at oll.tv (add bundle first), then locally; nobody
    is charged. Inactive rows, tariff 0, unknown tariffs are left alone; a
    login without account logs FAIL MISS."""
    def body(stg):
        ot_tariff(1, "50", "basic")
        ot_tariff(2, "20", "extra")
        ot_user("u1", 1, oid=1)
        ot_user("u2", 1, oid=2)
        ot_user("u3", 1, addtariffid=2, oid=3)
        ot_user("u4", 1, active=0, oid=4)
        ot_user("u5", 0, oid=5)
        ot_user("u6", 7, oid=6)
        ot_user("ghost", 1, oid=7)
        assert call("action=olltvchargefee") == "OK:OLLTVCHARGEFEE"
        assert PEER.requests == [AUTH, disable("u1", "basic"), disable("u2", "basic"),
                                 disable("u3", "extra"), disable("u3", "basic")]
        assert payments() == []
        assert events() == ["OLLTV SUBSCRIBER (u1) SUSPEND TARIFF [1]",
                            "OLLTV SUBSCRIBER (u2) SUSPEND TARIFF [1]",
                            "OLLTV SUBSCRIBER (u3) SUSPEND ADDTARIFF [2]",
                            "OLLTV SUBSCRIBER (u3) SUSPEND TARIFF [1]",
                            "OLLTV CHARGE (ghost) AS [7] FAIL MISS"]
        assert ot_active() == [("u1", "0"), ("u2", "0"), ("u3", "0"), ("u4", "0"), ("u5", "1"),
                               ("u6", "1"), ("ghost", "1")]
        if stg:
            assert stg.setuser_log() == []
        else:
            assert [cash(u) for u in ("u1", "u2", "u3")] == ["30", "1000", "60"]
    on_backends([("u1", "30", 0), ("u2", "1000", 1), ("u3", "60", 0), ("u4", "0", 0),
                 ("u5", "0", 0), ("u6", "0", 0)], body, OLL)


def test_olltv_provider_refusing_or_unreachable_keeps_active():
    reset()
    make_user("u1", "10")
    make_user("u2", "100")
    ot_tariff(1, "50", "basic")
    ot_tariff(2, "20", "extra")
    ot_user("u1", 1, addtariffid=2, oid=1)
    ot_user("u2", 1, oid=2)
    PEER.replies["disableBundle"] = (200, '{"status":104,"message":"no such account"}')
    alter = dict(OLL, OLLTV_DEBUG="1")
    with h.config(billing=DIRECT, alter=alter, ubapi=services()):
        assert call("action=olltvchargefee") == "OK:OLLTVCHARGEFEE"
    assert PEER.requests == [AUTH, disable("u1", "extra")]
    assert events() == ["OLLTV SUBSCRIBER (u1) SUSPEND API FAIL", "BALANCEADD (u2) ON -50",
                        "OLLTV CHARGE TARIFF [1] FEE `50` FOR (u2) AS [2]"]
    assert ot_active() == [("u1", "1"), ("u2", "1")]
    with open(os.path.join(h.root, "exports", "olltv.log"), encoding="utf-8") as f:
        log = f.read().splitlines()
    assert len(log) == 1 and re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Error: Code #104 no such account;", log[0]), log
    # add bundle confirmed, main refused: still active, retried next run
    reset()
    make_user("u1", "10")
    ot_tariff(1, "50", "basic")
    ot_tariff(2, "20", "extra")
    ot_user("u1", 1, addtariffid=2, oid=1)
    PEER.replies["disableBundle"] = (200, '{"status":0}')  # no data: not confirmed
    with h.config(billing=DIRECT, alter=OLL, ubapi=services()):
        assert call("action=olltvchargefee") == "OK:OLLTVCHARGEFEE"
    assert ot_active() == [("u1", "1")]
    assert events() == ["OLLTV SUBSCRIBER (u1) SUSPEND API FAIL"]
    assert not os.path.exists(os.path.join(h.root, "exports", "olltv.log"))  # OLLTV_DEBUG=0
    # nothing listens: auth and suspend fail, the charge still happens
    reset()
    make_user("u1", "10")
    make_user("u2", "100")
    ot_tariff(1, "50", "basic")
    ot_user("u1", 1, oid=1)
    ot_user("u2", 1, oid=2)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    dead = "http://127.0.0.1:%d/ispAPI/" % s.getsockname()[1]
    s.close()
    with h.config(billing=DIRECT, alter=OLL, ubapi=services(dead)):
        assert call("action=olltvchargefee") == "OK:OLLTVCHARGEFEE"
    assert ot_active() == [("u1", "1"), ("u2", "1")]
    assert payments() == [("u2", "guest", "100", "-50", "1", "OLLTV:1")]
    assert events() == ["OLLTV SUBSCRIBER (u1) SUSPEND API FAIL", "BALANCEADD (u2) ON -50",
                        "OLLTV CHARGE TARIFF [1] FEE `50` FOR (u2) AS [2]"]


def test_olltv_held_lock_skips():
    reset()
    make_user("u1", "100")
    ot_tariff(1, "50", "basic")
    ot_user("u1", 1)
    held_lock("olltvchargefee", OLL)
    assert payments() == []


def test_olltv_overlapping_runs_charge_once():
    """The first run is held up in auth2; the second must not charge."""
    reset()
    for i in range(1, 4):
        make_user("p%d" % i, "500")
    ot_tariff(1, "50", "basic")
    for i in range(1, 4):
        ot_user("p%d" % i, 1, oid=i)
    PEER.delay = 1.5
    with h.config(billing=DIRECT, alter=OLL, ubapi=services()):
        got = []
        first = threading.Thread(target=lambda: got.append(call("action=olltvchargefee")))
        first.start()
        h.wait_until(lambda: PEER.requests, what="first run calls auth2")
        second = call("action=olltvchargefee")
        first.join()
    assert second == "SKIP:OLLTVCHARGEFEE_ALREADY_RUNNING"
    assert got == ["OK:OLLTVCHARGEFEE"]
    assert len(payments()) == 3
    assert [cash("p%d" % i) for i in range(1, 4)] == ["450"] * 3
    assert PEER.requests == [AUTH]


def test_olltv_reqid_replay_charges_once():
    reset()
    make_user("u1", "100")
    ot_tariff(1, "50", "basic")
    ot_user("u1", 1)
    with h.config(billing=DIRECT, alter=OLL, ubapi=services()):
        assert call("action=olltvchargefee&reqid=oll-2024-05") == "OK:OLLTVCHARGEFEE"
        assert call("action=olltvchargefee&reqid=oll-2024-05") == "OK:OLLTVCHARGEFEE"
        assert cli("olltvchargefee&reqid=oll-2024-05") == "OK:OLLTVCHARGEFEE"
    assert payments() == [("u1", "guest", "100", "-50", "1", "OLLTV:1")]
    assert cash("u1") == "50"
    assert PEER.requests == [AUTH]


def test_olltv_dryrun_calls_nobody():
    reset()
    make_user("u1", "100")
    make_user("u2", "0")
    ot_tariff(1, "50", "basic")
    ot_user("u1", 1)
    ot_user("u2", 1)
    snap = h.snapshot(TABLES)
    with h.config(billing=DIRECT, alter=OLL, ubapi=services()):
        assert call("action=olltvchargefee&dryrun=1") == (
            "u1\t-50\tOLLTV:1\tpayments\nu2\tSUSPEND\t[1]\tot_users\nOK:OLLTVCHARGEFEE")
    h.assert_unchanged(snap)
    assert PEER.requests == []


def test_olltv_refusing_stargazer_writes_nothing():
    reset()
    make_user("u1", "100")
    ot_tariff(1, "50", "basic")
    ot_user("u1", 1)
    with h.stgpeer(users=["u1:100:0:0:0:1:Test:0"], mode="refuse"), \
            h.config(alter=OLL, ubapi=services()):
        assert call("action=olltvchargefee") == "ERROR:BILLING_CORE"
    assert payments() == []
    assert events() == []
    assert ot_active() == [("u1", "1")]


if __name__ == "__main__":
    h.main(globals())
