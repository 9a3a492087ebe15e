"""asterisk: every param through nginx, exact replies, rows and files, the
money params on both billing backends."""
import base64
import os
import time

import harness as h

ON = {"ASTERISK_ENABLED": "1"}
AT_ONCE = h.PHONES_AT_ONCE
USERS = ("ast1", "ast2", "ast3", "ast4")
TABLES = ["users", "phones", "mobileext", "callshist", "weblogs", "payments", "cardbank", "cardbrute",
          "zbssclog", "contracts", "tariffs", "tags", "vservices", "tagtypes", "frozen_charge_days"]


def q(s):
    return h.api_text("action=asterisk&" + s)


def direct():
    return h.config(billing={"baseconf": "direct", "NOSTGCHECKPID": "1"})


def add_user(login, cash="0", credit="0", passive="0", down="0", ao="1", tariff="Home", expire="0",
             ip="10.9.9.9", password="pw"):
    h.exec("INSERT INTO users (login, Password, Passive, Down, AlwaysOnline, Tariff, Credit, Cash, CreditExpire, IP,"
           " Note, Userdata0, Userdata1, Userdata2, Userdata3, Userdata4, Userdata5, Userdata6, Userdata7,"
           " Userdata8, Userdata9, NAS) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,'','','','','','','','','','','','')",
           (login, password, passive, down, ao, tariff, credit, cash, expire, ip))


def clean():
    for t in ("users", "phones", "mobileext", "contracts", "zbssclog", "cardbrute", "frozen_charge_days",
              "payments", "tags"):
        h.exec("DELETE FROM `%s` WHERE login LIKE 'ast%%'" % t)
    h.exec("DELETE FROM cardbank WHERE serial IN ('555','556','557')")
    h.exec("DELETE FROM tariffs WHERE name IN ('Home','Gold')")
    h.exec("DELETE FROM callshist")
    h.exec("DELETE FROM weblogs")
    h.exec("DELETE FROM vservices WHERE tagid=901")
    h.exec("DELETE FROM tagtypes WHERE id=901")


def setup():
    clean()
    h.exec("INSERT INTO tariffs (name, Fee, period) VALUES ('Home', 100, 'month'), ('Gold', 250.5, 'month')")


def teardown():
    clean()


def fresh():
    clean()
    h.exec("INSERT INTO tariffs (name, Fee, period) VALUES ('Home', 100, 'month'), ('Gold', 250.5, 'month')")


def weblogs():
    return [r[0] for r in h.sql("SELECT event FROM weblogs ORDER BY id")]


def incalls_log():
    p = os.path.join(h.root, "content", "documents", "incallsnum.log")
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return f.read().splitlines()


# ---------------------------------------------------------------- common part

def test_common_errors():
    assert q("number=0501234567&param=login") == "ERROR: ASTERISK DISABLED"
    with h.config(alter=ON, ubapi=AT_ONCE):
        assert q("param=login") == "ERROR: NOT HAVE NUMBER"
        assert q("number=0&param=login") == "ERROR: NOT HAVE NUMBER"
        assert q("number=0501234567") == "ERROR: NOT HAVE PARAMETR"
        assert q("login=x&param=0") == "ERROR: NOT HAVE PARAMETR"


# ---------------------------------------------------------------- info API

def test_login_by_number_and_callshist():
    fresh()
    add_user("ast1", cash="5")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '+380501234567')")
    with h.config(alter=ON, ubapi=AT_ONCE):
        before = len(incalls_log())
        assert q("number=%2B380501234567&param=login") == "ast1"
        assert q("number=0501234567&param=login") == "ast1"
        assert q("number=%20%2B380501234567%20&param=login") == "ast1"  # trimmed
        assert q("number=0509999999&param=login") == "ERROR: NOT OUR USER"
        assert q("number=abc&param=login") == "ERROR: NOT OUR USER"
        rows = h.sql("SELECT number, login FROM callshist ORDER BY id")
        assert rows == [("+380501234567", "ast1"), ("0501234567", "ast1"), ("+380501234567", "ast1"),
                        ("0509999999", ""), ("abc", "")], rows
        log = incalls_log()[before:]
        assert len(log) == 5
        assert log[0].endswith(" NUMBER: +380501234567 REPLY: 1 LOGIN: ast1"), log[0]
        assert log[3].endswith(" NUMBER: 0509999999 REPLY: 0 LOGIN: "), log[3]


