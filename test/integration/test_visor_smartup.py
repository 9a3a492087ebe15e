"""visorcharge (spec actions-services.md §6: camera accounts topped up from
the Visor owner's primary account on the last day of the month) on both
billing backends, and smartup (§7: SmartUP's read-only JSON lookups).

visorcharge's date checks go through the CLI with UBAPI_NOW; the HTTP path
is checked for the disabled reply and the run lock. Beyond PHP: the run
lock, dryrun=1, a refusing Stargazer giving ERROR:BILLING_CORE and no rows,
and one transaction per transfer with the direct backend."""
import os

import harness as h

DIRECT = {"baseconf": "direct", "NOSTGCHECKPID": "1"}
VISOR = {"VISOR_ENABLED": "1", "UBCACHE_STORAGE": "files"}
LAST_DAY = "2024-04-30 12:00:00"
TABLES = ["users", "payments", "paymentscorr", "weblogs", "tariffs", "visor_users",
          "visor_cams", "realname", "ubapi_requests"]
PAY_COLS = "login,admin,balance,summ,CAST(cashtypeid AS CHAR),note"
CACHE_KEYS = ["USER_ALL_DATA", "USER_ALL_REALNAMES", "SMARTUP_USERDATA", "SMARTUP_PAYIDS"]
CREATED = []  # objects this file made on a schema that lacked them


def setup():
    have = {r[0] for r in h.sql("SHOW FULL TABLES")}
    if "op_denied" not in have:
        h.exec("CREATE TABLE op_denied (id int NOT NULL AUTO_INCREMENT, login varchar(255) "
               "NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB DEFAULT CHARSET=utf8")
        CREATED.append("TABLE op_denied")
    if "op_customers" not in have:
        h.exec("CREATE VIEW op_customers (realid, virtualid) AS SELECT users.login, "
               "CRC32(users.login) FROM users LEFT JOIN op_denied ON users.login = "
               "op_denied.login WHERE op_denied.login IS NULL")
        CREATED.insert(0, "VIEW op_customers")
    reset()


def teardown():
    reset()
    for obj in CREATED:
        h.exec("DROP %s IF EXISTS %s" % tuple(obj.split(" ", 1)))
    set_lang(None)


def reset():
    for t in TABLES + ["op_denied"]:
        h.exec("DELETE FROM `%s`" % t)
    for k in CACHE_KEYS:
        p = cache_file(k)
        if os.path.exists(p):
            os.unlink(p)


def cache_file(key):
    return os.path.join(h.root, "exports", "UBCACHE_" + key)


def make_user(login, cash="0", credit="0", passive=0, tariff="Cam", ip="*"):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Address,Phone,"
           "Email,Note,RealName,StgGroup,Credit,TariffChange,Userdata0,Userdata1,Userdata2,"
           "Userdata3,Userdata4,Userdata5,Userdata6,Userdata7,Userdata8,Userdata9,CreditExpire,"
           "IP,Cash,FreeMb,LastCashAdd,LastCashAddTime,PassiveTime,LastActivityTime,NAS) "
           "VALUES (%s,'*',%s,0,1,%s,'','','','','','',%s,'','','','','','','','','','','',0,"
           "%s,%s,0,0,0,0,0,'')", (login, passive, tariff, credit, ip, cash))


def tariff(name, fee):
    h.exec("INSERT INTO tariffs (name,Fee,period) VALUES (%s,%s,'month')", (name, fee))


def visor_user(vid, primary, chargecams=1):
    h.exec("INSERT INTO visor_users (id,regdate,realname,phone,chargecams,primarylogin) "
           "VALUES (%s,'2024-01-01 00:00:00','V','',%s,%s)", (vid, chargecams, primary))


def cam(cid, vid, login):
    h.exec("INSERT INTO visor_cams (id,visorid,login,`primary`) VALUES (%s,%s,%s,0)",
           (cid, vid, login))


def rows(table):
    return [tuple(r) for r in h.sql("SELECT %s FROM %s ORDER BY id" % (PAY_COLS, table),
                                    strings=True)]


