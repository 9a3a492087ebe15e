"""Bitrix24 pushes: btrxupd (spec actions-services.md §8) and btrxpolls (§9),
against a loopback HTTP receiver that records method, path and body.

Beyond PHP: the form value is URL-encoded; btrxupd keeps its state in
ubstorage (UBAPI_BTRX_STATE) and saves it only after a 2xx, so a push the
CRM refused is re-sent next run; the StarDust lock is taken atomically."""
import http.server
import json
import threading
import urllib.parse
import zlib

import harness as h

STATE_KEY = "UBAPI_BTRX_STATE"
NOW = "2024-05-15 12:00:00"
TABLES_MINE = ["polls", "polls_options", "polls_votes"]


class Peer:
    def __init__(self):
        self.requests = []
        self.status = 200
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode() if n else ""
                peer.requests.append((self.command, self.path, body,
                                      self.headers.get("Content-Type")))
                self.send_response(peer.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


PEER = None
MADE_VIEW = False  # Ubilling's schema dump lacks OpenPayz's view; PHP needs it too


def setup():
    global PEER, MADE_VIEW
    PEER = Peer()
    if not h.sql("SHOW FULL TABLES LIKE 'op_customers'"):
        h.exec("CREATE VIEW op_customers (realid, virtualid) AS SELECT login, CRC32(login) FROM users")
        MADE_VIEW = True


def clean():
    h.exec("DELETE FROM users")
    h.exec("DELETE FROM payments WHERE login LIKE 'btx%%'")
    h.exec("DELETE FROM tariffs WHERE name='BtxT'")
    h.exec("DELETE FROM speeds WHERE tariff='BtxT'")
    h.exec("DELETE FROM tags WHERE login LIKE 'btx%%'")
    h.exec("DELETE FROM tagtypes WHERE tagname LIKE 'btxtag%%'")
    h.exec("DELETE FROM mobileext WHERE login LIKE 'btx%%'")
    h.exec("DELETE FROM dealwithit WHERE login LIKE 'btx%%'")
    h.exec("DELETE FROM ubstorage WHERE `key`=%s", (STATE_KEY,))
    for t in TABLES_MINE:
        h.exec("DELETE FROM `%s`" % t)
    PEER.requests.clear()
    PEER.status = 200


def teardown():
    clean()
    PEER.close()
    if MADE_VIEW:
        h.exec("DROP VIEW IF EXISTS op_customers")


def make_user(login, cash="0", password="pw", lat=0):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Address,Phone,"
           "Email,Note,RealName,StgGroup,Credit,TariffChange,Userdata0,Userdata1,Userdata2,"
           "Userdata3,Userdata4,Userdata5,Userdata6,Userdata7,Userdata8,Userdata9,CreditExpire,"
           "IP,Cash,FreeMb,LastCashAdd,LastCashAddTime,PassiveTime,LastActivityTime,NAS) "
           "VALUES (%s,%s,0,0,1,'BtxT','','','','','','',0,'','','','','','','','','','','',0,"
           "'*',%s,0,0,0,0,%s,'')", (login, password, cash, lat))


def upd_config(**extra):
    alter = {"BTRX24_ENABLED": "1", "BTRX24_EXPORT_URL": PEER.url("/crm/hook.php"),
             "BTRX24_EXPORT_VAR": "usrsupdtd"}
    alter.update(extra)
    return h.config(alter=alter)


def pushed(i=-1, var="usrsupdtd"):
    method, path, body, ctype = PEER.requests[i]
    assert method == "POST", method
    assert ctype == "application/x-www-form-urlencoded", ctype
    assert body.endswith("&"), body
    form = urllib.parse.parse_qs(body, keep_blank_values=True)
    assert list(form) == [var], form
    return path, form[var][0]


def ts(s):
    return int(h.sql("SELECT UNIX_TIMESTAMP(%s)", (s,))[0][0])


# ---------------------------------------------------------------- btrxupd


def test_upd_disabled():
    clean()
    make_user("btx1")
    with h.config(alter={"BTRX24_ENABLED": "0", "BTRX24_EXPORT_URL": PEER.url("/x")}):
        assert h.api_text("action=btrxupd") == "ERROR:BTRX24_DISABLED"
    assert PEER.requests == []


