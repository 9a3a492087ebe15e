"""watchdog (spec actions-ops.md §5.9): every check type and operator with
the exact watchdog.oldresult it leaves, the SMS/Telegram/email queue files
its actions write (byte for byte, §2.2-§2.4), maintenance and SMS silence,
the StarDust lock, and malformed tasks. Loopback only: alive hosts are
127.0.0.1, dead ones 127.8.19.x behind a drop rule; external programs are
recording scripts in a temp dir."""

import fcntl
import glob
import http.server
import json
import os
import shutil
import socket
import sys
import tempfile
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "snmp"))

import harness as h  # noqa: E402
import devtest as d  # noqa: E402

NOW = "2026-03-04 05:06:07"
NOW_TS = None  # filled in setup(): the Unix time of NOW in the CLI's zone
QDIR = {
    "sms": os.path.join(h.root, "content", "tsms"),
    "tlg": os.path.join(h.root, "content", "telegram"),
    "eml": os.path.join(h.root, "content", "mailqueue"),
}
ON = {"WATCHDOG_ENABLED": "1"}
DEAD = "127.8.19.1"
SNMP_HOST = "127.8.19.5"
TMP = tempfile.mkdtemp(prefix="ubapi-wd-")


def setup():
    global NOW_TS
    import time
    NOW_TS = int(time.mktime(time.strptime(NOW, "%Y-%m-%d %H:%M:%S")))


def teardown():
    shutil.rmtree(TMP, ignore_errors=True)
    _clean()


def _clean():
    h.exec("DELETE FROM watchdog")
    h.exec("DELETE FROM ticketing")
    h.exec("DELETE FROM users WHERE login LIKE 'wd\\_%%'")
    h.exec("DELETE FROM ubstorage WHERE `key` LIKE 'WATCHDOG\\_%%'")
    for q in QDIR.values():
        shutil.rmtree(q, ignore_errors=True)
        os.makedirs(q)
    for p in (os.path.join(h.root, "config", "config.ini"), os.path.join(h.root, "languages")):
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.unlink(p)


def settings(alert="ALERT", phones="", emails="", telegram="", maintenance="", silence=""):
    _clean()
    for k, v in (("ALERT", alert), ("PHONES", phones), ("EMAILS", emails), ("TELEGRAM", telegram),
                 ("MAINTENANCE", maintenance), ("SMSSILENCE", silence)):
        h.exec("INSERT INTO ubstorage (`key`, value) VALUES (%s, %s)", ("WATCHDOG_" + k, v))


def task(name, checktype, param, op, cond="", action="log", old=None, active=1):
    return h.insert("INSERT INTO watchdog (active, name, checktype, param, operator, `condition`, action, "
                    "oldresult) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
                    (active, name, checktype, param, op, cond, action, old))


def old(tid):
    return h.sql("SELECT oldresult FROM watchdog WHERE id=%d" % int(tid), strings=True)[0][0]


def last_log_id():
    return h.sql("SELECT COALESCE(MAX(id), 0) FROM weblogs")[0][0]


def logs_after(mark):
    rows = h.sql("SELECT admin, event FROM weblogs WHERE id > %d ORDER BY id" % int(mark), strings=True)
    assert all(r[0] == "guest" for r in rows), rows
    return [r[1] for r in rows]


def run(alter=None, billing=None, ubapi=None, shell=True):
    """One CLI run at NOW; returns (reply, new weblogs events). Script
    checks here use shell syntax, so they opt in to watchdog_script_shell
    unless shell=False (the default of a fresh install)."""
    mark = last_log_id()
    cfg = dict(ON)
    cfg.update(alter or {})
    u = {"watchdog": {"watchdog_script_shell": "1" if shell else "0"}}
    for sec, kv in (ubapi or {}).items():
        u.setdefault(sec, {}).update(kv)
    with h.config(alter=cfg, billing=billing, ubapi=u):
        rc, out, err = h.cli(["watchdog"], env={"UBAPI_NOW": NOW})
    return out.decode(), logs_after(mark)