def test_login_empty_number_is_not_our_user():
    fresh()
    add_user("ast1")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '0501234567')")
    with h.config(alter=ON, ubapi=AT_ONCE):
        # PHP finds a random user through M[""]; ubapi does not
        assert q("login=ast1&param=login") == "ERROR: NOT OUR USER"


def test_loginuniq_and_shared_number():
    fresh()
    add_user("ast1")
    add_user("ast2")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '0441112233', '0501234567'),"
           " ('ast2', '', '0501234567'), ('ast2', '', '0671234567')")
    with h.config(alter=ON, ubapi=AT_ONCE):
        # shared: the later row wins for login, loginuniq refuses
        assert q("number=0501234567&param=login") == "ast2"
        assert q("number=0501234567&param=loginuniq") == "ERROR: USER HAVE MANY LOGINS"
        assert q("number=380671234567&param=loginuniq") == "ast2"
        assert q("number=0441112233&param=loginuniq") == "ast1"
        assert q("number=0441112233&param=nosuch") == "ERROR: MISTAKE PARAMETR"


def test_mobileext_and_dopmobile_in_info_map():
    fresh()
    add_user("ast1")
    add_user("ast2")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '0501234567')")
    h.exec("INSERT INTO mobileext (login, mobile) VALUES ('ast2', '0991112233')")
    with h.config(alter=ON, ubapi=AT_ONCE):
        assert q("number=0991112233&param=login") == "ERROR: NOT OUR USER"
    with h.config(alter=dict(ON, MOBILES_EXT="1"), ubapi=AT_ONCE):
        assert q("number=0991112233&param=login") == "ast2"
    h.exec("DELETE FROM cfitems WHERE typeid=77")
    h.exec("INSERT INTO cfitems (typeid, login, content) VALUES (77, 'ast1', '+380631112233')")
    h.exec("DELETE FROM ubstorage WHERE `key`='ASTERISK_DOPMOBILE'")
    h.exec("INSERT INTO ubstorage (`key`, value) VALUES ('ASTERISK_DOPMOBILE', '77')")
    try:
        with h.config(alter=ON, ubapi=AT_ONCE):
            assert q("number=0631112233&param=login") == "ast1"
    finally:
        h.exec("DELETE FROM ubstorage WHERE `key`='ASTERISK_DOPMOBILE'")
        h.exec("DELETE FROM cfitems WHERE typeid=77")


def test_index_freshness():
    fresh()
    add_user("ast1")
    add_user("ast2")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '0501230000')")
    with h.config(alter=ON):
        with h.config(ubapi=AT_ONCE):
            for _ in range(3):  # both workers build their index
                assert q("number=0501230000&param=login") == "ast1"
        # an added number is seen within phones_ids_ms (1 s by default);
        # the sleep makes the index no longer tentative (built in an
        # earlier second than the write), so only the bound can explain it
        time.sleep(1.1)
        for _ in range(4):
            assert q("number=0501230000&param=login") == "ast1"
        h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast2', '', '0501230009')")
        t0 = time.monotonic()
        h.wait_until(lambda: all(q("number=0501230009&param=login") == "ast2" for _ in range(4)),
                     timeout=3, what="insert seen")
        assert time.monotonic() - t0 < 2.5
        # phones_ids_ms=0: the very next request sees it
        with h.config(alter=ON, ubapi={None: {"phones_ids_ms": "0"}}):
            time.sleep(1.1)
            h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast2', '', '0501230008')")
            for _ in range(4):
                assert q("number=0501230008&param=login") == "ast2"
        # in-place edits within phones_check_ms (1 s by default)
        h.exec("UPDATE phones SET login='ast2' WHERE login='ast1'")
        t0 = time.monotonic()
        h.wait_until(lambda: all(q("number=0501230000&param=login") == "ast2" for _ in range(4)),
                     timeout=3, what="edit seen")
        assert time.monotonic() - t0 < 2.5
        with h.config(alter=ON, ubapi={None: {"phones_check_ms": "0"}}):
            time.sleep(1.1)
            h.exec("UPDATE phones SET mobile='0501230001' WHERE mobile='0501230000'")
            for _ in range(4):  # checked on every request: seen at once
                assert q("number=0501230000&param=login") == "ERROR: NOT OUR USER"
                assert q("number=0501230001&param=login") == "ast2"