def events():
    return [r[0] for r in h.sql("SELECT event FROM weblogs ORDER BY id")]


def weblog_rows():
    return [tuple(r) for r in h.sql("SELECT admin,ip,event FROM weblogs ORDER BY id",
                                    strings=True)]


def cash(login):
    return h.sql("SELECT CAST(Cash AS CHAR) FROM users WHERE login=%s", (login,),
                 strings=True)[0][0]


def run(query="visorcharge", now=LAST_DAY):
    rc, out, _ = h.cli([query], env={"UBAPI_NOW": now})
    return out.decode("utf-8")


def call(query):
    status, _, body = h.api(query)
    assert status == 200, (status, query)
    return body.decode("utf-8")


def setuser(login, value):
    return '<SetUser><login value="%s" /><cash add="%s" /></SetUser>' % (login, value)


def on_backends(users, body, alter):
    """users: (login, cash, credit, passive, tariff). body(stg) on fresh data,
    direct backend (stg None) then the Stargazer peer."""
    for backend in ("direct", "stg"):
        reset()
        for u in users:
            make_user(*u)
        if backend == "direct":
            with h.config(billing=DIRECT, alter=alter):
                body(None)
        else:
            spec = ["%s:%s:%s:%s:0:1:%s:0" % u for u in users]
            with h.stgpeer(users=spec) as stg, h.config(alter=alter):
                body(stg)


# ================================================================ visorcharge


def fixture_basic():
    tariff("Cam", "100")
    visor_user(7, "P")
    cam(3, 7, "C")


def test_visor_disabled_changes_nothing():
    reset()
    make_user("P", "500")
    make_user("C", "30")
    fixture_basic()
    snap = h.snapshot(TABLES)
    for value in ("0", None):
        with h.config(billing=DIRECT, alter={"VISOR_ENABLED": value}):
            assert call("action=visorcharge") == "ERROR: VISOR DISABLED"
            assert run() == "ERROR: VISOR DISABLED"
    h.assert_unchanged(snap)


def test_visor_skip_when_not_last_day():
    """§6 check 1: any day but the month's last gives OK:VISOR_SKIP and no
    writes (Feb 28 of a leap year is not the last day, Feb 29 is)."""
    reset()
    make_user("P", "500")
    make_user("C", "30")
    fixture_basic()
    snap = h.snapshot(TABLES)
    with h.config(billing=DIRECT, alter=VISOR):
        for now in ("2024-04-29 23:59:59", "2024-05-01 00:00:00", "2024-02-28 12:00:00",
                    "2024-12-30 12:00:00"):
            assert run(now=now) == "OK:VISOR_SKIP", now
        h.assert_unchanged(snap)
        assert run(now="2024-02-29 00:00:01") == "OK:VISORCHARGE"
    assert rows("payments") == [("P", "guest", "500", "-70", "1", "VISORCHARGE:3")]


def test_visor_mode1_both_backends():
    """§6 check 2: P Cash 500, camera Cash 30, Fee 100 -> P pays -70
    (payments, balance 500), the camera gets 70 (paymentscorr), with the
    BALANCEADD/BALANCECORRECT weblogs, and the user-data caches are gone."""
    def body(stg):
        fixture_basic()
        for k in CACHE_KEYS:
            with open(cache_file(k), "w") as f:
                f.write("a:0:{}")
        assert run() == "OK:VISORCHARGE"
        assert rows("payments") == [("P", "guest", "500", "-70", "1", "VISORCHARGE:3")]
        assert rows("paymentscorr") == [("C", "guest", "30", "70", "1", "VISORPUSH:7")]
        assert weblog_rows() == [("guest", "127.0.0.1", "BALANCEADD (P) ON -70"),
                                 ("guest", "127.0.0.1", "BALANCECORRECT (C) ON 70")]
        if stg is None:
            assert (cash("P"), cash("C")) == ("430", "100")
        else:
            assert stg.setuser_log() == [setuser("P", "-70"), setuser("C", "70")]
            st = stg.state()
            assert (float(st["P"]["cash"]), float(st["C"]["cash"])) == (430, 100), st
        # SMARTUP_ENABLED is off: only Ubilling's two user-data keys go
        assert [k for k in CACHE_KEYS if os.path.exists(cache_file(k))] == \
            ["SMARTUP_USERDATA", "SMARTUP_PAYIDS"]
    on_backends([("P", "500", "0", 0, "Home"), ("C", "30", "0", 0, "Cam")], body, VISOR)