def test_upd_no_url():
    clean()
    make_user("btx1")
    with h.config(alter={"BTRX24_ENABLED": "1", "BTRX24_EXPORT_URL": ""}):
        assert h.api_text("action=btrxupd") == "ERROR:EX_NO_EXPORT_URL"
        # the lock was given back
        assert h.api_text("action=btrxupd") == "ERROR:EX_NO_EXPORT_URL"
    assert PEER.requests == []


def test_upd_first_run_pushes_everyone_exact_record():
    clean()
    make_user("btx1", cash="12.5", password="p&s+1%")
    make_user("btx2", cash="-3")
    tid1 = h.insert("INSERT INTO tagtypes (tagname,tagcolor,tagsize) VALUES ('btxtagA','#fff',1)")
    tid2 = h.insert("INSERT INTO tagtypes (tagname,tagcolor,tagsize) VALUES ('btxtagB','#fff',1)")
    h.exec("INSERT INTO tags (tagid,login) VALUES (%s,'btx1'),(%s,'btx1'),(%s,'btx1')", (tid2, tid1, tid2))
    h.exec("INSERT INTO speeds (tariff,speeddown,speedup) VALUES ('BtxT','1024','512')")
    h.exec("INSERT INTO mobileext (login,mobile,notes) VALUES ('btx1','380501','a'),('btx1','380502','b')")
    h.exec("INSERT INTO payments (login,date,admin,balance,summ,cashtypeid,note) VALUES "
           "('btx1','2024-01-02 10:00:00','x','0','10',1,''),"
           "('btx1','2024-02-03 11:00:00','x','0','-5',1,''),"
           "('btx1','2024-03-04 12:00:00','x','0','20.5',1,''),"
           "('btx2','2024-04-05 13:00:00','x','0','7',1,'')")
    h.exec("INSERT INTO dealwithit (date,login,action,param,note) VALUES "
           "('2024-06-01','btx1','tariffchange','NewT',''),('2024-05-20','btx1','tariffchange','OldT','')")
    with upd_config():
        assert h.api_text("action=btrxupd") == "OK:BTRXUPD"
    assert len(PEER.requests) == 1, PEER.requests
    path, data = pushed()
    assert path == "/crm/hook.php"
    recs = json.loads(data)
    assert [r["login"] for r in recs] == ["btx1", "btx2"], recs
    r1 = recs[0]
    keys = ["phone", "fio", "pay_id", "login", "password", "tariff", "balance", "tegs", "speed_up",
            "speed_down", "abonplata", "cash_first_pay", "mobile2", "cash_last_pay", "full_adress",
            "cash_all_pays", "deal_with_it1", "deal_with_it2", "owner", "credit", "credit_day", "ip",
            "mac", "onu_signal", "lat"]
    assert list(r1) == keys, list(r1)
    assert r1["pay_id"] == zlib.crc32(b"btx1"), r1["pay_id"]
    assert r1["password"] == "p&s+1%"
    assert r1["balance"] == "12.5"
    assert r1["tegs"] == "btxtagB,btxtagA", r1["tegs"]
    assert (r1["speed_up"], r1["speed_down"]) == ("512", "1024")
    assert r1["cash_first_pay"] == ts("2024-01-02 10:00:00")
    assert r1["cash_last_pay"] == ts("2024-03-04 12:00:00")
    assert r1["mobile2"] == "380501"
    # "10" + "20.5" is a PHP float
    assert '"cash_all_pays":30.5' in data
    assert r1["deal_with_it1"] == ts("2024-05-20 02:10:00"), r1["deal_with_it1"]
    assert r1["deal_with_it2"] == "OldT"
    assert r1["owner"] == "" and r1["onu_signal"] == 0 and r1["lat"] == 0
    r2 = recs[1]
    # one payment: PHP leaves the string and has no "latest" one
    assert r2["cash_all_pays"] == "7" and r2["cash_last_pay"] == 0
    assert r2["cash_first_pay"] == ts("2024-04-05 13:00:00")
    assert r2["tegs"] == "" and r2["mobile2"] == "" and r2["deal_with_it1"] == 0
    assert r2["deal_with_it2"] == "" and r2["speed_up"] == "512"
    # state saved after the 2xx
    assert h.sql("SELECT COUNT(*) FROM ubstorage WHERE `key`=%s", (STATE_KEY,))[0][0] == 1

    # (2) no change -> no POST
    with upd_config():
        assert h.api_text("action=btrxupd") == "OK:BTRXUPD"
    assert len(PEER.requests) == 1

    # (3) one user's Cash changed -> exactly that user
    h.exec("UPDATE users SET Cash=99 WHERE login='btx2'")
    with upd_config():
        assert h.api_text("action=btrxupd") == "OK:BTRXUPD"
    assert len(PEER.requests) == 2
    recs = json.loads(pushed()[1])
    assert [(r["login"], r["balance"]) for r in recs] == [("btx2", "99")], recs