def test_realname_translit():
    fresh()
    add_user("ast1")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '0501234567')")
    h.exec("DELETE FROM realname WHERE login='ast1'")
    h.exec("INSERT INTO realname (login, realname) VALUES ('ast1', 'Шевченко Тарас Іванович-2')")
    try:
        with h.config(alter=ON, ubapi=AT_ONCE):
            assert q("number=0501234567&param=realname") == "ast1-Shevchenko Taras vanovych2"
    finally:
        h.exec("DELETE FROM realname WHERE login='ast1'")


def test_swstatus():
    fresh()
    add_user("ast1")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '0501234567')")
    h.exec("DELETE FROM switchportassign WHERE login='ast1'")
    h.exec("DELETE FROM switches WHERE id=9901")
    with h.config(alter=ON, ubapi=AT_ONCE):
        assert q("number=0501234567&param=swstatus") == "ERROR: USER NOT HAVE SWITCH"
        h.exec("INSERT INTO switches (id, modelid, ip, `desc`) VALUES (9901, 1, '127.0.9.1', 'sw')")
        h.exec("INSERT INTO switchportassign (login, switchid, port) VALUES ('ast1', 9901, 3)")
        try:
            assert q("number=0501234567&param=swstatus") == "OK"
            h.exec("DELETE FROM ubstorage WHERE `key`='SWDEAD'")
            h.exec("INSERT INTO ubstorage (`key`, value) VALUES ('SWDEAD', %s)",
                   ('a:1:{s:9:"127.0.9.1";s:4:"hall";}',))
            assert q("number=0501234567&param=swstatus") == "DIE"
            assert h.table_count("callshist") == 0  # swstatus writes no call
        finally:
            h.exec("DELETE FROM ubstorage WHERE `key`='SWDEAD'")
            h.exec("DELETE FROM switchportassign WHERE login='ast1'")
            h.exec("DELETE FROM switches WHERE id=9901")


# ---------------------------------------------------------------- userstatus

def test_userstatus_states_and_getmoney():
    fresh()
    add_user("ast1", cash="5", credit="0", ao="1")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '+380501234567')")
    with h.config(alter=ON, ubapi=AT_ONCE):
        assert q("number=0501234567&param=userstatus") == "1"
        assert h.sql("SELECT number, login FROM callshist") == [("0501234567", "ast1")]
        body = q("number=0501234567&param=userstatus&getmoney=1")
        assert base64.b64decode(body) == b'a:3:{i:0;s:1:"1";i:1;d:5;i:2;d:100;}', body
        h.exec("UPDATE users SET Cash=-12.345 WHERE login='ast1'")
        assert q("number=0501234567&param=userstatus") == "2"
        body = q("number=0501234567&param=userstatus&getmoney=1")
        assert base64.b64decode(body) == b'a:3:{i:0;s:1:"2";i:1;d:-12.35;i:2;d:100;}', body
        h.exec("UPDATE users SET Credit=20 WHERE login='ast1'")
        assert q("number=0501234567&param=userstatus") == "1"
        h.exec("UPDATE users SET Passive=1 WHERE login='ast1'")
        assert q("number=0501234567&param=userstatus") == "3"
        h.exec("UPDATE users SET Passive=0, AlwaysOnline=0 WHERE login='ast1'")
        assert q("number=0501234567&param=userstatus") == "3"
        h.exec("UPDATE users SET AlwaysOnline=1, Tariff='nosuch' WHERE login='ast1'")
        body = q("number=0501234567&param=userstatus&getmoney=1")
        assert base64.b64decode(body) == b'a:3:{i:0;s:1:"1";i:1;d:-12.35;i:2;d:0;}', body
        assert q("number=0671234567&param=userstatus&getmoney=1") == "0"