def test_visor_skips_and_weblogs():
    """§6 checks 4 and 5 and the weblog cases: a frozen camera, a camera that
    is the primary itself, a camera with enough money, a camera without an
    account or tariff, a primary without an account, and an owner with
    chargecams=0 give no transfer; fractional gaps are exact. Owners by id
    DESC, cameras by id DESC."""
    reset()
    tariff("Cam", "100")
    tariff("Cam2", "10.25")
    tariff("Home", "1000")  # the primary lacks money too, but is never its own camera
    make_user("P", "500", tariff="Home")
    make_user("frozen", "0", passive=1)
    make_user("rich", "100")
    make_user("credit", "20", credit="50")
    make_user("odd", "3.1", tariff="Cam2")
    make_user("notariff", "0", tariff="Gone")
    make_user("C9", "0")
    visor_user(1, "P")
    cam(10, 1, "frozen")
    cam(11, 1, "P")
    cam(12, 1, "rich")
    cam(13, 1, "credit")
    cam(14, 1, "odd")
    cam(15, 1, "ghost")
    cam(16, 1, "notariff")
    visor_user(2, "nobody")
    cam(20, 2, "C9")
    visor_user(3, "P", chargecams=0)
    cam(30, 3, "C9")
    visor_user(4, "")
    cam(40, 4, "C9")
    with h.config(billing=DIRECT, alter=VISOR):
        out = run()
    assert out == "OK:VISORCHARGE", out
    got = events()
    assert got == [
        "VISOR USER [2] PRIMARY NO_USER (nobody)",
        "VISOR CAMERA [16] CHARGE FAIL NO_TARIFF `Gone`",
        "VISOR CAMERA [15] CHARGE FAIL NO_USER (ghost)",
        "BALANCEADD (P) ON -7.15",
        "BALANCECORRECT (odd) ON 7.15",
        "BALANCEADD (P) ON -30",
        "BALANCECORRECT (credit) ON 30",
    ], got
    assert rows("payments") == [("P", "guest", "500", "-7.15", "1", "VISORCHARGE:14"),
                                ("P", "guest", "492.85", "-30", "1", "VISORCHARGE:13")]
    assert rows("paymentscorr") == [("odd", "guest", "3.1", "7.15", "1", "VISORPUSH:1"),
                                    ("credit", "guest", "20", "30", "1", "VISORPUSH:1")]
    assert cash("P") == "462.85" and cash("frozen") == "0"


def test_visor_mode2_protects_primary():
    """§6 check 3: mode 2 with P Cash 50 (credit 0) and a 70 gap -> no
    transfer; with Cash 100 it is made; a budget spent by the first camera
    stops the second. Mode 3 charges nobody."""
    reset()
    tariff("Cam", "100")
    make_user("P", "50", tariff="Home")
    make_user("C", "30")
    visor_user(7, "P")
    cam(3, 7, "C")
    snap = h.snapshot(TABLES)
    with h.config(billing=DIRECT, alter=dict(VISOR, VISOR_CHARGE_MODE="2")):
        assert run() == "OK:VISORCHARGE"
        h.assert_unchanged(snap)
    with h.config(billing=DIRECT, alter=dict(VISOR, VISOR_CHARGE_MODE="3")):
        h.exec("UPDATE users SET Cash=1000 WHERE login='P'")
        snap = h.snapshot(TABLES)
        assert run() == "OK:VISORCHARGE"
        h.assert_unchanged(snap)
    with h.config(billing=DIRECT, alter=dict(VISOR, VISOR_CHARGE_MODE="2")):
        h.exec("UPDATE users SET Cash=100 WHERE login='P'")
        make_user("C2", "0")
        cam(4, 7, "C2")  # id DESC: C2 (gap 100) first, uses the whole budget
        assert run() == "OK:VISORCHARGE"
    assert rows("payments") == [("P", "guest", "100", "-100", "1", "VISORCHARGE:4")]
    assert rows("paymentscorr") == [("C2", "guest", "0", "100", "1", "VISORPUSH:7")]


