"""SMS-producing actions (spec actions-ops.md §2.2, §5.11 reminder): exact
queue-file bytes in content/tsms/, weblogs lines and flag files, with "now"
pinned through the CLI's UBAPI_NOW."""
import os
import time

import harness as h

TSMS = os.path.join(h.root, "content", "tsms")
EXPORTS = os.path.join(h.root, "exports")
NOW = "2026-03-10 12:00:00"
TAG = 36
LOGINS = ("rmd1", "rmd2", "rmd3", "rmd4")

RMD = {
    "REMINDER_ENABLED": "1", "SENDDOG_ENABLED": "1", "REMINDER_TAGID": str(TAG),
    "REMINDER_DAYS_THRESHOLD": "2", "REMINDER_PREFIX": "+38",
    "REMINDER_TEMPLATE": "Привіт {LOGIN}, баланс {cash} {RealName} Їжак Щука",
    "SMS_SERVICES_ADVANCED_ENABLED": "0",
}


def stamp(s):
    return int(time.mktime(time.strptime(s, "%Y-%m-%d %H:%M:%S")))


def last_log():
    return h.sql("SELECT IFNULL(MAX(id),0) FROM weblogs")[0][0]


def logs_since(i):
    return [r[0] for r in h.sql("SELECT event FROM weblogs WHERE id>%s ORDER BY id", (i,))]


def queue():
    os.makedirs(TSMS, exist_ok=True)
    out = {}
    for n in sorted(os.listdir(TSMS)):
        if not n.startswith("."):
            with open(os.path.join(TSMS, n), "rb") as f:
                out[n] = f.read()
    return out


def clear():
    os.makedirs(TSMS, exist_ok=True)
    for n in os.listdir(TSMS):
        if not n.startswith("."):
            os.unlink(os.path.join(TSMS, n))
    for n in os.listdir(EXPORTS):
        if n.startswith("REMINDER."):
            os.unlink(os.path.join(EXPORTS, n))


def user(login, cash, tariff, passive=0):
    h.exec("DELETE FROM users WHERE login=%s", (login,))
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Note,Credit,"
           "TariffChange,Userdata0,Userdata1,Userdata2,Userdata3,Userdata4,Userdata5,Userdata6,"
           "Userdata7,Userdata8,Userdata9,CreditExpire,Cash,NAS,IP) VALUES (%s,'pw',%s,0,1,%s,''"
           ",0,'','','','','','','','','','','',0,%s,'','10.0.0.9')", (login, passive, tariff, cash))


def setup():
    for t in ("users", "phones", "tags", "mobileext", "realname"):
        h.exec("DELETE FROM `%s` WHERE login IN ('rmd1','rmd2','rmd3','rmd4')" % t)
    h.exec("DELETE FROM tariffs WHERE name IN ('RmdDay','RmdFree')")
    h.exec("INSERT INTO tariffs (name, Fee, period) VALUES ('RmdDay', 10, 'day'), ('RmdFree', 0, 'day')")
    user("rmd1", "10", "RmdDay")      # D = 2: reminded
    user("rmd2", "10", "RmdDay")      # digit-less mobile: skipped
    user("rmd3", "100", "RmdDay")     # D = 11: above the threshold
    user("rmd4", "5", "RmdFree")      # free tariff: logged, not reminded
    for login, mob in (("rmd1", "0501234567"), ("rmd2", "n/a"), ("rmd3", "0507654321"),
                       ("rmd4", "0670000000")):
        h.exec("INSERT INTO phones (login, phone, mobile) VALUES (%s, '', %s)", (login, mob))
        h.exec("INSERT INTO tags (tagid, login) VALUES (%s, %s)", (TAG, login))
    for login in LOGINS:
        h.exec("INSERT INTO realname (login, realname) VALUES (%s, %s)", (login, "O'Neil \"ха\""))
    clear()


def run(param=None, now=NOW):
    q = "reminder" + ("&param=" + param if param is not None else "")
    rc, out, err = h.cli([q], env={"UBAPI_NOW": now})
    return out.decode()


def expected_text(login):
    # quotes became backticks, which translit removes
    return "Pryvit %s, balans 10 ONeil ha Yizhak Schuka" % login


def test_reminder_regular_then_repeat_then_force():
    setup()
    with h.config(alter=RMD):
        start = last_log()
        assert run() == "OK:SEND REMIND SMS"
        t = stamp(NOW)
        name = "usms_%d_0" % t
        assert queue() == {name: ('NUMBER="+380501234567"\nMESSAGE="%s"\n' % expected_text("rmd1")).encode()}
        assert os.path.exists(os.path.join(EXPORTS, "REMINDER.rmd1"))
        assert not os.path.exists(os.path.join(EXPORTS, "REMINDER.rmd2"))
        logs = logs_since(start)
        assert logs == [
            "REMINDER WARNING: CAP CONSIDERING DISABLED BECAUSE CAP SERVICE IS OFF",
            "REMINDER WARNING: FROZEN CONSIDERING DISABLED BECAUSE FREEZE DAYS CHARGE SERVICE IS OFF",
            "REMINDER: REGULAR processing STARTED....",
            "USMS SEND SMS FOR `+380501234567` AS `%s`  MODULE REMINDER" % name,
            "REMINDER EMPTY NUMBER (rmd2)",
            "REMINDER IGNORING FREE TARIFF (rmd4)",
            "REMINDER: REGULAR processing FINISHED",
        ], logs

        # same day again: the flag file stops a second SMS
        start = last_log()
        assert run() == "OK:SEND REMIND SMS"
        assert list(queue()) == [name]
        assert "USMS" not in " ".join(logs_since(start))

        # forced: every candidate with a usable number, no flag files
        os.unlink(os.path.join(EXPORTS, "REMINDER.rmd1"))
        start = last_log()
        assert run("force") == "OK:SEND REMIND SMS"
        q = queue()
        assert len(q) == 4, q
        logs = logs_since(start)
        for num in ("+380501234567", "+380507654321", "+380670000000"):
            assert "REMINDER FORCE SEND SMS (%s) NUMBER `%s`" % (
                {"+380501234567": "rmd1", "+380507654321": "rmd3", "+380670000000": "rmd4"}[num], num) in logs
        assert "REMINDER: FORCED processing STARTED...." in logs
        assert q["usms_%d_1" % t] == ('NUMBER="+380501234567"\nMESSAGE="%s"\n' % expected_text("rmd1")).encode()
        assert not os.path.exists(os.path.join(EXPORTS, "REMINDER.rmd1"))


