"""The billing core's failure modes through real nginx -> ubapi.fcgi and the
loopback Stargazer peer: a Stargazer that refuses, drops the connection,
stays silent, rejects the admin password or is not there at all gives
ERROR:BILLING_CORE with no payments/weblogs row (DECISIONS 15), and the
FastCGI workers serve the next requests normally."""
import os
import socket
import tempfile
import time

import harness as h

TABLES = ["users", "payments", "paymentscorr", "weblogs", "cardbank", "ubapi_requests"]
USER = "bc1:12.5:0:0:0:1:Test:0"


def make_user(login, cash="12.5"):
    h.exec("DELETE FROM users WHERE login=%s", (login,))
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Note,Credit,"
           "TariffChange,Userdata0,Userdata1,Userdata2,Userdata3,Userdata4,Userdata5,Userdata6,"
           "Userdata7,Userdata8,Userdata9,CreditExpire,Cash,NAS) VALUES (%s,'*',0,0,1,'Test','',"
           "0,'','','','','','','','','','','',0,%s,'')", (login, cash))


def call(query):
    status, _, body = h.api(query)
    assert status == 200, "status %d for %r" % (status, query)
    return body.decode("utf-8")


MONEY_CALLS = [
    "action=usercash&login=bc1&summ=10",
    "action=usercash&login=bc1&summ=5&op=set",
    "action=usercash&login=bc1&summ=10&op=correct",
    "action=reset&param=bc1",
    "action=sc&login=bc1&cr=100&end=2024-06-01&fee=5&ct=2",
]


def all_fail(calls, want="ERROR:BILLING_CORE"):
    snap = h.snapshot(TABLES)
    for q in calls:
        assert call(q) == want, q
    h.assert_unchanged(snap)


def next_requests_work():
    """Both FastCGI workers (and then some) serve a normal peer: each call
    one SetUser and one payment."""
    before = h.table_count("payments")
    with h.stgpeer(users=[USER]) as peer:
        for _ in range(4):
            assert call("action=usercash&login=bc1&summ=1") == "OK:USERCASH"
        assert len(peer.setuser_log()) == 4, peer.log()
        assert float(peer.state()["bc1"]["cash"]) == 16.5
    assert h.table_count("payments") == before + 4


def test_refuse():
    make_user("bc1")
    with h.config(alter={"RESETHARD": "1"}):
        with h.stgpeer(users=[USER], mode="refuse") as peer:
            all_fail(MONEY_CALLS)
            # it was asked once per call and refused the first request
            assert len(peer.setuser_log()) == len(MONEY_CALLS), peer.log()
    next_requests_work()


def test_close():
    make_user("bc1")
    with h.stgpeer(users=[USER], mode="close"):
        all_fail(MONEY_CALLS)
    next_requests_work()


def test_silent_times_out():
    make_user("bc1")
    with h.stgpeer(users=[USER], mode="silent"):
        t0 = time.monotonic()
        all_fail(["action=usercash&login=bc1&summ=10", "action=reset&param=bc1"])
        took = time.monotonic() - t0
    # ubapi.ini stg_timeout_ms is 1500 in stgpeer(): two calls, two timeouts
    assert 2.5 <= took < 20, took
    next_requests_work()


def test_user_unknown_to_stargazer():
    # in users, but not in Stargazer: refused, nothing written
    make_user("bc1")
    make_user("bc2")
    with h.stgpeer(users=[USER]) as peer:
        all_fail(["action=usercash&login=bc2&summ=10", "action=reset&param=bc2"])
        assert call("action=usercash&login=bc1&summ=1") == "OK:USERCASH"
        assert len(peer.setuser_log()) == 3


def test_wrong_admin_password():
    make_user("bc1")
    with h.stgpeer(users=[USER]):
        with h.config(billing={"STG_PASSWD": "wrong"}):
            all_fail(["action=usercash&login=bc1&summ=10", "action=reset&param=bc1"])
        with h.config(billing={"STG_LOGIN": "nobody"}):
            all_fail(["action=usercash&login=bc1&summ=10"])
        assert call("action=usercash&login=bc1&summ=1") == "OK:USERCASH"


def test_nothing_listening():
    make_user("bc1")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with h.config(billing={"baseconf": "sgconfxml", "STG_HOST": "127.0.0.1",
                           "STG_PORT": str(port), "NOSTGCHECKPID": "1"}):
        all_fail(["action=usercash&login=bc1&summ=10", "action=reset&param=bc1"])
    next_requests_work()


def test_stargazer_pid_check():
    # DECISIONS 21: without NOSTGCHECKPID the pid file must exist
    make_user("bc1")
    with h.stgpeer(users=[USER]) as peer:
        missing = os.path.join(tempfile.gettempdir(), "ubapi-no-such-stargazer.pid")
        with h.config(billing={"NOSTGCHECKPID": "0", "STGPID": missing}):
            all_fail(["action=usercash&login=bc1&summ=10", "action=reset&param=bc1"],
                     "ERROR:STARGAZER_NOT_RUNNING")
        assert peer.log() == []
        with tempfile.NamedTemporaryFile(suffix=".pid") as pid:
            with h.config(billing={"NOSTGCHECKPID": "0", "STGPID": pid.name}):
                assert call("action=usercash&login=bc1&summ=1") == "OK:USERCASH"
        assert len(peer.setuser_log()) == 1


def test_direct_backend_ignores_pid_check():
    make_user("bc1")
    with h.config(billing={"baseconf": "direct", "NOSTGCHECKPID": "0",
                           "STGPID": "/nonexistent/stargazer.pid"}):
        assert call("action=usercash&login=bc1&summ=1") == "OK:USERCASH"


def teardown():
    for login in ("bc1", "bc2"):
        h.exec("DELETE FROM users WHERE login=%s", (login,))


if __name__ == "__main__":
    h.main(globals())