def test_userstatus_substring_last_match_wins():
    fresh()
    add_user("ast1", cash="1")
    add_user("ast2", cash="-50")
    add_user("ast3", cash="1", passive="1")
    # ast1's short phone is a substring of every number containing 1234
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '1234', ''),"
           " ('ast2', '', '+38 (050) 123-45-67'), ('ast3', '', '380 50 9876543')")
    with h.config(alter=ON, ubapi=AT_ONCE):
        # ast2 comes after ast1 in the map: last match wins
        assert q("number=0501234567&param=userstatus") == "2"
        assert q("number=%2B38%20050%20123%2045%2067&param=userstatus") == "2"
        assert q("number=0631234000&param=userstatus") == "1"   # only ast1's 1234
        assert q("number=509876543&param=userstatus") == "3"    # 9 digits -> +380
        assert q("number=12345&param=userstatus") == "0"        # malformed: too short
        assert q("number=003805012345678&param=userstatus") == "0"  # too long
        logins = [r[0] for r in h.sql("SELECT login FROM callshist ORDER BY id")]
        assert logins == ["ast2", "ast2", "ast1", "ast3", "", ""], logins


def test_userstatus_mobileext_empty_matches_everything():
    fresh()
    add_user("ast1", cash="1")
    add_user("ast2", cash="-1")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '0501234567')")
    h.exec("INSERT INTO mobileext (login, mobile) VALUES ('ast2', '')")
    with h.config(alter=ON, ubapi=AT_ONCE):
        assert q("number=0501234567&param=userstatus") == "1"
    with h.config(alter=dict(ON, MOBILES_EXT="1"), ubapi=AT_ONCE):
        # Ubilling keeps an empty ext mobile, which matches every number
        assert q("number=0501234567&param=userstatus") == "2"
        assert q("number=0999999999&param=userstatus") == "2"


# ---------------------------------------------------------------- setcredit

def sc(extra, cfg=None):
    with h.config(alter=dict(ON, **(cfg or {})), ubapi=AT_ONCE):
        return q("param=setcredit&login=ast1&" + extra)


def test_setcredit_direct_success_and_zbssclog():
    fresh()
    add_user("ast1", cash="-30")
    env_now = time.strftime("%Y-%m-%d")
    with direct():
        assert sc("money=50&expiredays=5", {"ASTERISK_SC_CHECK_ENABLED": "1"}) == "ASTERISK CREDIT SET SUCCESSFULY"
    credit, expire = h.sql("SELECT Credit, CreditExpire FROM users WHERE login='ast1'", strings=True)[0]
    assert credit == "50"
    want = int(time.mktime(time.strptime(env_now, "%Y-%m-%d"))) + 5 * 86400
    assert abs(int(expire) - want) <= 3600, (expire, want)
    exp_date = time.strftime("%Y-%m-%d", time.localtime(int(expire)))
    assert weblogs() == ["ASTERISK CHANGE Credit (ast1) ON 50", "ASTERISK CHANGE CreditExpire (ast1) ON " + exp_date]
    assert h.sql("SELECT login FROM zbssclog") == [("ast1",)]
    # the same month again: refused
    h.exec("UPDATE users SET CreditExpire=0 WHERE login='ast1'")
    with direct():
        assert sc("money=50&expiredays=5", {"ASTERISK_SC_CHECK_ENABLED": "1"}) == \
            "ASTERISK CREDIT NOT AVAILABLE: ALREADY TOOK"
    assert weblogs()[-1] == "ASTERISK CREDIT GET TRY (ast1): ALREADY TOOK"


