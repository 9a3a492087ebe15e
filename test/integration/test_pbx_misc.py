"""telepony, askozianum, callmeback, callshistusrupd, whydoyoucall,
whydoyoucallstats: exact replies, rows and files."""
import os
import time

import harness as h
from test_asterisk import add_user, clean, fresh, incalls_log, weblogs


def setup():
    fresh()


def teardown():
    clean()
    h.exec("DELETE FROM callmeback")
    h.exec("DELETE FROM wdycinfo")


def t(q):
    return h.api_text(q)


def test_telepony():
    fresh()
    assert t("action=telepony&number=380501234567") == "ERROR: TELEPONY DISABLED"
    with h.config(alter={"TELEPONY_ENABLED": "1"}, ubapi=h.PHONES_AT_ONCE):
        assert t("action=telepony") == "ERROR: EMPTY NUMBER"
        add_user("ast1", cash="10")
        h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '0501234567')")
        before = len(incalls_log())
        assert t("action=telepony&number=380501234567") == "1"
        h.exec("UPDATE users SET Cash=-5 WHERE login='ast1'")
        assert t("action=telepony&number=380501234567") == "2"   # read fresh: no 1 h cache
        h.exec("UPDATE users SET Passive=1 WHERE login='ast1'")
        assert t("action=telepony&number=380501234567") == "3"
        assert t("action=telepony&number=380991234567") == "0"
        assert h.sql("SELECT number, login FROM callshist ORDER BY id") == [
            ("380501234567", "ast1"), ("380501234567", "ast1"), ("380501234567", "ast1"), ("380991234567", "")]
        assert [l.split(" ", 2)[2] for l in incalls_log()[before:]] == [
            "NUMBER: 380501234567 REPLY: 1 LOGIN: ast1", "NUMBER: 380501234567 REPLY: 2 LOGIN: ast1",
            "NUMBER: 380501234567 REPLY: 3 LOGIN: ast1", "NUMBER: 380991234567 REPLY: 0 LOGIN: "]


def test_askozianum():
    fresh()
    assert t("action=askozianum&param=0501234567") == "ERROR: ASKOIZA DISABLED"
    with h.config(alter={"ASKOZIA_ENABLED": "1"}, ubapi=h.PHONES_AT_ONCE):
        assert t("action=askozianum") == "ERROR: EMPTY PARAM"
        add_user("ast1", cash="1")
        h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '+380 50 123-45-67')")
        assert t("action=askozianum&param=0501234567") == "1"
        assert h.sql("SELECT number, login FROM callshist") == [("0501234567", "ast1")]


def test_callmeback():
    h.exec("DELETE FROM callmeback")
    assert t("action=callmeback&param=1") == "ERROR:CALLMEBACK_DISABLED"
    with h.config(alter={"CALLMEBACK_ENABLED": "1"}, ubapi=h.PHONES_AT_ONCE):
        assert t("action=callmeback") == "ERROR:EMPTY_PARAM"
        assert t("action=callmeback&param=%2B38%20(050)%20123-45-67") == "OK:CALLMEBACK"
        assert t("action=callmeback&param=abc") == "OK:CALLMEBACK"
    assert h.sql("SELECT number, state, admin, userlogin FROM callmeback") == [("380501234567", "undone", None, None)]


def test_callshistusrupd():
    fresh()
    add_user("ast1")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '0501234567')")
    year = time.strftime("%Y")
    h.exec("INSERT INTO callshist (date, number, login) VALUES (%s, '0501234567', ''), (%s, '0999999999', ''),"
           " ('2001-01-01 00:00:00', '0501234567', ''), (%s, '0501234567', 'other')",
           (year + "-01-01 10:00:00", year + "-01-02 10:00:00", year + "-01-03 10:00:00"))
    assert t("action=callshistusrupd") == "ERROR:CALLSHIST_DISABLED"
    with h.config(alter={"CALLSHIST_ENABLED": "1"}, ubapi=h.PHONES_AT_ONCE):
        assert t("action=callshistusrupd") == "GUESSED:1 MISSED:1 OK:CALLSHIST_USERS_UPDATE"
    assert [r[0] for r in h.sql("SELECT login FROM callshist ORDER BY id")] == ["ast1", "", "", "other"]
    assert weblogs() == ["CALLSHIST USERS UPDATE GUESSED `1` MISSED`1`"]


def test_whydoyoucall_and_stats():
    h.exec("DELETE FROM wdycinfo")
    assert t("action=whydoyoucall") == "ERROR: WDYC DISABLED"
    assert t("action=whydoyoucallstats") == "ERROR: WDYC DISABLED"
    exports = os.path.join(h.root, "exports")
    with h.config(alter={"WDYC_ENABLED": "1"}, ubapi=h.PHONES_AT_ONCE):
        assert t("action=whydoyoucall") == "OK: WDYC"
        for name in ("whydoyoucall.dat", "whydoyourecall.dat"):
            with open(os.path.join(exports, name)) as f:
                assert f.read() == "a:0:{}"
        with open(os.path.join(exports, "whydoyoucall.dat"), "w") as f:
            f.write('a:2:{s:10:"0501234567";a:1:{s:9:"misscount";i:1;}s:9:"anonymous";a:1:{s:9:"misscount";i:2;}}')
        with open(os.path.join(exports, "whydoyourecall.dat"), "w") as f:
            f.write('a:1:{s:10:"0671234567";a:3:{s:4:"time";i:0;s:5:"count";i:1;s:7:"trytime";i:30;}}')
        assert t("action=whydoyoucallstats") == "OK: WDYCSTATS"
    assert h.sql("SELECT date, missedcount, recallscount, unsucccount, missednumbers, totaltrytime FROM wdycinfo",
                 strings=True) == [(time.strftime("%Y-%m-%d"), "1", "1", "1", "0501234567 ", "30")]


if __name__ == "__main__":
    h.main(globals())
