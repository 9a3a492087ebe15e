"""whydoyoucall against a real MariaDB Asterisk CDR on loopback (TelePony's
missed-call analysis, spec actions-ops.md §5.20-5.22): the exports/ files
byte for byte, the replies, whydoyoucallstats from what whydoyoucall wrote,
and an unreachable or unusable CDR leaving the previous files alone."""
import os
import time

import harness as h

CDR_DB = "ubapi_cdr_" + h.SCHEMA
CDR_USER, CDR_PASSWORD = "ubapi_cdr", "cdr-pw"
DAY = "2026-03-10"
NOW = DAY + " 20:00:00"
EXPORTS = os.path.join(h.root, "exports")
FILES = ("whydoyoucall.dat", "whydoyourecall.dat")

# Asterisk's cdr table (cdr_mysql / cdr_adaptive_odbc layout)
CDR_TABLE = """CREATE TABLE cdr (
  calldate datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  clid varchar(80) NOT NULL DEFAULT '',
  src varchar(80) NOT NULL DEFAULT '',
  dst varchar(80) NOT NULL DEFAULT '',
  dcontext varchar(80) NOT NULL DEFAULT '',
  channel varchar(80) NOT NULL DEFAULT '',
  dstchannel varchar(80) NOT NULL DEFAULT '',
  lastapp varchar(80) NOT NULL DEFAULT '',
  lastdata varchar(80) NOT NULL DEFAULT '',
  duration int(11) NOT NULL DEFAULT 0,
  billsec int(11) NOT NULL DEFAULT 0,
  disposition varchar(45) NOT NULL DEFAULT '',
  amaflags int(11) NOT NULL DEFAULT 0,
  accountcode varchar(20) NOT NULL DEFAULT '',
  uniqueid varchar(32) NOT NULL DEFAULT '',
  userfield varchar(255) NOT NULL DEFAULT '',
  KEY calldate (calldate)
) ENGINE=InnoDB"""

# (uniqueid, time, src, dst, dstchannel, disposition, duration, billsec, userfield, lastapp)
CALLS = [
    ("1700.1", "2026-03-09 23:59:59", "0970000000", "100", "", "NO ANSWER", 10, 0, "in", "Queue"),  # yesterday
    ("1700.2", DAY + " 09:00:00", "380501234567", "100", "SIP/101-0001", "NO ANSWER", 20, 0, "in", "Queue"),
    ("1700.3", DAY + " 09:10:00", "0671112233", "100", "SIP/101-0002", "NO ANSWER", 25, 0, "in", "Queue"),
    ("1700.4", DAY + " 09:15:00", "0681234567", "100", "SIP/101-0003", "NO ANSWER", 20, 0, "in", "Queue"),
    ("1700.5", DAY + " 09:20:00", "101", "0671112233", "SIP/trunk-0004", "NO ANSWER", 30, 0, "out", "Dial"),
    ("1700.4", DAY + " 09:25:00", "0681234567", "s", "SIP/102-00000af3", "BUSY", 40, 0, "in", "Queue"),
    ("1700.6", DAY + " 09:30:00", "101", "380671112233", "SIP/trunk-0005", "ANSWERED", 60, 45, "out", "Dial"),
    ("1700.7", DAY + " 10:00:00", "380501234567", "100", "SIP/101-0006", "NO ANSWER", 15, 0, "in", "Queue"),
    ("1700.8", DAY + " 10:05:00", "anonymous", "100", "SIP/101-0007", "NO ANSWER", 5, 0, "in", "Queue"),
    ("1700.9", DAY + " 10:10:00", "0931234567", "100", "SIP/101-0008", "ANSWERED", 90, 80, "in", "Queue"),
    ("1701.0", DAY + " 10:20:00", "0939999999", "100", "SIP/101-0009", "NO ANSWER", 5, 0, "in", "Queue"),
    ("1701.1", DAY + " 10:25:00", "0939999999", "100", "SIP/101-0010", "ANSWERED", 50, 40, "in", "Queue"),
    ("1701.2", DAY + " 10:30:00", "12345", "100", "SIP/101-0011", "NO ANSWER", 5, 0, "in", "Queue"),
]


def s(v):
    b = v.encode()
    return 's:%d:"%s";' % (len(b), v)


def i(n):
    return "i:%d;" % n


def arr(pairs):
    return "a:%d:{%s}" % (len(pairs), "".join(k + v for k, v in pairs))