def test_visor_dryrun_and_rerun():
    """dryrun=1 lists both legs and changes nothing; a second real run finds
    no gap left (direct backend)."""
    reset()
    make_user("P", "500", tariff="Home")
    make_user("C", "30")
    fixture_basic()
    snap = h.snapshot(TABLES)
    with h.config(billing=DIRECT, alter=VISOR):
        assert run("visorcharge&dryrun=1") == \
            "P\t-70\tVISORCHARGE:3\tpayments\nC\t70\tVISORPUSH:7\tpaymentscorr\nOK:VISORCHARGE"
        assert run("visorcharge&dryrun=2") == "ERROR:WRONG_DRYRUN"
        h.assert_unchanged(snap)
        assert run() == "OK:VISORCHARGE"
        assert run() == "OK:VISORCHARGE"
    assert len(rows("payments")) == 1 and len(rows("paymentscorr")) == 1


def test_visor_lock_held():
    reset()
    make_user("P", "500")
    make_user("C", "30")
    fixture_basic()
    with h.config(billing=DIRECT, alter=VISOR):
        snap = h.snapshot(TABLES)
        holder = h.db(new=True)
        try:
            with holder.cursor() as cur:
                cur.execute("SELECT GET_LOCK('ubapi_visorcharge',0)")
                assert cur.fetchone()[0] == 1
            assert call("action=visorcharge") == "SKIP:VISORCHARGE_ALREADY_RUNNING"
            assert run() == "SKIP:VISORCHARGE_ALREADY_RUNNING"
            with holder.cursor() as cur:
                cur.execute("SELECT RELEASE_LOCK('ubapi_visorcharge')")
        finally:
            holder.close()
        h.assert_unchanged(snap)


def test_visor_stargazer_refuses():
    """A refusing Stargazer: ERROR:BILLING_CORE, no payment rows, no weblog."""
    reset()
    make_user("P", "500")
    make_user("C", "30")
    fixture_basic()
    snap = h.snapshot(TABLES)
    with h.stgpeer(users=["P:500:0:0:0:1:Home:0", "C:30:0:0:0:1:Cam:0"], mode="refuse"), \
            h.config(alter=VISOR):
        assert run() == "ERROR:BILLING_CORE"
    h.assert_unchanged(snap)


def test_visor_stargazer_smartup_cache_keys():
    """With SMARTUP_ENABLED the SmartUP keys go too (Stargazer backend)."""
    reset()
    make_user("P", "500")
    make_user("C", "30")
    fixture_basic()
    for k in CACHE_KEYS:
        with open(cache_file(k), "w") as f:
            f.write("a:0:{}")
    with h.stgpeer(users=["P:500:0:0:0:1:Home:0", "C:30:0:0:0:1:Cam:0"]) as stg, \
            h.config(alter=dict(VISOR, SMARTUP_ENABLED="1")):
        assert run() == "OK:VISORCHARGE"
        assert stg.setuser_log() == [setuser("P", "-70"), setuser("C", "70")]
    assert [k for k in CACHE_KEYS if os.path.exists(cache_file(k))] == []


# ================================================================ smartup


def set_lang(lang):
    path = os.path.join(h.root, "config", "config.ini")
    if lang is None:
        if os.path.exists(path):
            os.unlink(path)
        return
    with open(path, "w") as f:
        f.write("default_lang = \"%s\"\n" % lang)


SMART = {"SMARTUP_ENABLED": "1"}


def smart(query):
    status, headers, body = h.api("action=smartup" + query)
    assert status == 200
    return body.decode("utf-8"), headers