def queue(kind):
    out = {}
    for p in sorted(glob.glob(os.path.join(QDIR[kind], "*"))):
        with open(p, "rb") as f:
            out[os.path.basename(p)] = f.read()
    return out


def notified(events):
    return [e[len("WATCHDOG NOTIFY THAT `"):-1] for e in events if e.startswith("WATCHDOG NOTIFY THAT `")]


def sh(value):
    """A script check printing value (no newline)."""
    return "printf '%s' '" + value + "'"


class Web:
    """A loopback HTTP server: / answers body, /missing 404, /moved redirects to /."""

    def __init__(self, body=b"OK\n"):
        web = self
        self.body = body
        self.hits = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                web.hits += 1
                if self.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", "/")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status, out = (404, b"nope") if self.path == "/missing" else (200, web.body)
                self.send_response(status)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.srv.server_address[1]
        self.thread = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.thread.start()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.srv.shutdown()
        self.srv.server_close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---------------------------------------------------------------- gates


def test_disabled():
    settings()
    t = task("fe", "fileexists", "/", "=true")
    for v in (None, "0", ""):
        with h.config(alter={"WATCHDOG_ENABLED": v}):
            st, hd, body = h.api("action=watchdog")
        assert (st, body) == (200, b"ERROR:NO_WATCHDOG_ENABLED"), (v, st, body)
    assert old(t) is None


def test_no_settings_loaded_is_500():
    for alert in ("", "0"):
        settings(alert=alert, telegram="1")
        t = task("fe", "fileexists", "/", "=true", action="log,telegram")
        mark = last_log_id()
        with h.config(alter=ON):
            st, hd, body = h.api("action=watchdog")
        assert (st, body) == (500, b"ERROR:NO_SETTINGS_LOADED"), (alert, st, body)
        assert old(t) is None and logs_after(mark) == [] and queue("tlg") == {}
    h.exec("DELETE FROM ubstorage WHERE `key` LIKE 'WATCHDOG\\_%%'")  # missing key = empty
    with h.config(alter=ON):
        st, hd, body = h.api("action=watchdog")
    assert (st, body) == (500, b"ERROR:NO_SETTINGS_LOADED")
    with h.config(alter=ON):
        rc, out, err = h.cli(["watchdog"])
    assert (rc, out) == (1, b"ERROR:NO_SETTINGS_LOADED")


# ---------------------------------------------------------------- spec acceptance


def test_acceptance_httpget_log_telegram():
    settings(alert="Watchdog notifies that", telegram="111, 222")
    with Web(b"  OK\r\n") as web:
        t = task("web up", "httpget", web.url + "/", "==", "OK", "log,telegram,andresult")
        with h.config(alter=ON):
            st, hd, body = h.api("action=watchdog")
        assert (st, body) == (200, b"OK:WATCHDOG")
        assert web.hits == 1
    assert old(t) == "OK"
    ev = h.sql("SELECT event FROM weblogs WHERE event LIKE 'WATCHDOG NOTIFY%%' ORDER BY id DESC LIMIT 1",
               strings=True)
    assert ev == [("WATCHDOG NOTIFY THAT `web up OK`",)]
    files = queue("tlg")
    assert len(files) == 2, files
    assert sorted(files.values()) == [b'CHATID="111"\nMESSAGE="Watchdog notifies that web up OK"\n',
                                      b'CHATID="222"\nMESSAGE="Watchdog notifies that web up OK"\n']
    assert all(n.startswith("tlg_") for n in files)


def test_acceptance_changed_fires_once():
    settings()
    with Web(b"same") as web:
        t = task("body", "httpget", web.url + "/", "changed", "", "log,oldresult,andresult")
        reply, ev = run()
        assert reply == "OK:WATCHDOG"
        assert notified(ev) == ["body  same"]  # old NULL prints empty
        assert old(t) == "same"
        reply, ev = run()
        assert reply == "OK:WATCHDOG" and notified(ev) == []
        assert old(t) == "same"
        web.body = b"other"
        reply, ev = run()
        assert notified(ev) == ["body same other"]