def test_setcredit_refusals():
    fresh()
    add_user("ast1", cash="-60", tariff="Home")
    snap = h.snapshot(["users", "payments", "zbssclog"])
    with direct():
        assert sc("money=50") == "ASTERISK CREDIT NOT AVAILABLE: BALANCE LOWER THAN CREDIT LIMIT"
        assert sc("") == "ASTERISK CREDIT NOT AVAILABLE: BALANCE LOWER THAN CREDIT LIMIT"
        assert sc("money=abc") == "ERROR:WRONG_PARAMS"
        assert sc("money=-5") == "ERROR:WRONG_PARAMS"
        assert sc("money=100&expiredays=x") == "ERROR:WRONG_PARAMS"
        assert sc("money=100&expiredays=400") == "ERROR:WRONG_PARAMS"
        assert sc("money=100", {"ASTERISK_SC_CHECK_ENABLED": "1", "ASTERISK_SC_TARIFFSALLOWED": "Gold,Silver"}) == \
            "ASTERISK CREDIT NOT AVAILABLE: NOT ALLOWED FOR TARIFF"
        h.exec("UPDATE users SET CreditExpire=%s WHERE login='ast1'", (int(time.time()) + 3 * 86400,))
        assert sc("money=100") == "ASTERISK CREDIT NOT AVAILABLE: CREDIT IS CURRENTLY ACTIVE"
        h.exec("UPDATE users SET CreditExpire=0 WHERE login='ast1'")
        h.exec("INSERT INTO payments (login, date, admin, balance, summ, cashtypeid, note) VALUES"
               " ('ast1', '2020-01-01 00:00:00', 'guest', '0', '5', 1, ''),"
               " ('ast1', '2020-02-01 00:00:00', 'guest', '0', '-3', 1, 'SCFEE')")
        assert sc("money=100", {"ASTERISK_SC_CHECK_ENABLED": "1"}) == \
            "ASTERISK CREDIT NOT AVAILABLE: NOT PAYED PREVIOUSLY"
        h.exec("DELETE FROM payments WHERE login='ast1'")
        h.exec("UPDATE users SET Cash=10 WHERE login='ast1'")
        assert sc("money=100") == "ASTERISK CREDIT NOT SET: CASH > 0 OR NOT SET"
        with h.config(alter=ON, ubapi=AT_ONCE):
            assert q("param=setcredit&login=nosuch&money=5") == "ASTERISK CREDIT NOT SET: EMPTY USERDATA"
    h.exec("UPDATE users SET Cash=-60 WHERE login='ast1'")
    h.assert_unchanged(snap)
    assert weblogs() == [
        "ASTERISK CREDIT TRY (ast1): BALANCE LOWER THAN CREDIT LIMIT",
        "ASTERISK CREDIT TRY (ast1): BALANCE LOWER THAN CREDIT LIMIT",
        "ASTERISK CREDIT GET TRY (ast1): NOT ALLOWED FOR TARIFF  Home",
        "ASTERISK CREDIT GET TRY (ast1): CREDIT IS CURRENTLY ACTIVE",
        "ASTERISK CREDIT GET TRY (ast1): NOT PAYED PREVIOUSLY",
        "ASTERISK CREDIT NOT SET (ast1): CASH > 0 OR NOT SET",
        "ASTERISK CREDIT NOT SET: EMPTY USERDATA",
    ], weblogs()


def test_setcredit_stargazer():
    fresh()
    add_user("ast1", cash="-30")
    with h.stgpeer(users=["ast1:-30:0:0:0:1:Home:0"]) as peer:
        with h.config(alter=ON, ubapi=AT_ONCE):
            assert q("param=setcredit&login=ast1&money=50&expiredays=0") == "ASTERISK CREDIT SET SUCCESSFULY"
        log = peer.setuser_log()
        today = int(time.mktime(time.strptime(time.strftime("%Y-%m-%d"), "%Y-%m-%d")))
        assert log == ['<SetUser><login value="ast1" /><credit value="50" /></SetUser>',
                       '<SetUser><login value="ast1" /><CreditExpire value="%d" /></SetUser>' % today], log
        assert peer.state()["ast1"]["credit"] in ("50", "50.000000", "50.00"), peer.state()
    with h.stgpeer(users=["ast1:-30:0:0:0:1:Home:0"], mode="refuse"):
        h.exec("DELETE FROM weblogs")
        with h.config(alter=ON, ubapi=AT_ONCE):
            assert q("param=setcredit&login=ast1&money=50") == "ERROR:BILLING_CORE"
        assert weblogs() == []


# ---------------------------------------------------------------- paycardpay

def card(serial, cash, active=1, used=0):
    h.exec("INSERT INTO cardbank (serial, cash, admin, date, active, used, usedlogin) VALUES"
           " (%s, %s, 'admin', '2024-01-01 00:00:00', %s, %s, '')", (serial, cash, active, used))