def test_upd_exact_body_and_lat():
    clean()
    make_user("btx1", cash="5", password="a/b", lat=1700000000)
    with upd_config(BTRX24_EXPORT_LAT="1", BTRX24_EXPORT_VAR="v"):
        assert h.api_text("action=btrxupd") == "OK:BTRXUPD"
    body = PEER.requests[-1][2]
    rec = ('[{"phone":null,"fio":null,"pay_id":%d,"login":"btx1","password":"a\\/b","tariff":"BtxT",'
           '"balance":"5","tegs":"","speed_up":0,"speed_down":0,"abonplata":0,"cash_first_pay":0,'
           '"mobile2":"","cash_last_pay":0,"full_adress":null,"cash_all_pays":0,"deal_with_it1":0,'
           '"deal_with_it2":"","owner":"","credit":"0","credit_day":"0","ip":null,"mac":null,'
           '"onu_signal":0,"lat":"1700000000"}]') % zlib.crc32(b"btx1")
    got = urllib.parse.parse_qs(body)["v"][0]
    # only the fields that depend on a schema's address/realname joins may differ
    g = json.loads(got)[0]
    e = json.loads(rec)[0]
    for k in ("phone", "fio", "full_adress", "ip", "mac"):
        g.pop(k), e.pop(k)
    assert g == e, (g, e)
    assert body == "v=" + urllib.parse.quote(got, safe="-_.") + "&", body
    assert '"password":"a\\/b"' in got


def test_upd_failed_push_is_resent():
    clean()
    make_user("btx1", cash="1")
    make_user("btx2", cash="2")
    with upd_config():
        assert h.api_text("action=btrxupd") == "OK:BTRXUPD"
    h.exec("UPDATE users SET Cash=3 WHERE login='btx1'")
    PEER.status = 500
    with upd_config():
        assert h.api_text("action=btrxupd") == "OK:BTRXUPD"
    assert [r["login"] for r in json.loads(pushed()[1])] == ["btx1"]
    PEER.status = 200
    with upd_config():
        assert h.api_text("action=btrxupd") == "OK:BTRXUPD"
    assert len(PEER.requests) == 3
    assert [(r["login"], r["balance"]) for r in json.loads(pushed()[1])] == [("btx1", "3")]
    with upd_config():
        assert h.api_text("action=btrxupd") == "OK:BTRXUPD"
    assert len(PEER.requests) == 3


def test_upd_lock_held():
    clean()
    make_user("btx1")
    conn = h.db(new=True)
    try:
        with conn.cursor() as c:
            c.execute("SELECT GET_LOCK('stardustPID_BITRX24_UPD', 0)")
            assert c.fetchone()[0] == 1
        with upd_config():
            assert h.api_text("action=btrxupd") == "SKIPPED:BTRXUPD_ALREADY_RUNNING"
            rc, out, _ = h.cli(["btrxupd"])
            assert out.decode().strip() == "SKIPPED:BTRXUPD_ALREADY_RUNNING", out
    finally:
        conn.close()
    assert PEER.requests == []
    with upd_config():
        assert h.api_text("action=btrxupd") == "OK:BTRXUPD"
    assert len(PEER.requests) == 1


# ---------------------------------------------------------------- btrxpolls


def polls_config(**extra):
    alter = {"BTRX24_ENABLED": "1", "BTRX24_POLLS_URL": PEER.url("/crm/polls.php")}
    alter.update(extra)
    return h.config(alter=alter)


def make_poll(title, enabled=1, voting="Users", start="2024-05-01 00:00:00", end="2024-05-31 23:59:59"):
    return h.insert("INSERT INTO polls (title,enabled,start_date,end_date,params,admin,voting) "
                    "VALUES (%s,%s,%s,%s,'','admin',%s)", (title, enabled, start, end, voting))