def test_acceptance_maintenance():
    settings(maintenance="1", telegram="5")
    t = task("fe", "fileexists", "/", "=true", action="log,telegram", old="kept")
    reply, ev = run()
    assert reply == "OK:WATCHDOG"
    assert ev == ["WATCHDOG MAINTENANCE TASKS SKIPPED"]
    assert old(t) == "kept" and queue("tlg") == {}
    # "0" is PHP-false: not maintenance
    settings(maintenance="0")
    t = task("fe", "fileexists", "/", "=true", action="log", old="kept")
    reply, ev = run()
    assert ev == ["WATCHDOG NOTIFY THAT `fe`"] and old(t) == "true"


def test_acceptance_sms_silence():
    settings(phones="+380501111111", silence="1", telegram="7")
    t = task("fe", "fileexists", "/", "=true", action="sms,telegram")
    reply, ev = run()
    assert reply == "OK:WATCHDOG" and old(t) == "true"
    assert queue("sms") == {}
    assert queue("tlg") == {"tlg_%d_0" % NOW_TS: b'CHATID="7"\nMESSAGE="ALERT fe"\n'}


def test_acceptance_sms_noprimary():
    settings(phones="+380501111111,+380502222222")
    task("fe", "fileexists", "/", "=true", action="sms{+380500000001}noprimary")
    reply, ev = run()
    assert reply == "OK:WATCHDOG"
    name = "usms_%d_0" % NOW_TS
    assert queue("sms") == {name: b'NUMBER="+380500000001"\nMESSAGE="ALERT fe"\n'}
    assert ev == ["USMS SEND SMS FOR `+380500000001` AS `%s`  MODULE WATCHDOG" % name]


# ---------------------------------------------------------------- actions


def test_sms_primary_plus_extras_filtered():
    # no '+' -> silently not queued; the escape filter strips ~@?%/;=*><"' from number and text
    settings(alert="Alert: \"x\"=1 <b>", phones="+380501111111, 0501234567")
    task("disk/root's", "fileexists", "/", "=true",
         action="sms{+38050/3333333,,+380504444444}andresult")
    reply, ev = run()
    files = queue("sms")
    msg = b'MESSAGE="Alert: x1 b diskroots true"\n'
    assert files == {"usms_%d_0" % NOW_TS: b'NUMBER="+380501111111"\n' + msg,
                     "usms_%d_1" % NOW_TS: b'NUMBER="+380503333333"\n' + msg,
                     "usms_%d_2" % NOW_TS: b'NUMBER="+380504444444"\n' + msg}, files
    assert [e for e in ev if e.startswith("USMS")] == [
        "USMS SEND SMS FOR `+380501111111` AS `usms_%d_0`  MODULE WATCHDOG" % NOW_TS,
        "USMS SEND SMS FOR `+380503333333` AS `usms_%d_1`  MODULE WATCHDOG" % NOW_TS,
        "USMS SEND SMS FOR `+380504444444` AS `usms_%d_2`  MODULE WATCHDOG" % NOW_TS]
    # an existing name is never overwritten: the next N is taken
    reply, ev = run()
    assert len(queue("sms")) == 6 and "usms_%d_5" % NOW_TS in queue("sms")


def test_telegram_extra_chats():
    settings(telegram="1,2")
    task("a", "fileexists", "/", "=true", action="telegram(3,,4)")
    task("b", "fileexists", "/", "=true", action="telegram(9)no_tg_primary")
    reply, ev = run()
    chats = [v.split(b"\n")[0] for v in queue("tlg").values()]
    assert chats == [b'CHATID="1"', b'CHATID="2"', b'CHATID="3"', b'CHATID="4"', b'CHATID="9"'], chats
    assert queue("tlg")["tlg_%d_4" % NOW_TS] == b'CHATID="9"\nMESSAGE="ALERT b"\n'
    assert ev[-1] == "UTLG SEND MESSAGE FOR `9` AS `tlg_%d_4`  MODULE WATCHDOG" % NOW_TS
    # no primary chats configured: the extras are ignored too
    settings(telegram="")
    task("a", "fileexists", "/", "=true", action="telegram(3)")
    run()
    assert queue("tlg") == {}