def test_paycardpay_direct():
    fresh()
    add_user("ast1", cash="10", ip="10.1.1.1")
    card("555", "100")
    card("556", "70", active=0)
    with direct(), h.config(alter=ON, ubapi=AT_ONCE):
        assert q("param=paycardpay&login=ast1") == "ASTERISK PAYCARD NUMBER IS EMPTY"
        assert q("param=paycardpay&login=nosuch&paycardnum=555") == \
            "ASTERISK PAYCARD PAYMENT UNSUCCESSFUL: EMPTY USERDATA"
        assert q("param=paycardpay&login=ast1&paycardnum=5-55&paycardcashtype=2") == \
            "ASTERISK PAYCARD PAYMENT SUCCESSFUL"
        assert q("param=paycardpay&login=ast1&paycardnum=555") == "ASTERISK PAYCARD NOT EXISTS"
        assert q("param=paycardpay&login=ast1&paycardnum=556") == "ASTERISK PAYCARD NOT EXISTS"
    assert h.sql("SELECT Cash FROM users WHERE login='ast1'", strings=True) == [("110",)]
    assert h.sql("SELECT used, usedlogin, usedip FROM cardbank WHERE serial='555'", strings=True) == \
        [("1", "ast1", "10.1.1.1")]
    assert h.sql("SELECT used FROM cardbank WHERE serial='556'", strings=True) == [("0",)]
    assert h.sql("SELECT login, admin, balance, summ, cashtypeid, note FROM payments WHERE login='ast1'",
                 strings=True) == [("ast1", "external", "10", "100", "2", "CARD:555")]
    assert h.sql("SELECT serial, login, ip FROM cardbrute ORDER BY id") == \
        [("555", "ast1", "10.1.1.1"), ("556", "ast1", "10.1.1.1")]
    assert weblogs() == ["ASTERISK PAYCARD NUMBER IS EMPTY", "ASTERISK PAYCARD PAYMENT UNSUCCESSFUL: EMPTY USERDATA",
                         "ASTERISK PAYCARD PAYMENT SUCCESSFUL", "ASTERISK PAYCARD NOT EXISTS",
                         "ASTERISK PAYCARD NOT EXISTS"], weblogs()


def test_paycardpay_stargazer():
    fresh()
    add_user("ast1", cash="10", ip="10.1.1.1")
    card("557", "25.5")
    with h.stgpeer(users=["ast1:10:0:0:0:1:Home:0"], mode="refuse"):
        with h.config(alter=ON, ubapi=AT_ONCE):
            assert q("param=paycardpay&login=ast1&paycardnum=557") == "ERROR:BILLING_CORE"
    # refused: the card is still unused and nothing was paid
    assert h.sql("SELECT used, usedlogin FROM cardbank WHERE serial='557'", strings=True) == [("0", "")]
    assert h.sql("SELECT COUNT(*) FROM payments WHERE login='ast1'") == [(0,)]
    with h.stgpeer(users=["ast1:10:0:0:0:1:Home:0"]) as peer:
        with h.config(alter=ON, ubapi=AT_ONCE):
            assert q("param=paycardpay&login=ast1&paycardnum=557") == "ASTERISK PAYCARD PAYMENT SUCCESSFUL"
        assert peer.setuser_log() == ['<SetUser><login value="ast1" /><cash add="25.5" /></SetUser>']
    assert h.sql("SELECT admin, summ, note FROM payments WHERE login='ast1'") == [("external", "25.5", "CARD:557")]


# ---------------------------------------------------------------- pause

def test_setpause_setunpause_direct():
    fresh()
    add_user("ast1")
    with direct(), h.config(alter=ON, ubapi=AT_ONCE):
        assert q("param=setpause&login=ast1") == "ASTERISK SET PAUSE SUCCESSFUL FOR  ast1"
        assert h.sql("SELECT Passive FROM users WHERE login='ast1'") == [(1,)]
        assert q("param=setpause&login=ast1") == "ASTERISK SET PAUSE UNSUCCESSFUL: PAUSE IS CURRENTLY ACTIVE"
        assert q("param=setunpause&login=ast1&number=0501234567") == \
            "ASTERISK UNPAUSE SUCCESSFUL FOR  ast1 FROM MOBILE: 0501234567"
        assert h.sql("SELECT Passive FROM users WHERE login='ast1'") == [(0,)]
        assert q("param=setunpause&login=ast1") == \
            "ASTERISK UNPAUSE UNSUCCESSFUL FOR  ast1 FROM MOBILE: : PAUSE IS NOT ACTIVE"
        assert q("param=setpause&login=nosuch") == "ASTERISK SET PAUSE UNSUCCESSFUL: EMPTY USERDATA"
    h.exec("INSERT INTO frozen_charge_days (login, freeze_days_amount, freeze_days_used, last_freeze_charge_dt,"
           " last_workdays_upd_dt) VALUES ('ast1', 10, 10, '2024-01-01', '2024-01-01')")
    with direct(), h.config(alter=dict(ON, FREEZE_DAYS_CHARGE_ENABLED="1"), ubapi=AT_ONCE):
        assert q("param=setpause&login=ast1") == "ASTERISK SET PAUSE UNSUCCESSFUL: NO AVAILABLE FREEZE DAYS LEFT"
    assert h.sql("SELECT Passive FROM users WHERE login='ast1'") == [(0,)]
    assert weblogs()[-1] == "ASTERISK SET PAUSE UNSUCCESSFUL: NO AVAILABLE FREEZE DAYS LEFT"


