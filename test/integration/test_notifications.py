"""Telegram notifiers (spec actions-ops.md §5.13-§5.16, §5.25): stickynotify,
taskmannotify, salarytelegram, warehousetelegram, pseudocrm. Each run is
pinned to one "now" (UBAPI_NOW through the CLI) and checked on the exact bytes
of the content/telegram/tlg_<T>_<N> files and their weblogs rows."""
import os
import time

import harness as h

TDIR = os.path.join(h.root, "content", "telegram")
NOW = "2026-03-14 09:30:00"
TODAY = NOW[:10]
T = int(time.mktime(time.strptime(NOW, "%Y-%m-%d %H:%M:%S")))
EOL = "\\r\\n "  # the literal backslash sequences Ubilling writes
ENABLED = {"SENDDOG_ENABLED": "1", "STICKY_NOTES_ENABLED": "1", "SALARY_ENABLED": "1",
           "WAREHOUSE_ENABLED": "1", "PSEUDOCRM_ENABLED": "1"}
TABLES = ("employee", "stickynotes", "taskman", "jobtypes", "salary_jobs", "salary_jobprices",
          "wh_itemtypes", "wh_in", "wh_out", "wh_reserve", "crm_activities")


def clean():
    for t in TABLES:
        h.exec("DELETE FROM `%s`" % t)
    os.makedirs(TDIR, exist_ok=True)
    for n in os.listdir(TDIR):
        if not n.startswith("."):
            os.unlink(os.path.join(TDIR, n))
    cache = os.path.join(h.root, "exports", "UBCACHE_WH_ITMPRICES")
    if os.path.exists(cache):
        os.unlink(cache)


def queued():
    """{name: bytes} of the visible Telegram queue."""
    out = {}
    for n in sorted(os.listdir(TDIR)):
        if not n.startswith("."):
            with open(os.path.join(TDIR, n), "rb") as f:
                out[n] = f.read()
    return out


def mark():
    return int(h.sql("SELECT COALESCE(MAX(id),0) FROM weblogs", strings=True)[0][0])


def logs_since(m):
    return [tuple(r) for r in h.sql("SELECT admin, event FROM weblogs WHERE id > %s ORDER BY id", (str(m),),
                                    strings=True)]


def run(action, now=NOW):
    rc, out, err = h.cli([action], env={"UBAPI_NOW": now})
    return out.decode()


def employee(eid, telegram, active=1, admlogin=None):
    h.exec("INSERT INTO employee (id, name, appointment, mobile, telegram, admlogin, active) "
           "VALUES (%s, %s, 'tech', '', %s, %s, %s)", (eid, "emp%d" % eid, telegram, admlogin, active))


def tlg(chat, message):
    return ('CHATID="%s"\nMESSAGE="%s"\n' % (chat, message)).encode()


def logline(chat, n, module):
    return ("guest", "UTLG SEND MESSAGE FOR `%s` AS `tlg_%d_%d`  MODULE %s" % (chat, T, n, module))


def setup():
    clean()


# ---------------------------------------------------------------- stickynotify

def note(owner, reminddate, active=1):
    h.exec("INSERT INTO stickynotes (owner, createdate, reminddate, active, text) VALUES (%s, %s, %s, %s, 'x')",
           (owner, "2026-03-01 10:00:00", reminddate, active))


def test_stickynotify_disabled():
    clean()
    employee(1, "5", admlogin="a")
    note("a", TODAY)
    m = mark()
    with h.config(alter={"SENDDOG_ENABLED": "1"}):
        h.alter_del("STICKY_NOTES_ENABLED")
        assert run("stickynotify") == "ERROR:STICKYNOTIFY_DISABLED"
    with h.config(alter={"STICKY_NOTES_ENABLED": "1", "SENDDOG_ENABLED": "0"}):
        assert run("stickynotify") == "ERROR:SENDDOG_DISABLED"
    assert queued() == {} and logs_since(m) == []