def test_smartup_replies():
    reset()
    snap = h.snapshot(TABLES)
    with h.config(alter={"SMARTUP_ENABLED": "0"}):
        assert smart("&param=user&ip=10.0.0.5")[0] == "ERROR: SMARTUP DISABLED"
    with h.config(alter=SMART):
        for q, want in (("", "ERROR: EMPTY PARAM"), ("&param=", "ERROR: EMPTY PARAM"),
                        ("&param=0", "ERROR: EMPTY PARAM"), ("&param=user", "ERROR: NO IP"),
                        ("&param=user&ip=0", "ERROR: NO IP"), ("&param=info", "ERROR: NO LOGIN"),
                        ("&param=info&login=", "ERROR: NO LOGIN"), ("&param=x", "ERROR: WRONG PARAM"),
                        ("&param=USER&ip=1", "ERROR: WRONG PARAM")):
            assert smart(q)[0] == want, q
        rc, out, _ = h.cli(["smartup&param=x"])
        assert (rc, out) == (1, b"ERROR: WRONG PARAM")
    h.assert_unchanged(snap)


def test_smartup_user_by_ip():
    reset()
    make_user("abc", "12.5", tariff="Home/100", ip="10.0.0.5")
    make_user("abd", "1", tariff="Other", ip="10.0.0.50")
    with h.config(alter=SMART):
        body, headers = smart("&param=user&ip=10.0.0.5")
        assert body == '{"login":"abc","tp":"Home\\/100"}'
        assert headers.get("content-type", "").startswith("application/json"), headers
        assert smart("&param=user&ip=10.0.0.6")[0] == '{"error":"user not exists"}'
        # the server would match a trailing blank; PHP compares bytes
        assert smart("&param=user&ip=10.0.0.5%20")[0] == '{"error":"user not exists"}'


def test_smartup_info():
    reset()
    make_user("abc", "12.5", tariff="Home/100")
    make_user("ivan", "-3", tariff="Pro")
    h.exec("INSERT INTO realname (login, realname) VALUES ('ivan', 'Old'), ('ivan', 'Іван/Петро')")
    h.exec("INSERT INTO op_denied (login) VALUES ('abc')")
    crc = str(h.sql("SELECT CRC32('ivan')")[0][0])
    with h.config(alter=SMART):
        assert smart("&param=info&login=abc")[0] == \
            '{"fio":null,"balance":"12.5","tariff":"Home\\/100","account":null}'
        got = smart("&param=info&login=ivan")[0]
        assert got == \
            '{"fio":"\\u0406\\u0432\\u0430\\u043d\\/\\u041f\\u0435\\u0442\\u0440\\u043e","balance":"-3",' \
            '"tariff":"Pro","account":"%s"}' % crc, got
        assert smart("&param=info&login=IVAN")[0] == \
            '{"error":"\\u041a\\u043e\\u0440\\u0438\\u0441\\u0442\\u0443\\u0432\\u0430\\u0447' \
            '\\u0430 \\u043d\\u0435 \\u0456\\u0441\\u043d\\u0443\\u0454"}'
        try:
            for lang, want in (("uk", "\\u041a\\u043e\\u0440\\u0438\\u0441\\u0442\\u0443\\u0432"
                                      "\\u0430\\u0447\\u0430 \\u043d\\u0435 \\u0456\\u0441\\u043d"
                                      "\\u0443\\u0454"),
                               ("ru", "\\u041f\\u043e\\u043b\\u044c\\u0437\\u043e\\u0432\\u0430"
                                      "\\u0442\\u0435\\u043b\\u044f \\u043d\\u0435 \\u0441\\u0443"
                                      "\\u0449\\u0435\\u0441\\u0442\\u0432\\u0443\\u0435\\u0442"),
                               ("es", "El usuario no existe"), ("en", "User not exists")):
                set_lang(lang)
                assert smart("&param=info&login=nope")[0] == '{"error":"%s"}' % want, lang
        finally:
            set_lang(None)


if __name__ == "__main__":
    h.main(globals())