def test_email_queue_and_translation():
    settings(alert="Увага", emails="noc@example.com, ,ops@example.com")
    task("fs/", "fileexists", "/", "=true", action="email,oldresult", old="was")
    reply, ev = run()
    files = queue("eml")
    assert len(files) == 2 and all(n.startswith("eml_") and len(n) == 12 for n in files), files
    bodies = sorted((json.loads(v) for v in files.values()), key=lambda b: b["email"])
    assert bodies == [{"email": "noc@example.com", "subj": "Ubilling Watchdog", "message": "Увага fs/ was " + NOW},
                      {"email": "ops@example.com", "subj": "Ubilling Watchdog", "message": "Увага fs/ was " + NOW}]
    raw = [v for v in files.values() if b"noc@" in v][0]
    assert raw == (b'{"email":"noc@example.com","subj":"Ubilling Watchdog","message":'
                   b'"\\u0423\\u0432\\u0430\\u0433\\u0430 fs\\/ was 2026-03-04 05:06:07"}')
    assert ev == ["UEML SEND EMAIL `noc@example.com` MODULE WATCHDOG", "UEML SEND EMAIL `ops@example.com` MODULE WATCHDOG"]
    # the subject word in the install's default language
    os.makedirs(os.path.join(h.root, "languages", "ukrainian"))
    os.makedirs(os.path.join(h.root, "languages", "english"))
    d.write(os.path.join(h.root, "languages", "ukrainian", "langid.txt"), "uk")
    d.write(os.path.join(h.root, "languages", "english", "langid.txt"), "en")
    d.write(os.path.join(h.root, "languages", "ukrainian", "billing.php"),
            "<?php\n$lang['def']['Watch'] = 'no';\n$lang['def']['Watchdog'] = 'Собака-спостерігака';\n")
    d.write(os.path.join(h.root, "config", "config.ini"), 'title = "Ubilling"\ndefault_lang = "uk"\n')
    for q in QDIR.values():
        shutil.rmtree(q)
        os.makedirs(q)
    run()
    subj = sorted(json.loads(v)["subj"] for v in queue("eml").values())
    assert subj == ["Ubilling Собака-спостерігака"] * 2


def test_script_check_and_script_action():
    settings()
    rec = os.path.join(TMP, "rec.sh")
    out = os.path.join(TMP, "rec.out")
    d.write(rec, '#!/bin/sh\necho "$@" >> %s\n' % out, 0o755)
    t = task("load", "script", "echo '  5 '; echo x >&2", ">", "4",
             "log,andresult,script[%s one two]" % rec)
    reply, ev = run()
    assert old(t) == "5"
    assert ev == ["WATCHDOG NOTIFY THAT `load 5`", "WATCHDOG RUN SCRIPT `%s one two`" % rec]
    assert d.read(out) == "one two\n"
    # "script" without [path] runs nothing
    settings()
    task("load", "script", "echo 5", ">", "4", "log,script")
    reply, ev = run()
    assert ev == ["WATCHDOG NOTIFY THAT `load`"] and d.read(out) == "one two\n"


# ---------------------------------------------------------------- operators