def test_stickynotify_counts_per_chat():
    clean()
    employee(1, "5", admlogin="a")
    employee(2, "", admlogin="b")            # no chat id: skipped
    employee(3, "7", active=0, admlogin="c")  # inactive: skipped
    employee(4, "8", admlogin="")            # no admin login
    for _ in range(2):
        note("a", TODAY)
    note("a", TODAY, active=0)
    note("a", "2026-03-15")
    note("b", TODAY)
    note("c", TODAY)
    note("nobody", TODAY)
    m = mark()
    with h.config(alter=ENABLED):
        assert run("stickynotify") == "OK:STICKYNOTIFY"
        q = queued()
        assert q == {"tlg_%d_0" % T: tlg("5", "🙀 You have 2 notes or reminders for today")}, q
        assert logs_since(m) == [logline("5", 0, "STICKYNOTIFY")], logs_since(m)
        # PHP keeps no memory of what it sent: every run queues the day's
        # reminder again (cron calls it once a day)
        assert run("stickynotify") == "OK:STICKYNOTIFY"
        assert sorted(queued()) == ["tlg_%d_0" % T, "tlg_%d_1" % T]


def test_stickynotify_other_day_nothing():
    clean()
    employee(1, "5", admlogin="a")
    note("a", TODAY)
    with h.config(alter=ENABLED):
        assert run("stickynotify", now="2026-03-15 08:00:00") == "OK:STICKYNOTIFY"
    assert queued() == {}


def test_stickynotify_translated():
    clean()
    employee(1, "5", admlogin="a")
    note("a", TODAY)
    langdir = os.path.join(h.root, "languages", "ukrainian")
    cfgini = os.path.join(h.root, "config", "config.ini")
    saved = open(cfgini, "rb").read() if os.path.exists(cfgini) else None
    os.makedirs(langdir, exist_ok=True)
    try:
        with open(os.path.join(langdir, "langid.txt"), "w") as f:
            f.write("uk\n")
        with open(os.path.join(langdir, "notes.php"), "w") as f:
            f.write("<?php\n$lang['def']['You have'] = 'У вас';\n"
                    "$lang['def']['notes or reminders for today'] = 'нотаток на сьогодні';\n")
        with open(cfgini, "w") as f:
            f.write('default_lang = "uk"\n')
        with h.config(alter=ENABLED):
            assert run("stickynotify") == "OK:STICKYNOTIFY"
        assert queued() == {"tlg_%d_0" % T: tlg("5", "🙀 У вас 1 нотаток на сьогодні")}, queued()
    finally:
        if saved is None:
            os.unlink(cfgini)
        else:
            open(cfgini, "wb").write(saved)
        for n in os.listdir(langdir):
            os.unlink(os.path.join(langdir, n))
        os.rmdir(langdir)


# ---------------------------------------------------------------- taskmannotify

def task(tid, employee_id, startdate, status=0, address="Street 1"):
    h.exec("INSERT INTO taskman (id, date, address, jobtype, employee, startdate, status) "
           "VALUES (%s, %s, %s, 1, %s, %s, %s)", (tid, "2026-03-01 10:00:00", address, employee_id, startdate, status))


def test_taskmannotify():
    clean()
    employee(9, "99")
    employee(10, "", admlogin="x")
    employee(11, "111", active=0)
    for i in range(3):
        task(100 + i, 9, TODAY)
    task(110, 9, TODAY, status=1)
    task(111, 9, "2026-03-15")
    task(112, 10, TODAY)
    task(113, 11, TODAY)
    m = mark()
    with h.config(alter={"SENDDOG_ENABLED": "0"}):
        assert run("taskmannotify") == "ERROR:SENDDOG_DISABLED"
    assert queued() == {}
    with h.config(alter=ENABLED):
        assert run("taskmannotify") == "OK:TASKMANNOTIFY"
    assert queued() == {"tlg_%d_0" % T: tlg("99", "😾 You have 3 undone tasks for today")}, queued()
    assert logs_since(m) == [logline("99", 0, "TASKMANNOTIFY")]