def test_setpause_stargazer():
    fresh()
    add_user("ast1")
    with h.stgpeer(users=["ast1:0:0:0:0:1:Home:0"]) as peer:
        with h.config(alter=ON, ubapi=AT_ONCE):
            assert q("param=setpause&login=ast1") == "ASTERISK SET PAUSE SUCCESSFUL FOR  ast1"
        assert peer.setuser_log() == ['<SetUser><login value="ast1" /><passive value="1" /></SetUser>']
        assert peer.state()["ast1"]["passive"] == "1"


# ---------------------------------------------------------------- JSON calls

def test_getuserdatabylogin_and_auth():
    fresh()
    add_user("ast1", cash="12.5", password="s3cret")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '+380501234567')")
    h.exec("INSERT INTO contracts (login, contract) VALUES ('ast1', 'A/1')")
    h.exec("INSERT INTO mobileext (login, mobile) VALUES ('ast1', '0671111111')")
    with h.config(alter=ON, ubapi=AT_ONCE):
        assert q("param=getuserdatabylogin&login=ast1&userpass=wrong") == '{"ERROR":"Auth failed"}'
        want = ('{"ast1":{"login":"ast1","Password":"s3cret","Cash":"12.5","Credit":"0","CreditExpire":"0",'
                '"Passive":"0","Down":"0","AlwaysOnline":"1","Tariff":"Home","Fee":"100","period":"month",'
                '"contract":"A\\/1","mobile":"+380501234567","agentid":null,"contrname":null}}')
        assert q("param=getuserdatabylogin&login=ast1&userpass=s3cret") == want
        assert q("param=getuserdatabylogin&login=ast1") == want
        assert q("param=getuserdatabylogin&login=nosuch") == "[]"
    with h.config(alter=dict(ON, MOBILES_EXT="1"), ubapi=AT_ONCE):
        assert q("param=getuserdatabylogin&login=ast1") == want[:-2] + ',"ext_mobiles":["0671111111"]}}'


def test_getuserdatabymobile_and_contracts():
    fresh()
    add_user("ast1")
    add_user("ast2")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '+380501234567'), ('ast2', '', '0671234567')")
    h.exec("INSERT INTO mobileext (login, mobile) VALUES ('ast2', '380501234567')")
    h.exec("INSERT INTO contracts (login, contract) VALUES ('ast1', 'A/1')")
    with h.config(alter=ON, ubapi=AT_ONCE):
        body = q("param=getuserdatabymobile&number=0501234567")
        assert body.startswith('{"ast1":{"login":"ast1",') and '"ast2":{"login":"ast2"' in body, body
        assert q("param=getcontractsbymobile&number=0501234567") == '["A\\/1",null]'
        assert q("param=getcontractsbymobile&number=0631119999") == "[]"
        # refuse numbers that would match everybody (PHP: LIKE '%%')
        assert q("param=getuserdatabymobile&login=ast1") == "[]"
        assert q("param=getuserdatabymobile&number=050") == "[]"
        assert q("param=getuserdatabymobile&number=05012%25") == "[]"
        assert q("param=getcontractsbymobile&number=%2B380501234567") == '["A\\/1"]'