def flow(flowid, start, end, frm, to, records, status, duration, realtime, takephone, misscount):
    return arr([(s("flowid"), s(flowid)), (s("callstart"), s(start)), (s("callend"), s(end)),
                (s("from"), s(frm)), (s("to"), s(to)), (s("records"), i(records)), (s("direction"), s("in")),
                (s("status"), s(status)), (s("duration"), s(duration)), (s("realtime"), realtime),
                (s("takephone"), s(takephone)), (s("context"), s("from-trunk")), (s("app"), s("Queue")),
                (i(9), s(start)), (s("misscount"), i(misscount))])


# 0501234567 missed twice (the second miss replaces the data, keeps its
# place), 0681234567 a two-row flow ending on dst "s"; 0671112233 missed,
# recalled without answer at 09:20, then answered at 09:30; anonymous, the
# answered-after-miss 0939999999, short 12345 and yesterday's call drop out.
EXPECT_MISSED = arr([
    (s("0501234567"), flow("1700.7", DAY + " 10:00:00", DAY + " 10:00:00", "380501234567", "100", 1,
                           "NO ANSWER", "15", i(0), "", 2)),
    (s("0681234567"), flow("1700.4", DAY + " 09:15:00", DAY + " 09:25:00", "0681234567", "102", 2,
                           "BUSY", "40", i(0), "", 1)),
])
EXPECT_RECALLED = arr([(s("0671112233"), arr([(s("time"), s("45")), (s("count"), i(2)), (s("trytime"), i(600))]))])


def cdr_conf(port=None, table="cdr", parts=None):
    host = "127.0.0.1:%d" % (port or h.DB_PORT)
    return parts or "|".join([host, CDR_USER, CDR_PASSWORD, CDR_DB, table])


def on(conf=None, **kw):
    return h.config(alter={"WDYC_ENABLED": "1", "TELEPONY_ENABLED": "1",
                           "TELEPONY_CDR": conf if conf is not None else cdr_conf(**kw)},
                    ubapi=h.PHONES_AT_ONCE)


def run_cli(now=NOW):
    rc, out, err = h.cli(["whydoyoucall"], env={"UBAPI_NOW": now})
    return rc, out.decode()


def files():
    out = []
    for name in FILES:
        with open(os.path.join(EXPORTS, name), "rb") as f:
            out.append(f.read().decode())
    return out


def put_files(a, b):
    for name, data in zip(FILES, (a, b)):
        with open(os.path.join(EXPORTS, name), "w") as f:
            f.write(data)


def fill(rows):
    c = h.db_root()
    try:
        with c.cursor() as cur:
            cur.execute("DELETE FROM `%s`.cdr" % CDR_DB)
            for (uid, t, src, dst, chan, disp, dur, bill, uf, app) in rows:
                cur.execute("INSERT INTO `%s`.cdr (calldate, src, dst, dcontext, dstchannel, lastapp, duration,"
                            " billsec, disposition, uniqueid, userfield) VALUES"
                            " (%%s,%%s,%%s,'from-trunk',%%s,%%s,%%s,%%s,%%s,%%s,%%s)" % CDR_DB,
                            (t, src, dst, chan, app, dur, bill, disp, uid, uf))
    finally:
        c.close()


def setup():
    c = h.db_root()
    try:
        with c.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS `%s`" % CDR_DB)
            cur.execute("CREATE DATABASE `%s`" % CDR_DB)
            cur.execute("USE `%s`" % CDR_DB)
            cur.execute(CDR_TABLE)
            cur.execute("CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY '%s'" % (CDR_USER, CDR_PASSWORD))
            cur.execute("GRANT SELECT ON `%s`.* TO '%s'@'%%'" % (CDR_DB, CDR_USER))
    finally:
        c.close()
    h.exec("DELETE FROM wdycinfo")


def teardown():
    c = h.db_root()
    try:
        with c.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS `%s`" % CDR_DB)
    finally:
        c.close()
    h.exec("DELETE FROM wdycinfo")
    for name in FILES:
        try:
            os.unlink(os.path.join(EXPORTS, name))
        except FileNotFoundError:
            pass