def test_taskmannotify_http():
    """Through nginx -> ubapi.fcgi: the real "now" is used, the reply is the same."""
    clean()
    with h.config(alter=ENABLED):
        assert h.api_text("action=taskmannotify") == "OK:TASKMANNOTIFY"
    assert queued() == {}


# ---------------------------------------------------------------- salarytelegram

def salary_data():
    h.exec("INSERT INTO jobtypes (id, jobname) VALUES (1, 'Cable laying'), (2, 'Router setup')")
    h.exec("INSERT INTO salary_jobprices (jobtypeid, price, unit, time) VALUES "
           "(1, 100, 'quantity', 30), (2, 50, 'meter', 10)")
    task(200, 4, TODAY, address="Main st 1")
    task(201, 4, TODAY, address="Main st 2")
    employee(4, "777")
    employee(5, "")
    employee(6, "666", active=0)  # inactive employees get it too, as in PHP

    def job(date, emp, jt, factor, overprice=None, taskid=200):
        h.exec("INSERT INTO salary_jobs (date, state, taskid, employeeid, jobtypeid, factor, overprice) "
               "VALUES (%s, 0, %s, %s, %s, %s, %s)", (date, taskid, emp, jt, factor, overprice))
    job(TODAY + " 08:00:00", 4, 1, 1.5)
    job(TODAY + " 09:00:00", 4, 2, 2, overprice=120, taskid=201)
    job("2026-03-13 09:00:00", 4, 1, 1)    # yesterday
    job(TODAY + " 23:58:00", 4, 1, 1)      # after 23:56:59 (sic)
    job(TODAY + " 10:00:00", 5, 1, 1)      # no chat id
    job(TODAY + " 11:00:00", 6, 1, 2)


def test_salarytelegram():
    clean()
    salary_data()
    m = mark()
    with h.config(alter=ENABLED):
        assert run("salarytelegram") == "OK: SALARYTELEGRAM"
    block1 = ("Job added on Main st 1" + EOL + "Job type: Cable laying" + EOL + "Factor: 1.5 / quantity" + EOL +
              "Spent time: 45 minutes" + EOL + "Job price: 150" + EOL + "💵💵💵" + EOL + EOL)
    block2 = ("Job added on Main st 2" + EOL + "Job type: Router setup" + EOL + "Factor: 2 / meter" + EOL +
              "Spent time: 20 minutes" + EOL + "Job price: 120 (Price override)" + EOL + "💵💵💵" + EOL + EOL)
    msg4 = (block1 + block2 + "⏱️ Labor time: 1 hour 5 minutes 0 seconds" + EOL + "💰 Total money: 270\\r\\n")
    block6 = ("Job added on Main st 1" + EOL + "Job type: Cable laying" + EOL + "Factor: 2 / quantity" + EOL +
              "Spent time: 60 minutes" + EOL + "Job price: 200" + EOL + "💵💵💵" + EOL + EOL)
    msg6 = block6 + "⏱️ Labor time: 1 hour 0 minutes 0 seconds" + EOL + "💰 Total money: 200\\r\\n"
    q = queued()
    assert q == {"tlg_%d_0" % T: tlg("777", msg4), "tlg_%d_1" % T: tlg("666", msg6)}, q
    assert logs_since(m) == [logline("777", 0, "SALARY"), logline("666", 1, "SALARY")], logs_since(m)


def test_salarytelegram_disabled():
    clean()
    salary_data()
    with h.config(alter={"SENDDOG_ENABLED": "1", "SALARY_ENABLED": "0"}):
        assert run("salarytelegram") == "ERROR: SALARY DISABLED"
    with h.config(alter={"SENDDOG_ENABLED": "0", "SALARY_ENABLED": "1"}):
        assert run("salarytelegram") == "OK: SALARYTELEGRAM"
    assert queued() == {}


# ---------------------------------------------------------------- warehousetelegram