OPS = [
    # name, value printed, operator, condition, old oldresult, fires
    ("t1", "yes", "=true", "", None, True),
    ("t2", "0", "=true", "", None, False),
    ("t3", "", "=false", "", None, True),
    ("t4", "0", "=false", "", None, True),
    ("t5", "10", "==", " 1e1 ", None, True),
    ("t6", "abc", "==", "ABC", None, False),
    ("t7", "abc", "!=", "ABC", None, True),
    ("t8", "010", "!=", "10", None, False),
    ("t9", "10", ">", "9", None, True),
    ("t10", "10", ">", "9a", None, False),       # not both numeric: "10" < "9a" byte-wise
    ("t11", "abd", ">", "abc", None, True),
    ("t12", "5", "<", "5.5", None, True),
    ("t13", "5", "<", "5", None, False),
    ("t14", "5", ">=", "5.0", None, True),
    ("t15", "4", ">=", "5", None, False),
    ("t16", "5", "<=", "5", None, True),
    ("t17", "b", "<=", "a", None, False),
    ("t18", "7", "changed", "", "7", False),
    ("t19", "7", "changed", "", "7.0", False),   # numeric strings compare as numbers
    ("t20", "7", "changed", "", "8", True),
    ("t21", "7", "notchanged", "", "7", True),
    ("t22", "", "notchanged", "", None, True),   # "" == null
    ("t23", "0", "empty", "", None, True),
    ("t24", "x", "empty", "", None, False),
    ("t25", "x", "notempty", "", None, True),
    ("t26", "hello world", "like", "lo w", None, True),
    ("t27", "hello world", "like", "Lo", None, False),
    ("t28", "hello", "like", "", None, True),    # empty needle is always found
    ("t29", "hello world", "notlike", "xyz", None, True),
    ("t30", "hello", "notlike", "ell", None, False),
    ("t31", "15", "rised", "4", "10", True),
    ("t32", "14", "rised", "4", "10", False),
    ("t33", "11", "rised", "", "10", True),
    ("t34", "5", "decreased", "4", "10", True),
    ("t35", "6", "decreased", "4", "10", False),
    ("t36", "3", "decreased", "", "abc", False),  # non-numeric old counts as 0
    ("t37", "12abc", "rised", "", "11", True),    # leading number
]


def test_script_runs_as_argv_unless_shell_is_enabled():
    settings()
    t = task("argv", "script", "/bin/echo a;b $HOME", "changed", "", "log")
    reply, ev = run(shell=False)
    assert reply == "OK:WATCHDOG" and old(t) == "a;b $HOME"
    settings()
    t = task("shell", "script", "/bin/echo a;b", "changed", "", "log")
    reply, ev = run(shell=True)
    assert old(t) == "a"   # the shell ran echo, then failed to find b


def test_operators():
    settings()
    ids = {}
    for name, value, op, cond, was, _ in OPS:
        ids[name] = task(name, "script", sh(value), op, cond, "log", was)
    reply, ev = run()
    assert reply == "OK:WATCHDOG"
    fired = notified(ev)
    assert fired == [n for n, _, _, _, _, f in OPS if f], fired
    for name, value, *_ in OPS:
        assert old(ids[name]) == value, (name, old(ids[name]))


def test_boolean_checks_with_operators():
    settings()
    a = task("eq1", "fileexists", "/", "==", "1")
    b = task("eqtrue", "fileexists", "/", "==", "true")           # true is "1", never "true"
    c = task("chg", "fileexists", "/nonexistent-wd", "changed", "", "log", "false")
    e = task("nchg", "fileexists", "/nonexistent-wd", "notchanged", "", "log", "false")
    f = task("emptyfalse", "fileexists", "/nonexistent-wd", "empty")
    reply, ev = run()
    assert notified(ev) == ["eq1", "nchg", "emptyfalse"]
    assert [old(x) for x in (a, b, c, e, f)] == ["true", "true", "false", "false", "false"]


def test_unknown_operator_and_checktype():
    settings()
    marker = os.path.join(TMP, "ran")
    a = task("badop", "script", "touch " + marker + "; echo 1", "~=", "", "log", "kept")
    b = task("badcheck", "nosuchcheck", "x", "empty", "", "log", "kept2")
    c = task("off", "fileexists", "/", "=true", "", "log", "kept3", active=0)
    reply, ev = run()
    assert reply == "OK:WATCHDOG"
    assert not os.path.exists(marker)
    assert (old(a), old(b), old(c)) == ("kept", "kept2", "kept3")
    assert notified(ev) == ["badcheck"]   # a null value is empty