def test_missed_and_recalled_from_cdr():
    fill(CALLS)
    with on():
        assert run_cli() == (0, "TELEPONY:FETCHED\nOK: WDYC")
        assert files() == [EXPECT_MISSED, EXPECT_RECALLED]
        # the stats step of the same evening reads what was just written
        h.exec("DELETE FROM wdycinfo")
        rc, out, _ = h.cli(["whydoyoucallstats"], env={"UBAPI_NOW": NOW})
        assert (rc, out) == (0, b"OK: WDYCSTATS")
    assert h.sql("SELECT date, missedcount, recallscount, unsucccount, missednumbers, totaltrytime FROM wdycinfo",
                 strings=True) == [(DAY, "2", "1", "0", "0501234567 0681234567 ", "600")]
    assert not [n for n in os.listdir(EXPORTS) if n.endswith(".tmp")]


def test_spec_acceptance_one_missed_queue_call():
    fill([("1800.1", DAY + " 11:00:00", "0501234567", "100", "SIP/101-0001", "NO ANSWER", 12, 0, "in", "Queue")])
    with on():
        assert run_cli() == (0, "TELEPONY:FETCHED\nOK: WDYC")
    missed, recalled = files()
    assert missed == arr([(s("0501234567"), flow("1800.1", DAY + " 11:00:00", DAY + " 11:00:00", "0501234567",
                                                   "100", 1, "NO ANSWER", "12", i(0), "", 1))])
    assert recalled == "a:0:{}"


def test_other_day_and_empty_cdr():
    fill(CALLS)
    with on():
        assert run_cli("2026-03-11 08:00:00") == (0, "TELEPONY:FETCHED\nOK: WDYC")
        assert files() == ["a:0:{}", "a:0:{}"]


def test_through_http_today():
    today = time.strftime("%Y-%m-%d")
    fill([("1900.1", today + " 00:00:01", "380661234567", "100", "SIP/101-0001", "FAILED", 3, 0, "in", "Queue")])
    with on():
        assert h.api_text("action=whydoyoucall") == "TELEPONY:FETCHED\nOK: WDYC"
    assert files()[0] == arr([(s("0661234567"), flow("1900.1", today + " 00:00:01", today + " 00:00:01",
                                                      "380661234567", "100", 1, "FAILED", "3", i(0), "", 1))])
    assert files()[1] == "a:0:{}"


def test_telepony_off_writes_empty_arrays():
    fill(CALLS)
    put_files("x", "y")
    with h.config(alter={"WDYC_ENABLED": "1", "TELEPONY_CDR": cdr_conf()}, ubapi=h.PHONES_AT_ONCE):
        assert run_cli() == (0, "OK: WDYC")
    assert files() == ["a:0:{}", "a:0:{}"]
    put_files("x", "y")
    with h.config(alter={"WDYC_ENABLED": "1", "TELEPONY_ENABLED": "1", "TELEPONY_CDR": ""},
                  ubapi=h.PHONES_AT_ONCE):
        assert run_cli() == (0, "OK: WDYC")
    assert files() == ["a:0:{}", "a:0:{}"]
    with h.config(alter={"TELEPONY_ENABLED": "1", "TELEPONY_CDR": cdr_conf()}, ubapi=h.PHONES_AT_ONCE):
        assert run_cli() == (1, "ERROR: WDYC DISABLED")


def test_unreachable_cdr_keeps_previous_files():
    fill(CALLS)
    put_files("previous-missed", "previous-recalled")
    # nothing listens on port 1 of loopback: connection refused
    with on(port=1):
        t0 = time.monotonic()
        assert run_cli() == (1, "ERROR:TELEPONY_CDR_UNAVAILABLE")
        assert time.monotonic() - t0 < 10
        assert h.api_text("action=whydoyoucall") == "ERROR:TELEPONY_CDR_UNAVAILABLE"
    assert files() == ["previous-missed", "previous-recalled"]
    with on(table="no_such_table"):
        assert run_cli() == (1, "ERROR:TELEPONY_CDR_UNAVAILABLE")
    with on(cdr_conf().replace(CDR_PASSWORD, "wrong")):
        assert run_cli() == (1, "ERROR:TELEPONY_CDR_UNAVAILABLE")
    assert files() == ["previous-missed", "previous-recalled"]
    assert not [n for n in os.listdir(EXPORTS) if n.endswith(".tmp")]


def test_invalid_cdr_setting_keeps_previous_files():
    put_files("previous-missed", "previous-recalled")
    for bad in ("127.0.0.1|u|p|cdr", "127.0.0.1|u|p|cdr|cdr|x", cdr_conf(table="cdr`; DROP TABLE x; `")):
        with on(bad):
            assert run_cli() == (1, "ERROR:TELEPONY_CDR_INVALID"), bad
    assert files() == ["previous-missed", "previous-recalled"]


if __name__ == "__main__":
    h.main(globals())