def polls_run():
    rc, out, err = h.cli(["btrxpolls"], env={"UBAPI_NOW": NOW})
    return out.decode().strip()


def test_polls_disabled_and_no_url():
    clean()
    with h.config(alter={"BTRX24_ENABLED": "0", "BTRX24_POLLS_URL": PEER.url("/p")}):
        assert h.api_text("action=btrxpolls") == "ERROR:BTRX24_DISABLED"
    with polls_config(BTRX24_POLLS_URL=""):
        assert h.api_text("action=btrxpolls") == "ERROR:EX_NO_EXPORT_URL"
    assert PEER.requests == []


def test_polls_today_votes():
    clean()
    make_user("btx1")
    make_user("btx2")
    make_user("btx3")
    pid = make_poll("Speed & quality / «ok»?")
    o1 = h.insert("INSERT INTO polls_options (poll_id,text) VALUES (%s,'Good')", (pid,))
    o2 = h.insert("INSERT INTO polls_options (poll_id,text) VALUES (%s,'Bad')", (pid,))
    h.exec("INSERT INTO polls_votes (date,option_id,poll_id,login) VALUES "
           "('2024-05-15 09:00:00',%s,%s,'btx2'),('2024-05-14 23:00:00',%s,%s,'btx1'),"
           "('2024-05-15 10:30:00',%s,%s,'ghost')", (o2, pid, o1, pid, o1, pid))
    other = make_poll("Off", enabled=0)
    h.exec("INSERT INTO polls_votes (date,option_id,poll_id,login) VALUES ('2024-05-15 09:00:00',0,%s,'btx1')",
           (other,))
    with polls_config():
        assert polls_run() == "OK:BTRXPOLLS"
    assert len(PEER.requests) == 1, PEER.requests
    path, data = pushed(var="pollsupdtd")
    assert path == "/crm/polls.php"
    got = json.loads(data)
    assert list(got) == [str(pid)]
    p = got[str(pid)]
    assert (p["id"], p["title"], p["enabled"]) == (pid, "Speed & quality / «ok»?", "1")
    assert [(v["login"], v["vote"], v["option_id"], v["date"]) for v in p["votes"]] == [
        ("btx2", "Bad", str(o2), "2024-05-15 09:00:00"),
        ("ghost", "Good", str(o1), "2024-05-15 10:30:00")], p["votes"]
    assert p["votes"][1]["address"] is None
    assert list(p["votes"][0]) == ["login", "vote", "option_id", "address", "date"]
    assert '"title":"Speed & quality \\/ \\u00abok\\u00bb?"' in data, data
    assert '"id":%d,' % pid in data


def test_polls_no_post_cases():
    clean()
    make_user("btx1")
    pid = make_poll("Off", enabled=0)
    h.exec("INSERT INTO polls_votes (date,option_id,poll_id,login) VALUES ('2024-05-15 09:00:00',1,%s,'btx1')",
           (pid,))
    old = make_poll("Yesterday only")
    h.exec("INSERT INTO polls_votes (date,option_id,poll_id,login) VALUES ('2024-05-14 09:00:00',1,%s,'btx1')",
           (old,))
    ended = make_poll("Zero end", end="0000-00-00 00:00:00")
    h.exec("INSERT INTO polls_votes (date,option_id,poll_id,login) VALUES ('2024-05-15 09:00:00',1,%s,'btx1')",
           (ended,))
    admins = make_poll("Admins", voting="Employee")
    h.exec("INSERT INTO polls_votes (date,option_id,poll_id,login) VALUES ('2024-05-15 09:00:00',1,%s,'btx1')",
           (admins,))
    with polls_config():
        assert polls_run() == "OK:BTRXPOLLS"
    assert PEER.requests == []


def test_polls_lock_held():
    clean()
    conn = h.db(new=True)
    try:
        with conn.cursor() as c:
            c.execute("SELECT GET_LOCK('stardustPID_BTRX42_POLLS', 0)")
        with polls_config():
            assert h.api_text("action=btrxpolls") == "SKIPPED:BTRXPOLLS_ALREADY_RUNNING"
    finally:
        conn.close()


if __name__ == "__main__":
    h.main(globals())