# ---------------------------------------------------------------- checks


def test_http_failures_are_empty():
    settings()
    port = free_port()
    with Web(b"moved here") as web:
        a = task("404", "httpget", web.url + "/missing", "empty", "", "log", "x")
        b = task("redirect", "httpget", web.url + "/moved", "==", "moved here", "log")
        c = task("refused", "httpget", "http://127.0.0.1:%d/" % port, "empty", "", "log", "x")
        e = task("scheme", "httpget", "gopher://127.0.0.1/", "empty", "", "log", "x")
        p = os.path.join(TMP, "local.txt")
        d.write(p, "  from file\n")
        f = task("file", "httpget", p, "==", "from file")
        reply, ev = run()
    assert notified(ev) == ["404", "redirect", "refused", "scheme", "file"]
    assert [old(x) for x in (a, b, c, e, f)] == ["", "moved here", "", "", "from file"]


def test_tcpping_fileexists_freediskspace():
    settings()
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    closed = free_port()
    try:
        a = task("tcp up", "tcpping", "127.0.0.1:%d" % srv.getsockname()[1], "=true")
        b = task("tcp down", "tcpping", "127.0.0.1:%d" % closed, "=false")
        c = task("file", "fileexists", TMP, "=true")
        e = task("nofile", "fileexists", os.path.join(TMP, "none"), "=true")
        f = task("disk", "freediskspace", TMP, ">", "0")
        reply, ev = run()
    finally:
        srv.close()
    st = os.statvfs(TMP)
    gib = round(st.f_bavail * st.f_frsize / 1073741824, 2)
    want = ("%.2f" % gib).rstrip("0").rstrip(".")
    assert [old(x) for x in (a, b, c, e)] == ["true", "false", "true", "false"]
    assert old(f) == want, (old(f), want)
    assert notified(ev) == ["tcp up", "tcp down", "file"] + (["disk"] if gib > 0 else [])


def test_getusertraff_and_opentickets():
    settings()
    h.exec("INSERT INTO users (login, Password, Passive, Down, AlwaysOnline, Tariff, Credit, Cash, CreditExpire, IP,"
           " Note, Userdata0, Userdata1, Userdata2, Userdata3, Userdata4, Userdata5, Userdata6, Userdata7,"
           " Userdata8, Userdata9, NAS) VALUES ('wd_u','pw',0,0,1,'x',0,0,0,'10.8.19.1',"
           "'','','','','','','','','','','','')")
    h.exec("UPDATE users SET D0=1000, U0=234 WHERE login='wd_u'")
    for to, reply_id, status in ((None, None, 0), (None, None, 0), ("adm", None, 0), (None, 5, 0), (None, None, 1)):
        h.exec("INSERT INTO ticketing (date, replyid, status, `from`, `to`, text) VALUES (NOW(), %s, %s, 'u', %s, 't')",
               (reply_id, status, to))
    a = task("traff", "getusertraff", "wd_u", "rised", "200", "log,andresult", "1000")
    b = task("notraff", "getusertraff", "wd_nobody' OR '1'='1", "empty", "", "log", "x")
    c = task("tickets", "opentickets", "any", ">=", "2", "log,andresult")
    reply, ev = run()
    assert notified(ev) == ["traff 1234", "notraff", "tickets 2"]
    assert [old(x) for x in (a, b, c)] == ["1234", "", "2"]


def test_icmp_checks():
    settings()
    a = task("lo", "icmpping", "127.0.0.1", "=true", "", "log,andresult")
    b = task("lo hope", "hopeping", "127.0.0.2", "==", "1", "log")
    c = task("dead", "icmpping", DEAD, "=false", "", "log,oldresult,andresult", "true")
    e = task("dead hope", "hopeping", DEAD, "changed", "", "log,oldresult,andresult", "true")
    f = task("bad host", "icmpping", "-c", "=false", "", "log")
    with h.config(ubapi=d.FAST_ICMP), d.drop([DEAD]):
        reply, ev = run(ubapi=d.FAST_ICMP)
    assert reply == "OK:WATCHDOG"
    assert notified(ev) == ["lo true", "lo hope", "dead true false", "dead hope true false", "bad host"]
    assert [old(x) for x in (a, b, c, e, f)] == ["true", "true", "false", "false", "false"]