def test_reminder_flag_expires_after_threshold_days():
    setup()
    with h.config(alter=RMD):
        assert run() == "OK:SEND REMIND SMS"
        flag = os.path.join(EXPORTS, "REMINDER.rmd1")
        os.utime(flag, (stamp(NOW), stamp(NOW)))
        # one day later the flag (2-day threshold) stays: no new SMS
        assert run(now="2026-03-11 12:00:00") == "OK:SEND REMIND SMS"
        assert len(queue()) == 1 and os.path.exists(flag)
        # three days later it is older than the threshold and is removed
        assert run(now="2026-03-13 12:00:01") == "OK:SEND REMIND SMS"
        assert not os.path.exists(flag)


def test_reminder_ext_mobiles_and_translit_off():
    setup()
    h.exec("INSERT INTO mobileext (login, mobile) VALUES ('rmd1', '+38 (063) 111-22-33'),"
           " ('rmd1', '0501234567'), ('rmd1', '0931112233')")
    cfg = dict(RMD, REMINDER_USE_EXTMOBILES="1", REMINDER_FORCE_TRANSLIT="0",
               REMINDER_TEMPLATE="Борг {LOGIN} {REALNAME}")
    with h.config(alter=cfg):
        assert run() == "OK:SEND REMIND SMS"
        t = stamp(NOW)
        q = queue()
        assert [q[k] for k in sorted(q, key=lambda n: int(n.rsplit("_", 1)[1]))] == [
            ('NUMBER="%s"\nMESSAGE="Борг rmd1 O`Neil `ха`"\n' % n).encode()
            for n in ("+380501234567", "+380631112233", "+380931112233")], q
        assert "usms_%d_2" % t in q


def test_reminder_advanced_routing():
    setup()
    h.exec("DELETE FROM sms_services_relations WHERE user_login='rmd1'")
    h.exec("INSERT INTO sms_services_relations (sms_srv_id, user_login) VALUES (7, 'rmd1')")
    try:
        with h.config(alter=dict(RMD, SMS_SERVICES_ADVANCED_ENABLED="1")):
            assert run() == "OK:SEND REMIND SMS"
            assert list(queue().values()) == [
                ('NUMBER="+380501234567"\nMESSAGE="%s"\nSMSSRVID="7"\n' % expected_text("rmd1")).encode()]
    finally:
        h.exec("DELETE FROM sms_services_relations WHERE user_login='rmd1'")


def test_reminder_errors_and_disabled():
    setup()
    with h.config(alter=RMD):
        assert run("x") == "ERROR:WRONG PARAM"
        assert queue() == {}
        st, _, body = h.api("action=reminder&param=x")
        assert body == b"ERROR:WRONG PARAM"
    with h.config(alter=dict(RMD, REMINDER_ENABLED="0")):
        assert run() == "ERROR:REMINDER DISABLED"
    with h.config(alter=dict(RMD, SENDDOG_ENABLED="")):
        assert run() == "ERROR:SENDDOG_REQUIRED"
    with h.config(alter=dict(RMD, REMINDER_TAGID="0")):
        start = last_log()
        assert run() == "OK:SEND REMIND SMS"
        assert "REMINDER FAILED: EMPTY TAG ID" in logs_since(start)
    with h.config(alter=dict(RMD, REMINDER_ENABLED="2")):
        # mode 2 turns the base reminder off
        assert run() == "OK:SEND REMIND SMS"
    assert queue() == {}


def test_reminder_http_regular():
    setup()
    with h.config(alter=RMD):
        st, _, body = h.api("action=reminder")
        assert st == 200 and body == b"OK:SEND REMIND SMS"
        assert [v for v in queue().values()] == [
            ('NUMBER="+380501234567"\nMESSAGE="%s"\n' % expected_text("rmd1")).encode()]


def teardown():
    clear()
    # other files look numbers up in phones: leave none of ours behind
    for t in ("users", "phones", "tags", "mobileext", "realname"):
        h.exec("DELETE FROM `%s` WHERE login IN ('rmd1','rmd2','rmd3','rmd4')" % t)
    h.exec("DELETE FROM tariffs WHERE name IN ('RmdDay','RmdFree')")


if __name__ == "__main__":
    h.main(globals())