def wh_data():
    employee(4, "777")
    employee(5, "")
    h.exec("INSERT INTO wh_itemtypes (id, categoryid, name, unit, reserve) VALUES "
           "(1, 1, 'Cable', 'meter', 0), (2, 1, 'Router', 'pieces', 0)")
    h.exec("INSERT INTO wh_in (date, itemtypeid, contractorid, count, price, storageid) VALUES "
           "('2026-03-01', 1, 1, 100, 10, 1), ('2026-03-02', 1, 0, 50, 99, 1), ('2026-03-02', 2, 1, 2, 250.5, 1),"
           " ('2026-03-03', 2, 1, 2, 300, 1)")
    h.exec("INSERT INTO wh_out (date, desttype, destparam, storageid, itemtypeid, count, price) VALUES "
           "('2026-03-04', 'task', '1', 1, 2, 1, 400)")

    def reserve(emp, item, count):
        h.exec("INSERT INTO wh_reserve (storageid, itemtypeid, count, employeeid) VALUES (1, %s, %s, %s)",
               (item, count, emp))
    reserve(4, 1, 3)
    reserve(5, 1, 10)  # no chat id


def test_warehousetelegram():
    clean()
    wh_data()
    m = mark()
    with h.config(alter=ENABLED):
        assert run("warehousetelegram") == "OK: WAREHOUSETELEGRAM"
    msg = ("Is reserved for you" + EOL + "Cable: 3 meter" + EOL + "📦📦📦📦" + EOL + "Total cost: 30" + EOL +
           "💸💸💸💸\\r\\n")
    assert queued() == {"tlg_%d_0" % T: tlg("777", msg)}, queued()
    assert logs_since(m) == [logline("777", 0, "WAREHOUSE")]


def test_warehousetelegram_aggregates_and_recprice():
    clean()
    wh_data()
    h.exec("INSERT INTO wh_reserve (storageid, itemtypeid, count, employeeid) VALUES (1, 2, 1.5, 4), (1, 2, 2, 4)")
    # rows come newest first (ORDER BY id DESC): Router, then Cable
    with h.config(alter=dict(ENABLED, WAREHOUSE_RECPRICE="0")):
        assert run("warehousetelegram") == "OK: WAREHOUSETELEGRAM"
    # Router: (2*250.5 + 2*300) / 4 = 275.25; 3.5 * 275.25 + 3 * 10 = 993.375
    msg = ("Is reserved for you" + EOL + "Router: 3.5 pieces" + EOL + "Cable: 3 meter" + EOL + "📦📦📦📦" + EOL +
           "Total cost: 993.375" + EOL + "💸💸💸💸\\r\\n")
    assert list(queued().values()) == [tlg("777", msg)], queued()
    clean()
    wh_data()
    h.exec("INSERT INTO wh_reserve (storageid, itemtypeid, count, employeeid) VALUES (1, 2, 1, 4)")
    # mode 3: the latest outcome price
    with h.config(alter=dict(ENABLED, WAREHOUSE_RECPRICE="3")):
        assert run("warehousetelegram") == "OK: WAREHOUSETELEGRAM"
    assert "Total cost: 400" in list(queued().values())[0].decode()


def test_warehousetelegram_price_cache():
    """UBCACHE_STORAGE=files: the computed prices are stored as PHP's
    serialized WH_ITMPRICES, and a cached price is used as it is."""
    clean()
    wh_data()
    cache = os.path.join(h.root, "exports", "UBCACHE_WH_ITMPRICES")
    with h.config(alter=dict(ENABLED, UBCACHE_STORAGE="files")):
        assert run("warehousetelegram") == "OK: WAREHOUSETELEGRAM"
        assert open(cache, "rb").read() == b"a:1:{i:1;d:10;}"
        with open(cache, "wb") as f:
            f.write(b'a:1:{i:1;d:2.5;}')
        for n in list(queued()):
            os.unlink(os.path.join(TDIR, n))
        assert run("warehousetelegram") == "OK: WAREHOUSETELEGRAM"
        assert "Total cost: 7.5" in list(queued().values())[0].decode()
    os.unlink(cache)
    # the latest-price modes cache the database's text, as PHP does
    with h.config(alter=dict(ENABLED, UBCACHE_STORAGE="files", WAREHOUSE_RECPRICE="2")):
        assert run("warehousetelegram") == "OK: WAREHOUSETELEGRAM"
        assert open(cache, "rb").read() == b'a:1:{i:1;s:2:"10";}'