def test_udpping_with_recording_nmap():
    settings()
    log = os.path.join(TMP, "nmap.log")
    sudo = os.path.join(TMP, "fakesudo")
    nmap = os.path.join(TMP, "fakenmap")
    d.write(sudo, '#!/bin/sh\necho "sudo $*" >> %s\nexec "$@"\n' % log, 0o755)
    d.write(nmap, '#!/bin/sh\necho "nmap $*" >> %s\n'
                  'case "$4" in 127.0.0.1) echo "53/udp open domain";; *) echo "53/udp closed domain";; esac\n'
                  'echo "Not shown: 999 open|filtered udp ports"\n' % log, 0o755)
    a = task("dns", "udpping", "127.0.0.1:53", "=true")
    b = task("dns2", "udpping", "127.0.0.3:53", "=true")
    c = task("noport", "udpping", "127.0.0.1:x;rm", "=false")   # never reaches the program
    reply, ev = run(alter={"NMAP_PATH": nmap + " --fake"}, billing={"SUDO": sudo})
    assert notified(ev) == ["dns", "noport"]
    assert [old(x) for x in (a, b, c)] == ["true", "false", "false"]
    # PHP's shell line, as argv: SUDO NMAP_PATH -p<port> -sU <host>
    assert d.read(log).splitlines() == [
        "sudo %s --fake -p53 -sU 127.0.0.1" % nmap, "nmap --fake -p53 -sU 127.0.0.1",
        "sudo %s --fake -p53 -sU 127.0.0.3" % nmap, "nmap --fake -p53 -sU 127.0.0.3"]


def test_snmpwalk():
    settings()
    with d.Agent([SNMP_HOST], extra="sysName wd-test-box\nsysLocation Room 1") as agent:
        ref = d.snmpwalk(SNMP_HOST, ".1.3.6.1.2.1.1.5.0").strip()
        a = task("sysname", "snmpwalk", SNMP_HOST + ":public:.1.3.6.1.2.1.1.5.0", "like", "wd-test", "log,andresult")
        b = task("wrongcomm", "snmpwalk", SNMP_HOST + ":nope:.1.3.6.1.2.1.1.6.0", "empty", "", "log", "x")
        reply, ev = run(alter={"SNMPWALK_PATH": "/usr/bin/snmpwalk -t 0.3 -r 0 -On -v2c"})
        assert agent
    assert "=" in ref and "wd-test-box" in ref, ref
    value = ref.split("=")[1]
    for t in ("STRING:",):
        value = value.replace(t, "")
    value = value.strip()
    assert old(a) == value, (old(a), value)
    assert old(b) == ""
    assert notified(ev) == ["sysname " + value, "wrongcomm"]
    for p in glob.glob(os.path.join(h.root, "exports", SNMP_HOST + "_*")):
        os.unlink(p)


def test_long_value_is_cut_to_the_column():
    settings()
    t = task("long", "script", "printf 'x%.0s' $(seq 1 300); printf 'é'", "changed", "", "log")
    reply, ev = run()
    assert reply == "OK:WATCHDOG" and old(t) == "x" * 255 and notified(ev) == ["long"]
    reply, ev = run()
    assert notified(ev) == []   # the stored text is what is compared next time


# ---------------------------------------------------------------- malformed tasks, locks