def test_addusermobile():
    fresh()
    add_user("ast1")
    add_user("ast2")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '0501234567'), ('ast2', '', '')")
    cache = os.path.join(h.root, "exports", "UBCACHE_USER_ALL_PHONES_DATA")
    with open(cache, "w") as f:
        f.write("a:0:{}")
    with h.config(alter=dict(ON, UBCACHE_STORAGE="files", MOBILES_EXT="1"), ubapi=AT_ONCE):
        assert q("param=addusermobile&login=ast1&number=0671111111") == '{"SUCCES":"Mobile added"}'
        assert not os.path.exists(cache)
        assert h.sql("SELECT login, mobile, notes FROM mobileext WHERE login='ast1'") == \
            [("ast1", "0671111111", "Added by Asterisk")]
        assert q("param=addusermobile&login=ast1&number=0671111111") == \
            '{"ERROR":"Such mobile already exists for this user"}'
        assert q("param=addusermobile&login=ast1&number=0672222222&maxmobilesamnt=2") == \
            '{"ERROR":"Max mobiles count threshold reached"}'
        # the index picks the new number up at once
        assert q("param=login&number=0671111111") == "ast1"
        assert q("param=addusermobile&login=ast2&number=%2B380630000000") == '{"SUCCES":"Mobile added"}'
        assert h.sql("SELECT mobile FROM phones WHERE login='ast2'") == [("+380630000000",)]
        assert q("param=addusermobile&login=ast3&number=0630000001") == '{"ERROR":"Wrong parameters"}'
        add_user("ast3")
        assert q("param=addusermobile&login=ast3&number=0630000001") == '{"SUCCES":"Mobile added"}'
        assert h.sql("SELECT phone, mobile FROM phones WHERE login='ast3'") == [("", "0630000001")]
        assert q("param=addusermobile&login=ast3&number=06300x") == '{"ERROR":"Wrong parameters"}'
    id_ = h.sql("SELECT id FROM mobileext WHERE login='ast1'")[0][0]
    assert weblogs() == ["MOBILEEXT CREATE (ast1) MOBILE `0671111111` [%d]" % id_,
                         "MOBILE CHANGE (ast2) `+380630000000`",
                         "PHONE CREATE (ast3) `` `0630000001`"], weblogs()


def test_vservices_spends_daysleft():
    fresh()
    add_user("ast1", cash="150")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '0501234567')")
    h.exec("INSERT INTO tagtypes (id, tagname, tagcolor, tagsize) VALUES (901, 'TV', '#000', 1)")
    h.exec("INSERT INTO vservices (tagid, price, cashtype, priority, fee_charge_always, charge_period_days,"
           " exclude_tags, archived) VALUES (901, 50, 'stargazer', 1, 1, 30, '', 0)")
    h.exec("INSERT INTO tags (tagid, login) VALUES (901, 'ast1')")
    with h.config(alter=ON, ubapi=AT_ONCE):
        assert q("param=getvservicescount&login=ast1") == "1"
        assert q("param=getvservicescount&number=0501234567") == "1"
        assert q("param=getvservicescount&login=nosuch") == "0"
        assert q("param=getuserspends&login=ast1") == \
            '{"Home":{"price":"100","daysperiod":"month"},"TV":{"price":"50","daysperiod":"30"}}'
        assert q("param=getuserspends&login=nosuch") == "[]"
    env = {"UBAPI_NOW": "2024-05-10 12:00:00"}
    rc, out, _ = h.cli(["asterisk&param=getonlinedaysleft&login=ast1"], env=env)
    assert out == b"ERROR: ASTERISK DISABLED", out
    with h.config(alter=ON, ubapi=AT_ONCE):
        rc, out, _ = h.cli(["asterisk&param=getonlinedaysleft&login=ast1"], env=env)
        assert out == b"52", out
        h.exec("UPDATE users SET Cash=-1 WHERE login='ast1'")
        rc, out, _ = h.cli(["asterisk&param=getonlinedaysleft&login=ast1"], env=env)
        assert out == b"-1", out
        rc, out, _ = h.cli(["asterisk&param=getonlinedaysleft&login=nosuch"], env=env)
        assert out == b"0", out


def test_getcontragentdata():
    fresh()
    add_user("ast1")
    h.exec("DELETE FROM contrahens WHERE id IN (9901)")
    h.exec("INSERT INTO contrahens (id, bankacc, bankname, bankcode, edrpo, ipn, licensenum, juraddr, phisaddr,"
           " phone, contrname, agnameabbr, agsignatory, agsignatory2, agbasis, agmail, siteurl) VALUES"
           " (9901, '1', 'Банк', '2', '3', '4', '5', 'a/b', 'c', 'p', 'ТОВ', 'x', 'y', 'z', 'w', 'm', 'http://x')")
    try:
        with h.config(alter=dict(ON, DEFAULT_ASSIGN_AGENT="9901"), ubapi=AT_ONCE):
            # no address: no agent on this path
            assert q("param=getcontragentdata&login=ast1") == "[]"
    finally:
        h.exec("DELETE FROM contrahens WHERE id IN (9901)")


if __name__ == "__main__":
    h.main(globals())