def test_warehousetelegram_disabled():
    clean()
    wh_data()
    with h.config(alter={"SENDDOG_ENABLED": "1", "WAREHOUSE_ENABLED": "0"}):
        assert run("warehousetelegram") == "ERROR: WAREHOUSE DISABLED"
    with h.config(alter={"SENDDOG_ENABLED": "", "WAREHOUSE_ENABLED": "1"}):
        assert run("warehousetelegram") == "OK: WAREHOUSETELEGRAM"
    assert queued() == {}


# ---------------------------------------------------------------- pseudocrm

def crm_data():
    employee(3, "33")
    employee(4, "")
    h.exec("INSERT INTO crm_activities (id, leadid, date, admin, employeeid, state, notes) VALUES "
           "(1, 1, '2026-03-10 10:00:00', 'admin', 3, 0, ''), (2, 1, '2026-03-11 11:00:00', 'admin', 3, 0, ''),"
           " (3, 1, '2026-03-12 12:00:00', 'admin', 3, 1, ''), (4, 2, '2026-03-12 12:00:00', 'admin', 4, 0, '')")


def test_pseudocrm_openactnotify():
    clean()
    crm_data()
    m = mark()
    with h.config(alter=dict(ENABLED, FULL_BILLING_URL="http://billing.example/")):
        assert run("pseudocrm&param=openactnotify") == "OK:openactnotify"
    link = '<a href="http://billing.example/?module=pseudocrm&showactivity=%d" >Show</a>  '
    msg = ("The following activities are open for you:\\r\\n #2 from 2026-03-11 11:00:00. " + link % 2 +
           "\\r\\n #1 from 2026-03-10 10:00:00. " + link % 1 + "\\r\\n parseMode:{html}")
    assert queued() == {"tlg_%d_0" % T: tlg("33", msg)}, queued()
    assert logs_since(m) == [logline("33", 0, "PSEUDOCRM")]


def test_pseudocrm_without_url():
    clean()
    crm_data()
    with h.config(alter=ENABLED):
        h.alter_del("FULL_BILLING_URL")
        assert h.api_text("action=pseudocrm&param=openactnotify") == "OK:openactnotify"
    msg = ("The following activities are open for you:\\r\\n #2 from 2026-03-11 11:00:00. \\r\\n"
           " #1 from 2026-03-10 10:00:00. \\r\\n parseMode:{html}")
    assert list(queued().values()) == [tlg("33", msg)], queued()


def test_pseudocrm_other_params():
    clean()
    crm_data()
    with h.config(alter=ENABLED):
        assert run("pseudocrm&param=foo") == "OK:foo"
        assert run("pseudocrm") == "OK:NONE"
        assert run("pseudocrm&param=0") == "OK:NONE"
        assert h.api_text("action=pseudocrm&param=a%0Ab%09c") == "OK:abc"
    with h.config(alter={"SENDDOG_ENABLED": "0", "PSEUDOCRM_ENABLED": "1"}):
        assert run("pseudocrm&param=openactnotify") == "OK:openactnotify"
    with h.config(alter={"SENDDOG_ENABLED": "1", "PSEUDOCRM_ENABLED": "0"}):
        assert run("pseudocrm&param=openactnotify") == "ERROR:PSEUDOCRM_DISABLED"
    assert queued() == {}


def test_busy_lock():
    """A second concurrent run is refused instead of queueing duplicates."""
    clean()
    with h.config(alter=ENABLED):
        c = h.db(new=True)
        with c.cursor() as cur:
            cur.execute("SELECT GET_LOCK('ubapi_taskmannotify', 0)")
            assert cur.fetchone()[0] == 1
            try:
                assert run("taskmannotify") == "SKIP:TASKMANNOTIFY_ALREADY_RUNNING"
            finally:
                cur.execute("SELECT RELEASE_LOCK('ubapi_taskmannotify')")
        c.close()


if __name__ == "__main__":
    h.main(globals())