def test_malformed_tasks_are_logged_and_skipped():
    settings()
    ids = [task("tcp", "tcpping", "127.0.0.1", "=true", "", "log", "k1"),
           task("tcpport", "tcpping", "127.0.0.1:http", "=true", "", "log", "k2"),
           task("udp", "udpping", "127.0.0.1", "=true", "", "log", "k3"),
           task("snmp", "snmpwalk", "127.0.0.1:public", "=true", "", "log", "k4"),
           task("disk", "freediskspace", "tmp", "=true", "", "log", "k5"),
           task("empty", "icmpping", "", "=true", "", "log", "k6"),
           task("zero", "httpget", "0", "=true", "", "log", "k7"),
           task("punch", "onepunch", "myscript", "=true", "", "log", "k8"),
           task("noaction", "fileexists", "/", "=true", "", "", "k9"),
           task("after", "fileexists", "/", "=true", "", "log", "k10")]
    reply, ev = run()
    assert reply == "OK:WATCHDOG"
    i = ids
    assert ev == ["WATCHDOG TASK [%d] SKIPPED WRONG_FORMAT_TASK_PARAM_TCPPING" % i[0],
                  "WATCHDOG TASK [%d] SKIPPED WRONG_FORMAT_TASK_PARAM_TCPPING" % i[1],
                  "WATCHDOG TASK [%d] SKIPPED WRONG_FORMAT_TASK_PARAM_UDPPING" % i[2],
                  "WATCHDOG TASK [%d] SKIPPED WRONG_FORMAT_TASK_PARAM_SNMPWALK" % i[3],
                  "WATCHDOG TASK [%d] SKIPPED WRONG_FORMAT_TASK_PARAM_FREEDISKSPACE" % i[4],
                  "WATCHDOG TASK [%d] SKIPPED NO_REQUIRED_TASK_PARAM_ICMPPING" % i[5],
                  "WATCHDOG TASK [%d] SKIPPED NO_REQUIRED_TASK_PARAM_HTTPGET" % i[6],
                  "WATCHDOG TASK [%d] SKIPPED ONEPUNCH_NEEDS_PHP" % i[7],
                  "WATCHDOG TASK [%d] SKIPPED NO_AVAILABLE_TASK_ACTIONS" % i[8],
                  "WATCHDOG NOTIFY THAT `after`"], ev
    assert [old(x) for x in ids] == ["k%d" % n for n in range(1, 9)] + ["true", "true"]


def test_stardust_busy():
    settings(telegram="1")
    t = task("fe", "fileexists", "/", "=true", "", "log,telegram", "kept")
    other = h.db(new=True)
    with other.cursor() as c:
        c.execute("SELECT GET_LOCK('stardustPID_WATCHDOG', 0)")
        assert c.fetchone()[0] == 1
    try:
        with h.config(alter=ON):
            st, hd, body = h.api("action=watchdog")
        assert (st, body) == (200, b"OK:WATCHDOG")
        ev = h.sql("SELECT event FROM weblogs ORDER BY id DESC LIMIT 1", strings=True)[0][0]
        assert ev == "WATCHDOG ALREADY RUNNING TASKS SKIPPED"
        assert old(t) == "kept" and queue("tlg") == {}
    finally:
        other.close()
    # the lock is free again and is released after a run
    reply, ev = run()
    assert old(t) == "true"
    assert h.sql("SELECT IS_FREE_LOCK('stardustPID_WATCHDOG')")[0][0] == 1


def test_stardust_flock_force():
    settings()
    t = task("fe", "fileexists", "/", "=true", "", "log", "kept")
    path = os.path.join(h.root, "exports", "stardustPID_WATCHDOG.lock")
    with open(path, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        reply, ev = run(alter={"STARDUST_FLOCK_FORCE": "1"})
        assert (reply, ev) == ("OK:WATCHDOG", ["WATCHDOG ALREADY RUNNING TASKS SKIPPED"])
        assert old(t) == "kept"
    reply, ev = run(alter={"STARDUST_FLOCK_FORCE": "1"})
    assert ev == ["WATCHDOG NOTIFY THAT `fe`"] and old(t) == "true"
    assert d.read(path) == ""   # truncated on stop, as PHP's StarDust does
    os.unlink(path)


if __name__ == "__main__":
    h.main(globals())
