"""senddog (spec actions-ops.md §2-§6, §5.10): the queue directories the PHP
web UI fills, sent to loopback peers that record every request byte for
byte, through real nginx -> ubapi.fcgi (and the CLI where "now" matters)."""
import base64
import http.server
import json
import os
import re
import shutil
import stat
import tempfile
import threading
import time
import urllib.parse

import harness as h

QDIR = {
    "sms": os.path.join(h.root, "content", "tsms"),
    "tlg": os.path.join(h.root, "content", "telegram"),
    "eml": os.path.join(h.root, "content", "mailqueue"),
}
SDDIR = os.path.join(h.root, "config", "senddog.d")
PIDFILE = os.path.join(h.root, "exports", "senddogrunning.pid")
TSMSLOG = os.path.join(h.root, "exports", "senddog_tsmshttp.log")
TSMS_LOGIN = "tsms_" + h.SCHEMA

BASIC_INI = """[tsms]
NAME=TurboSMS
CONFIG=loadTurbosmsConfig
PUSH=turbosmsPushMessages

[tsmshttp]
NAME=TurboSMS HTTP
CONFIG=loadConfig
PUSH=pushMessages

[smsfly]
NAME=SMS-Fly
CONFIG=loadSmsflyConfig
PUSH=smsflyPushMessages

[alphasms]
NAME=AlphaSMS
CONFIG=loadAlphasmsConfig
PUSH=alphaPushMessages

[lifecell]
NAME=Lifecell
CONFIG=loadLifecellConfig
PUSH=lifecellPushMessages
"""


class Stub:
    """A loopback HTTP peer recording method, path (with query), headers
    and body of every request; answer(path) gives (status, body)."""

    def __init__(self, answer=None, delay=0.0):
        self.requests = []
        self.lock = threading.Lock()
        self.answer = answer or (lambda req: (200, b'{"ok":true}'))
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _any(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                req = {"method": self.command, "path": self.path,
                       "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                with stub.lock:
                    stub.requests.append(req)
                if delay:
                    time.sleep(delay)
                status, out = stub.answer(req)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = _any

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *a):
        self.server.shutdown()
        self.server.server_close()


# ---------------------------------------------------------------- fixtures


def clean_queues():
    for d in QDIR.values():
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        with open(os.path.join(d, ".gitignore"), "w") as f:
            f.write("*\n")
    for p in (PIDFILE, TSMSLOG):
        if os.path.exists(p):
            os.unlink(p)


def queue(kind, name, text, age=None):
    path = os.path.join(QDIR[kind], name)
    with open(path, "wb") as f:
        f.write(text.encode("utf-8") if isinstance(text, str) else text)
    if age is not None:
        t = time.time() - age
        os.utime(path, (t, t))
    return path


def listing(kind):
    return sorted(os.listdir(QDIR[kind]))


def storage_reset(**values):
    h.exec("DELETE FROM ubstorage WHERE `key` LIKE 'SENDDOG%%'")
    for k, v in values.items():
        h.exec("INSERT INTO ubstorage (`key`,`value`) VALUES (%s,%s)", (k, v))


def storage():
    return dict(h.sql("SELECT `key`,`value` FROM ubstorage WHERE `key` LIKE 'SENDDOG%%' ORDER BY id",
                      strings=True))


def senddog(query="action=senddog"):
    status, _, body = h.api(query)
    assert status == 200, status
    return body.decode("utf-8")


def senddog_cli(arg="senddog", env=None):
    """The CLI twin (in-process, so sanitizer builds check it for leaks)."""
    rc, out, err = h.cli([arg], env=env)
    assert b"Sanitizer" not in err, err.decode("utf-8", "replace")
    out = out.decode("utf-8")
    assert rc == (1 if out.startswith("ERROR") else 0), (rc, out)
    return out


def ok(sms, tlg, eml):
    return "OK:SENDDOG SMS `%d` TLG `%d` EML `%d`" % (sms, tlg, eml)


def setup():
    # history rows name the login the phone index finds: no other file's
    # phones may answer for the numbers used here
    h.exec("DELETE FROM phones WHERE login NOT LIKE 'sdh%%' AND (mobile LIKE '%%501234567%%'"
           " OR mobile LIKE '%%661234567%%' OR phone LIKE '%%501234567%%' OR phone LIKE '%%661234567%%')")
    os.makedirs(SDDIR, exist_ok=True)
    with open(os.path.join(SDDIR, "basic.ini"), "w") as f:
        f.write(BASIC_INI)
    with open(os.path.join(SDDIR, "smsflyapi2.ini"), "w") as f:
        f.write("[smsflyapi2]\nNAME=Sms-Fly-API2\nCONFIG=loadSmsflyConfig\nPUSH=smsflyPushMessages\n")
    with open(os.path.join(SDDIR, "smspilot.ini"), "w") as f:
        f.write("[smspilot]\nNAME=SMSPILOT\nCONFIG=loadSmsPilotConfig\nPUSH=smspilotPushMessages\n")


def teardown():
    shutil.rmtree(SDDIR, ignore_errors=True)
    clean_queues()
    storage_reset()
    services()
    h.exec("DELETE FROM sms_history")
    h.exec("DELETE FROM phones WHERE login LIKE 'sdh%%'")


def services(*rows):
    """sms_services rows: (id, name, url_addr, login, passwd, api_key,
    alpha_name, default_service, api_file_name)."""
    h.exec("DELETE FROM sms_services")
    for row in rows:
        h.exec("INSERT INTO sms_services (id, name, url_addr, login, passwd, api_key, alpha_name,"
               " default_service, api_file_name) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)", row)


def base_alter(**extra):
    a = {"SENDDOG_ENABLED": "1", "SENDDOG_PARALLEL_MODE": "1", "SMS_SERVICES_ADVANCED_ENABLED": "0"}
    a.update(extra)
    return a


# ---------------------------------------------------------------- gates


def test_disabled():
    clean_queues()
    queue("tlg", "tlg_1700000000_0", 'CHATID="1"\nMESSAGE="x"\n')
    with h.config(alter={"SENDDOG_ENABLED": "0"}):
        assert senddog() == "ERROR:SENDDOG_DISABLED"
    with h.config(alter={"SENDDOG_ENABLED": None}):
        assert senddog() == "ERROR:SENDDOG_DISABLED"
    assert listing("tlg") == [".gitignore", "tlg_1700000000_0"]


def test_advanced_mode_refused_or_forwarded():
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="x"\n')
    # the queue's (default) service is of a class ubapi does not send through
    services((1, "Future", "http://127.0.0.1:9/", "", "", "", "A", 1, "FutureSms"))
    with h.config(alter=base_alter(SMS_SERVICES_ADVANCED_ENABLED="1")):
        assert senddog() == "ERROR:SENDDOG_ADVANCED_NOT_SUPPORTED"
    assert not os.path.exists(PIDFILE)
    # with PHP Ubilling as the fallback, advanced mode is PHP's to run: the
    # same query goes there (the CLI adds the key) and its answer comes back
    php = Stub(answer=lambda req: (200, b"OK:SENDDOG SMS `1` TLG `0` EML `0`"))
    with php, h.config(alter=base_alter(SMS_SERVICES_ADVANCED_ENABLED="1"),
                       ubapi={"fallback": {"php_fallback_url": php.url + "/billing/"}}):
        assert senddog() == "OK:SENDDOG SMS `1` TLG `0` EML `0`"
        assert senddog_cli() == "OK:SENDDOG SMS `1` TLG `0` EML `0`"
    assert [r["path"] for r in php.requests] == [
        "/billing/?module=remoteapi&key=%s&action=senddog" % h.SERIAL,
        "/billing/?module=remoteapi&key=%s&action=senddog" % h.SERIAL]
    assert listing("sms") == [".gitignore", "usms_1700000000_0"]
    assert not os.path.exists(PIDFILE)


def test_empty_queues_and_storage_defaults():
    clean_queues()
    storage_reset()
    with h.config(alter=base_alter(TSMS_GATEWAY="127.0.0.5", TSMS_LOGIN="tl")):
        assert senddog() == ok(0, 0, 0)
    st = storage()
    assert st["SENDDOG_SMS_SERVICE"] == "tsms"
    assert st["SENDDOG_TELEGRAM_BOTTOKEN"] == "input_token_here"
    assert st["SENDDOG_TSMS_GATEWAY"] == "127.0.0.5"
    assert st["SENDDOG_TSMS_LOGIN"] == "tl"
    assert st["SENDDOG_TSMS_PASSWORD"] == ""
    assert st["SENDDOG_TSMS_SIGN"] == "Ubilling"
    assert st["SENDDOG_TSMSHTTP_GATEWAY"] == "https://api.turbosms.ua/"
    assert st["SENDDOG_TSMSHTTP_TIMEOUT"] == "0"
    assert st["SENDDOG_SMSFLY_SIGN"] == "InfoCentr"
    assert st["SENDDOG_ALPHASMS_SIGN"] == "test"
    # PHP writes lifecell's login default under a misspelled key
    assert st["SENDDOG_LIEFCELL_LOGIN"] == "yourlogin" and "SENDDOG_LIFECELL_LOGIN" not in st
    assert st["SENDDOG_SMSFLYAPI2_GATEWAY"] == "https://sms-fly.ua/api/v2/api.php"
    assert "SENDDOG_SMSPILOT_APIKEY" in st and "SENDDOG_SMSPILOT_SIGN" not in st
    # order as PHP's constructor: base service first, telegram token last
    keys = list(st)
    assert keys[0] == "SENDDOG_SMS_SERVICE" and keys[-1] == "SENDDOG_TELEGRAM_BOTTOKEN", keys
    assert not os.path.exists(PIDFILE)
    # filled keys stay as they are, "0" for the timeout included
    storage_reset(SENDDOG_TSMSHTTP_TIMEOUT="0", SENDDOG_TSMSHTTP_SIGN="Mine")
    with h.config(alter=base_alter(SENDDOG_SMS_SERVICES_ENABLED="tsmshttp")):
        assert senddog() == ok(0, 0, 0)
    st = storage()
    assert st["SENDDOG_TSMSHTTP_SIGN"] == "Mine" and st["SENDDOG_TSMSHTTP_TIMEOUT"] == "0"
    assert not any(k.startswith(("SENDDOG_TSMS_", "SENDDOG_SMSFLY", "SENDDOG_ALPHA")) for k in st), st


# ---------------------------------------------------------------- Telegram


def test_telegram_spec_example():
    clean_queues()
    storage_reset(SENDDOG_TELEGRAM_BOTTOKEN="T0K")
    queue("tlg", "tlg_1700000000_0", 'CHATID="42"\nMESSAGE="a\\r\\nb parseMode:{html}"\n')
    with Stub() as stub, h.config(alter=base_alter(TELEGRAM_API_URL=stub.url + "/bot")):
        assert senddog() == ok(0, 1, 0)
    assert len(stub.requests) == 1
    req = stub.requests[0]
    assert req["method"] == "POST"
    assert req["path"] == "/botT0K/sendMessage?parse_mode=html", req["path"]
    assert req["headers"]["content-type"] == "application/json"
    assert req["body"] == b'{"chat_id":"42","text":"a\\r\\nb "}', req["body"]
    assert json.loads(req["body"]) == {"chat_id": "42", "text": "a\r\nb "}
    assert listing("tlg") == [".gitignore"]
    assert not os.path.exists(PIDFILE)


def test_telegram_order_tokens_and_failures():
    clean_queues()
    storage_reset(SENDDOG_TELEGRAM_BOTTOKEN="DEF")
    queue("tlg", "tlg_1700000000_10", 'CHATID="1"\nMESSAGE="ten"\n')
    queue("tlg", "tlg_1700000000_9", 'CHATID="1"\nBOTTOKEN="CUSTOM"\nMESSAGE="nine"\n')
    queue("tlg", "tlg_1700000000_2", 'CHATID="-100"\nMESSAGE="Привіт / \\"q\\" \\t"\n')

    def answer(req):
        return (500, b"{}") if b"nine" in req["body"] else (200, b'{"ok":true}')

    with Stub(answer) as stub, h.config(alter=base_alter(TELEGRAM_API_URL=stub.url + "/bot")):
        assert senddog() == ok(0, 3, 0)
    paths = [r["path"] for r in stub.requests]
    assert paths == ["/botDEF/sendMessage", "/botCUSTOM/sendMessage", "/botDEF/sendMessage"], paths
    assert stub.requests[0]["body"] == (b'{"chat_id":"-100","text":"\\u041f\\u0440\\u0438\\u0432\\u0456\\u0442'
                                        b' \\/ \\"q\\" \\t"}'), stub.requests[0]["body"]
    # deleted whatever the answer, as PHP does
    assert listing("tlg") == [".gitignore"]


def test_telegram_split_4095_code_points():
    clean_queues()
    storage_reset(SENDDOG_TELEGRAM_BOTTOKEN="T")
    text = "я" * 4095 + "ж" * 4095 + "abcde"
    queue("tlg", "tlg_1700000001_0", 'CHATID="7"\nMESSAGE="%s"\n' % text)
    with Stub() as stub, h.config(alter=base_alter(TELEGRAM_API_URL=stub.url + "/bot")):
        assert senddog() == ok(0, 1, 0)
    parts = [json.loads(r["body"])["text"] for r in stub.requests]
    assert [len(p) for p in parts] == [4095, 4095, 5]
    assert parts == ["я" * 4095, "ж" * 4095, "abcde"]
    # exactly 4095 is one message
    queue("tlg", "tlg_1700000002_0", 'CHATID="7"\nMESSAGE="%s"\n' % ("ї" * 4095))
    with Stub() as stub, h.config(alter=base_alter(TELEGRAM_API_URL=stub.url + "/bot")):
        assert senddog() == ok(0, 1, 0)
    assert len(stub.requests) == 1


def test_telegram_directives():
    clean_queues()
    storage_reset(SENDDOG_TELEGRAM_BOTTOKEN="T")
    msgs = [
        "title:{Office}address:(Main st 1)sendVenue:[50.45, 30.52]",
        "editMessageText:[77@-1001]new text & more",
        "removeKeyboard:",
        "sendLocation:50.1,30.2",
        "sendPhoto:[https://x.test/p.jpg]{nice pic}",
        "pinChatMessage:[5@-9@true]",
        "unpinChatMessage:[-9]",
        "removeChatMessage:[6@-9]",
        "unbanChatMember:[11@-9]",
    ]
    for i, m in enumerate(msgs):
        queue("tlg", "tlg_1700000000_%d" % i, 'CHATID="5"\nMESSAGE="%s"\n' % m)
    with Stub() as stub, h.config(alter=base_alter(TELEGRAM_API_URL=stub.url + "/bot")):
        assert senddog_cli() == ok(0, len(msgs), 0)
    got = [(r["path"], json.loads(r["body"])) for r in stub.requests]
    assert got[0] == ("/botT/sendVenue?chat_id=5&latitude=50.45&longitude=30.52",
                      {"chat_id": "5", "text": msgs[0], "title": "Office", "address": "Main st 1"}), got[0]
    assert got[1][0] == "/botT/editMessageText?chat_id=-1001&message_id=77&text=new+text+%26+more", got[1]
    assert got[2] == ("/botT/sendMessage", {"chat_id": "5", "text": "Keyboard deleted",
                                            "reply_markup": '{"remove_keyboard":true}'}), got[2]
    assert got[3][0] == "/botT/sendLocation?chat_id=5&latitude=50.1&longitude=30.2", got[3]
    assert got[4][0] == "/botT/sendPhoto?chat_id=5&photo=https://x.test/p.jpg&caption=nice+pic", got[4]
    assert got[5][0] == "/botT/pinChatMessage?chat_id=-9&message_id=5&disable_notification=true", got[5]
    assert got[6][0] == "/botT/unpinAllChatMessages?chat_id=-9", got[6]
    assert got[7][0] == "/botT/deleteMessage?chat_id=-9&message_id=6", got[7]
    assert got[8][0] == "/botT/unbanChatMember?chat_id=-9&user_id=11", got[8]


def test_malformed_files_set_aside():
    clean_queues()
    storage_reset(SENDDOG_TELEGRAM_BOTTOKEN="T", SENDDOG_SMS_SERVICE="tsmshttp")
    queue("tlg", "tlg_1700000000_0", 'MESSAGE="no chat"\n', age=60)
    queue("tlg", "tlg_1700000000_1", 'CHATID="1"\n')  # young: maybe still being written
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\n', age=60)
    queue("sms", "usms_1700000000_1", '; nothing here\n\n', age=60)
    queue("eml", "eml_badjson1", '{"email":', age=60)
    os.symlink("/etc/passwd", os.path.join(QDIR["sms"], "usms_1700000000_2"))
    with Stub() as stub, h.config(alter=base_alter(TELEGRAM_API_URL=stub.url + "/bot")):
        storage_reset(SENDDOG_TELEGRAM_BOTTOKEN="T", SENDDOG_SMS_SERVICE="tsmshttp",
                      SENDDOG_TSMSHTTP_GATEWAY=stub.url)
        assert senddog_cli() == ok(3, 2, 1)
    assert stub.requests == []
    assert listing("tlg") == [".gitignore", ".malformed_tlg_1700000000_0", "tlg_1700000000_1"]
    assert listing("sms") == [".gitignore", ".malformed_usms_1700000000_0", ".malformed_usms_1700000000_1",
                              "usms_1700000000_2"]
    assert os.path.islink(os.path.join(QDIR["sms"], "usms_1700000000_2"))
    assert listing("eml") == [".gitignore", ".malformed_eml_badjson1"]


# ---------------------------------------------------------------- SMS


def sms_files(n0=0):
    # natsort order is 2, 9, 10; plain sorting would give 10, 2, 9
    queue("sms", "usms_1700000000_10", 'NUMBER="+380501234510"\nMESSAGE="part three"\n')
    queue("sms", "usms_1700000000_9", 'NUMBER="+380501234509"\nMESSAGE="part two"\n')
    queue("sms", "usms_1700000000_2", 'NUMBER="+380501234502"\nMESSAGE="Hi! <b>&\\"x\\""\n')


def test_tsmshttp_success_in_natsort_order():
    clean_queues()
    sms_files()
    with Stub(lambda req: (200, b'{"response_code":801,"response_status":"OK"}')) as stub, \
            h.config(alter=base_alter()):
        storage_reset(SENDDOG_SMS_SERVICE="tsmshttp", SENDDOG_TSMSHTTP_GATEWAY=stub.url,
                      SENDDOG_TSMSHTTP_APIKEY="K3Y", SENDDOG_TSMSHTTP_SIGN="My/Sign?")
        assert senddog() == ok(3, 0, 0)
    paths = [r["path"] for r in stub.requests]
    assert [r["method"] for r in stub.requests] == ["GET"] * 3
    assert paths[0] == ("/message/send.json?&token=K3Y&&recipients[0]=+380501234502&&sms[sender]=MySign"
                        "&&sms[text]=Hi%21+%3Cb%3E%26%22x%22&"), paths[0]
    assert "recipients[0]=+380501234509" in paths[1] and "part+two" in paths[1]
    assert "recipients[0]=+380501234510" in paths[2] and "part+three" in paths[2]
    assert listing("sms") == [".gitignore"]
    assert not os.path.exists(TSMSLOG)


def test_tsmshttp_failure_keeps_file():
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="hello"\n')
    with Stub(lambda req: (200, b'{"response_code":406,"response_status":"NOT_ALLOWED"}')) as stub, \
            h.config(alter=base_alter()):
        storage_reset(SENDDOG_SMS_SERVICE="tsmshttp", SENDDOG_TSMSHTTP_GATEWAY=stub.url)
        assert senddog() == ok(1, 0, 0)
        assert len(stub.requests) == 1
    assert listing("sms") == [".gitignore", "usms_1700000000_0"]
    with open(TSMSLOG) as f:
        lines = f.read().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d MESSAGE SENDING FAILED: .*406.*", lines[0]), lines


def test_sms_service_not_loaded_or_not_native():
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="hello"\n')
    with h.config(alter=base_alter(SENDDOG_SMS_SERVICES_ENABLED="tsms")):
        storage_reset(SENDDOG_SMS_SERVICE="tsmshttp")
        assert senddog() == ok(1, 0, 0)
    with h.config(alter=base_alter()):
        storage_reset(SENDDOG_SMS_SERVICE="nosuch")
        assert senddog() == ok(1, 0, 0)
    assert listing("sms") == [".gitignore", "usms_1700000000_0"]


def test_smsfly_xml_and_basic_auth():
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="a<b & \'c\'"\n')
    with Stub() as stub, h.config(alter=base_alter()):
        storage_reset(SENDDOG_SMS_SERVICE="smsfly", SENDDOG_SMSFLY_GATEWAY=stub.url + "/api.php",
                      SENDDOG_SMSFLY_LOGIN="380500000000", SENDDOG_SMSFLY_PASSWORD="pw",
                      SENDDOG_SMSFLY_SIGN="Info<Centr>")
        assert senddog() == ok(1, 0, 0)
    (req,) = stub.requests
    assert req["method"] == "POST" and req["path"] == "/api.php"
    assert req["headers"]["authorization"] == "Basic " + base64.b64encode(b"380500000000:pw").decode()
    assert req["headers"]["content-type"] == "text/xml" and req["headers"]["accept"] == "text/xml"
    body = req["body"].decode()
    m = re.fullmatch(
        r'<\?xml version="1.0" encoding="utf-8"\?>\n<request><operation>SENDSMS</operation>'
        r'\t\t<message start_time="AUTO" end_time="AUTO" lifetime="4" rate="1" desc="Ubilling_[0-9a-z]{8}"'
        r' source="InfoCentr">\n\t\t<body>a&lt;b &amp; &apos;c&apos;</body>\t\t<recipient>380501234567'
        r'</recipient></message></request>', body)
    assert m, body
    assert listing("sms") == [".gitignore"]


def test_lifecell_xml():
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+380631234567"\nMESSAGE="x&y"\n')
    with Stub() as stub, h.config(alter=base_alter()):
        storage_reset(SENDDOG_SMS_SERVICE="lifecell", SENDDOG_LIFECELL_GATEWAY=stub.url + "/ip2sms/",
                      SENDDOG_LIFECELL_LOGIN="lg", SENDDOG_LIFECELL_PASSWORD="pw", SENDDOG_LIFECELL_SIGN="Alpha")
        assert senddog() == ok(1, 0, 0)
    (req,) = stub.requests
    assert req["method"] == "POST" and req["path"] == "/ip2sms/"
    assert req["headers"]["authorization"] == "Basic " + base64.b64encode(b"lg:pw").decode()
    assert req["headers"]["content-type"] == "text/xml"
    pad = "\n" + " " * 28
    assert req["body"].decode() == ('<message><service id="single" source="Alpha"/>' + pad + "<to>380631234567</to>"
                                    + pad + '<body content-type="text/plain">x&amp;y</body></message>')
    assert listing("sms") == [".gitignore"]


def test_alphasms_form():
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="Привіт?"\n')
    with Stub() as stub, h.config(alter=base_alter()):
        storage_reset(SENDDOG_SMS_SERVICE="alphasms", SENDDOG_ALPHASMS_GATEWAY=stub.url + "/http.php",
                      SENDDOG_ALPHASMS_LOGIN="lg", SENDDOG_ALPHASMS_PASSWORD="p w",
                      SENDDOG_ALPHASMS_SIGN="My Sign", SENDDOG_ALPHASMS_APIKEY="k+y")
        assert senddog() == ok(1, 0, 0)
    (req,) = stub.requests
    assert req["method"] == "POST" and req["path"] == "/http.php"
    body = req["body"].decode()
    assert body.startswith("&from=")
    fields = [kv.split("=", 1) for kv in body[1:].split("&")]
    dec = {k: base64.b64decode(v.replace("-", "+").replace("_", "/").replace(",", "=")).decode() for k, v in fields}
    assert [k for k, _ in fields] == ["from", "to", "message", "login", "password", "key", "command"]
    assert dec == {"from": "My+Sign", "to": "0501234567", "message": "Привіт?", "login": "lg",
                   "password": "p w", "key": "k%2By", "command": "send"}, dec
    assert listing("sms") == [".gitignore"]


def test_smsflyapi2_json_and_error_weblog():
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="Тест/1"\n')
    queue("sms", "usms_1700000000_1", 'NUMBER="+380501234568"\nMESSAGE="two"\n')

    def answer(req):
        if b"two" in req["body"]:
            return 200, b'{"success":0,"error":{"code":"INSUFFICIENTFUNDS"}}'
        return 200, b'{"success":1,"data":{"messageID":"X","sms":{"status":"ACCEPTD"}}}'

    before = h.sql("SELECT COALESCE(MAX(id),0) FROM weblogs")[0][0]
    with Stub(answer) as stub, h.config(alter=base_alter()):
        storage_reset(SENDDOG_SMS_SERVICE="smsflyapi2", SENDDOG_SMSFLYAPI2_GATEWAY=stub.url + "/v2",
                      SENDDOG_SMSFLYAPI2_KEY="KEY", SENDDOG_SMSFLYAPI2_SIGN="InfoCentr")
        assert senddog_cli() == ok(2, 0, 0)
    assert len(stub.requests) == 2
    req = stub.requests[0]
    assert req["path"] == "/v2" and req["headers"]["content-type"] == "application/json"
    assert req["headers"]["accept"] == "application/json"
    assert req["body"] == ('{"action":"SENDMESSAGE","data":{"recipient":"0501234567","channels":["sms"],'
                           '"sms":{"source":"InfoCentr","text":"Тест\\/1"}},"auth":{"key":"KEY"}}').encode()
    logs = h.sql("SELECT admin, event FROM weblogs WHERE id > %s ORDER BY id", (before,))
    assert logs == [("guest", "SENDDOG SMSFLYAPI2 ERROR failed. Server answer: "
                              "Insufficient funds to send this message")], logs
    assert listing("sms") == [".gitignore"]


def test_smspilot_override_url():
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+79161234567"\nMESSAGE="a b"\n')
    with Stub(lambda req: (200, b"{}")) as stub, \
            h.config(alter=base_alter(), ubapi={"senddog": {"senddog_smspilot_url": stub.url + "/api.php"}}):
        storage_reset(SENDDOG_SMS_SERVICE="smspilot", SENDDOG_SMSPILOT_APIKEY="AK", SENDDOG_SMSPILOT_SIGN="S")
        assert senddog() == ok(1, 0, 0)
    (req,) = stub.requests
    assert req["method"] == "GET"
    assert req["path"] == "/api.php?send=a+b&to=%2B79161234567&from=S&apikey=AK&format=json", req["path"]
    assert listing("sms") == [".gitignore"]


def _tsms_db():
    c = h.db_root()
    with c.cursor() as cur:
        cur.execute("CREATE DATABASE IF NOT EXISTS users")
        cur.execute("CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY 'tpw'" % TSMS_LOGIN)
        cur.execute("CREATE USER IF NOT EXISTS '%s'@'localhost' IDENTIFIED BY 'tpw'" % TSMS_LOGIN)
        cur.execute("GRANT INSERT, SELECT ON users.* TO '%s'@'%%'" % TSMS_LOGIN)
        cur.execute("GRANT INSERT, SELECT ON users.* TO '%s'@'localhost'" % TSMS_LOGIN)
        cur.execute("DROP TABLE IF EXISTS users.`%s`" % TSMS_LOGIN)
        cur.execute("CREATE TABLE users.`%s` (id INT AUTO_INCREMENT PRIMARY KEY, number VARCHAR(32),"
                    " sign VARCHAR(32), message TEXT, wappush VARCHAR(255), send_time DATETIME)"
                    " DEFAULT CHARSET=utf8mb4" % TSMS_LOGIN)
    return c


def test_tsms_mysql_gateway():
    clean_queues()
    c = _tsms_db()
    try:
        queue("sms", "usms_1700000000_1", 'NUMBER="+380501234567"\nMESSAGE="it\'s a \\\\ back`slash; Ї"\n')
        queue("sms", "usms_1700000000_0", 'NUMBER="+380501234568"\nMESSAGE="first"\n')
        with h.config(alter=base_alter()):
            storage_reset(SENDDOG_SMS_SERVICE="tsms", SENDDOG_TSMS_GATEWAY="127.0.0.1:%d" % h.DB_PORT,
                          SENDDOG_TSMS_LOGIN=TSMS_LOGIN, SENDDOG_TSMS_PASSWORD="tpw",
                          SENDDOG_TSMS_SIGN="Ubi'lling;")
            assert senddog_cli(env={"UBAPI_NOW": "2026-03-04 05:06:07"}) == ok(2, 0, 0)
        with c.cursor() as cur:
            cur.execute("SELECT number, sign, message, wappush, CAST(send_time AS CHAR) FROM users.`%s` ORDER BY id"
                        % TSMS_LOGIN)
            rows = cur.fetchall()
        assert rows == (("+380501234568", "Ubilling", "first", "", "2026-03-04 05:06:07"),
                        ("+380501234567", "Ubilling", "it's a \\ back`slash; Ї", "", "2026-03-04 05:06:07")), rows
        assert listing("sms") == [".gitignore"]
        # a gateway that refuses the login: nothing is lost
        queue("sms", "usms_1700000001_0", 'NUMBER="+380501234567"\nMESSAGE="later"\n')
        with h.config(alter=base_alter()):
            storage_reset(SENDDOG_SMS_SERVICE="tsms", SENDDOG_TSMS_GATEWAY="127.0.0.1:%d" % h.DB_PORT,
                          SENDDOG_TSMS_LOGIN=TSMS_LOGIN, SENDDOG_TSMS_PASSWORD="wrong")
            assert senddog() == ok(1, 0, 0)
        assert listing("sms") == [".gitignore", "usms_1700000001_0"]
        assert not os.path.exists(PIDFILE)
    finally:
        with c.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS users.`%s`" % TSMS_LOGIN)
        c.close()


# ---------------------------------------------------------------- email


def test_email_through_sendmail_command():
    clean_queues()
    work = tempfile.mkdtemp(prefix="senddog-mail-")
    os.chmod(work, 0o755)
    out = os.path.join(work, "mails")
    script = os.path.join(work, "sendmail")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n{ echo \"ARGS:$*\"; cat; echo '<<END>>'; } >> '%s'\n" % out)
    os.chmod(script, 0o755)
    try:
        queue("eml", "eml_a1b2c3d4", json.dumps({"email": "user@example.test", "subj": "Рахунок",
                                                 "message": "Line 1\nLine 2 /ok"}))
        queue("eml", "eml_zzzzzzzz", '{"email":"x@example.test\\nBcc: evil@example.test","subj":"s","message":"m"}',
              age=60)
        with h.config(alter=base_alter(), ubapi={"senddog": {"senddog_sendmail": script + " -t -i"}}):
            storage_reset()
            assert senddog_cli() == ok(0, 0, 2)
        with open(out, encoding="utf-8") as f:
            mails = f.read().split("<<END>>\n")
        assert mails[-1] == "" and len(mails) == 2, mails
        text = mails[0]
        subj = base64.b64encode("Рахунок".encode()).decode()
        pattern = (r"ARGS:-t -i\nTo: user@example\.test\nSubject: =\?UTF-8\?B\?" + re.escape(subj) + r"\?=\n"
                   r"From: =\?UTF-8\?B\?VWJpbGxpbmc=\?= <user@example\.test>\nMIME-Version: 1\.0\n"
                   r"Message-ID: <[0-9a-f]{32}@Ubilling>\n"
                   r"Date: (Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
                   r" \d{4} \d\d:\d\d:\d\d GMT\n"
                   r"Content-type: text/plain; charset=UTF-8\nContent-transfer-encoding: 8bit\n"
                   r"X-Mailer: Ubilling\nX-MimeOLE: Ubilling\n\nLine 1\nLine 2 /ok\n")
        assert re.fullmatch(pattern, text), text
        assert listing("eml") == [".gitignore", ".malformed_eml_zzzzzzzz"]
        # a failing mailer: the file is still deleted (PHP semantics)
        queue("eml", "eml_q", json.dumps({"email": "a@example.test", "subj": "", "message": ""}))
        with h.config(alter=base_alter(), ubapi={"senddog": {"senddog_sendmail": "/bin/false"}}):
            assert senddog() == ok(0, 0, 1)
        assert listing("eml") == [".gitignore", ".malformed_eml_zzzzzzzz"]
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ---------------------------------------------------------------- pid file


def test_pid_file_protected_mode():
    clean_queues()
    storage_reset(SENDDOG_TELEGRAM_BOTTOKEN="T")
    queue("tlg", "tlg_1700000000_0", 'CHATID="1"\nMESSAGE="x"\n')
    with open(PIDFILE, "w") as f:
        f.write("2026-01-01 00:00:00")
    with Stub() as stub, h.config(alter=base_alter(TELEGRAM_API_URL=stub.url + "/bot")):
        assert senddog() == "WARNING:SENDDOG_ALREADY_RUNING"
        assert stub.requests == []
        assert listing("tlg") == [".gitignore", "tlg_1700000000_0"]
        assert os.path.exists(PIDFILE)
        # a leftover of a crashed run is taken over once it is old
        t = time.time() - 7200
        os.utime(PIDFILE, (t, t))
        assert senddog() == ok(0, 1, 0)
        assert len(stub.requests) == 1
    assert not os.path.exists(PIDFILE)
    # without parallel mode nothing is checked, as in PHP
    queue("tlg", "tlg_1700000000_1", 'CHATID="1"\nMESSAGE="y"\n')
    with open(PIDFILE, "w") as f:
        f.write("2026-01-01 00:00:00")
    with Stub() as stub, h.config(alter=base_alter(TELEGRAM_API_URL=stub.url + "/bot", SENDDOG_PARALLEL_MODE="0")):
        assert senddog() == ok(0, 1, 0)
        assert len(stub.requests) == 1
    assert not os.path.exists(PIDFILE)


def test_pid_file_content_while_running():
    clean_queues()
    storage_reset(SENDDOG_TELEGRAM_BOTTOKEN="T")
    for i in range(2):
        queue("tlg", "tlg_1700000000_%d" % i, 'CHATID="1"\nMESSAGE="m%d"\n' % i)
    seen = []

    def answer(req):
        with open(PIDFILE) as f:
            seen.append(f.read())
        return 200, b"{}"

    with Stub(answer, delay=0.7) as stub, h.config(alter=base_alter(TELEGRAM_API_URL=stub.url + "/bot")):
        first = []
        t = threading.Thread(target=lambda: first.append(senddog()))
        t.start()
        h.wait_until(lambda: stub.requests, timeout=10, what="first run started")
        assert senddog() == "WARNING:SENDDOG_ALREADY_RUNING"
        t.join(30)
        assert first == [ok(0, 2, 0)]
    assert len(stub.requests) == 2
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", s) for s in seen), seen
    assert not os.path.exists(PIDFILE)


def test_unprotected_overlapping_runs_send_each_file_once():
    clean_queues()
    storage_reset(SENDDOG_TELEGRAM_BOTTOKEN="T")
    for i in range(4):
        queue("tlg", "tlg_1700000000_%d" % i, 'CHATID="1"\nMESSAGE="m%d"\n' % i)
    with Stub(delay=0.3) as stub, \
            h.config(alter=base_alter(TELEGRAM_API_URL=stub.url + "/bot", SENDDOG_PARALLEL_MODE="0")):
        replies = []
        threads = [threading.Thread(target=lambda: replies.append(senddog())) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    assert replies == [ok(0, 4, 0)] * 2, replies
    texts = sorted(json.loads(r["body"])["text"] for r in stub.requests)
    assert texts == ["m0", "m1", "m2", "m3"], texts
    assert listing("tlg") == [".gitignore"]
    # both runs wrote the missing ubstorage defaults at once: one row each
    assert h.sql("SELECT `key` FROM ubstorage WHERE `key` LIKE 'SENDDOG%%' GROUP BY `key` HAVING COUNT(*) > 1") == []


# ---------------------------------------------------------------- status check


def test_chkmsgstatuses():
    clean_queues()
    queue("tlg", "tlg_1700000000_0", 'CHATID="1"\nMESSAGE="x"\n')
    with h.config(alter=base_alter(SMS_HISTORY_ON="0")):
        assert senddog("action=senddog&param=chkmsgstatuses") == "OK:SENDDOG SMS HISTORY DISABLED"
    assert not os.path.exists(PIDFILE)
    with h.config(alter=base_alter(SMS_HISTORY_ON="1")):
        assert senddog("action=senddog&param=chkmsgstatuses") == "OK:SENDDOG SMS STATUS CHECK PROCESSED"
    assert not os.path.exists(PIDFILE)
    # no sending on this path
    assert listing("tlg") == [".gitignore", "tlg_1700000000_0"]


# ---------------------------------------------------------------- advanced mode


def adv_alter(**extra):
    return base_alter(SMS_SERVICES_ADVANCED_ENABLED="1", **extra)


def weblog_mark():
    return int(h.sql("SELECT COALESCE(MAX(id),0) FROM weblogs", strings=True)[0][0])


def weblogs_since(mark):
    return [e for (e,) in h.sql("SELECT event FROM weblogs WHERE id > %s ORDER BY id", (str(mark),), strings=True)]


def history():
    return h.sql("SELECT smssrvid, login, phone, srvmsgself_id, srvmsgpack_id, date_send, date_statuschk,"
                 " delivered, no_statuschk, send_status, msg_text FROM sms_history ORDER BY id", strings=True)


def test_advanced_grouping_sends_each_message_once():
    """Spec §5.10 acceptance (5): A,A,B -> A gets 2, B gets 1 (PHP sends the
    last one through both). Plus: no SMSSRVID -> default; unknown id stays."""
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234560"\nMESSAGE="a one"\nSMSSRVID="1"\n')
    queue("sms", "usms_1700000000_1", 'NUMBER="+380501234561"\nMESSAGE="a two"\nSMSSRVID="1"\n')
    queue("sms", "usms_1700000000_2", 'NUMBER="+380501234562"\nMESSAGE="b one"\nSMSSRVID="12"\n')
    queue("sms", "usms_1700000000_3", 'NUMBER="+380501234563"\nMESSAGE="no id"\n')
    queue("sms", "usms_1700000000_4", 'NUMBER="+380501234564"\nMESSAGE="lost"\nSMSSRVID="7"\n')
    mark = weblog_mark()
    with Stub(lambda req: (200, b"{}")) as a, Stub(lambda req: (200, b"ok")) as b:
        services((1, "A", a.url + "/api.php", "la", "pa", "KEYA", "AlphaA", 1, "SmsPilot"),
                 (12, "B", b.url + "/fly", "lb", "pb", "", "Sign/B", 0, "SmsFly"))
        with h.config(alter=adv_alter()):
            assert senddog() == ok(5, 0, 0)
    # natural order of the ids: "" (default), "1" (default again), "12", "7"
    assert [r["path"] for r in a.requests] == [
        "/api.php?send=no+id&to=%2B380501234563&from=AlphaA&apikey=KEYA&format=json",
        "/api.php?send=a+one&to=%2B380501234560&from=AlphaA&apikey=KEYA&format=json",
        "/api.php?send=a+two&to=%2B380501234561&from=AlphaA&apikey=KEYA&format=json"], a.requests
    assert all(r["method"] == "GET" for r in a.requests)
    (req,) = b.requests
    assert req["method"] == "POST" and req["path"] == "/fly"
    assert req["headers"]["authorization"] == "Basic " + base64.b64encode(b"lb:pb").decode()
    assert req["headers"]["content-type"] == "text/xml"
    body = req["body"].decode()
    assert re.fullmatch(r'<\?xml version="1.0" encoding="utf-8"\?>\n<request><operation>SENDSMS</operation>'
                        r'\t\t<message start_time="AUTO" end_time="AUTO" lifetime="4" rate="1" '
                        r'desc="Ubilling_[0-9a-z]{8}" source="SignB">\n\t\t<body>b one</body>\t\t'
                        r'<recipient>380501234562</recipient></message></request>', body), body
    assert listing("sms") == [".gitignore", "usms_1700000000_4"]
    assert weblogs_since(mark) == ["SENDDOG SMS service with ID [7] does not exists"]
    # no default row: the default group stays too, logged with an empty id
    services((12, "B", "http://127.0.0.1:9/", "", "", "", "B", 0, "SmsFly"))
    queue("sms", "usms_1700000001_0", 'NUMBER="+380501234565"\nMESSAGE="x"\nSMSSRVID="0"\n')
    mark = weblog_mark()
    with h.config(alter=adv_alter()):
        assert senddog_cli() == ok(2, 0, 0)
    assert weblogs_since(mark) == ["SENDDOG SMS service with ID [] does not exists",
                                   "SENDDOG SMS service with ID [7] does not exists"]
    assert listing("sms") == [".gitignore", "usms_1700000000_4", "usms_1700000001_0"]


def test_advanced_storage_defaults():
    clean_queues()
    storage_reset()
    services()
    with h.config(alter=adv_alter()):
        assert senddog() == ok(0, 0, 0)
    st = storage()
    assert list(st) == ["SENDDOG_TELEGRAM_BOTTOKEN", "SENDDOG_PHPMAILER_DEBUG", "SENDDOG_PHPMAILER_SMTP_HOST",
                        "SENDDOG_PHPMAILER_SMTP_PORT", "SENDDOG_PHPMAILER_SMTP_SECURE",
                        "SENDDOG_PHPMAILER_SMTP_USEAUTH", "SENDDOG_PHPMAILER_SMTP_USER",
                        "SENDDOG_PHPMAILER_SMTP_PASSWD", "SENDDOG_PHPMAILER_SMTP_DEFAULTFROM",
                        "SENDDOG_PHPMAILER_ATTACHMENTS_PATH"], st
    assert st["SENDDOG_PHPMAILER_SMTP_HOST"] == "smtp.mail.server"
    assert st["SENDDOG_PHPMAILER_ATTACHMENTS_PATH"] == "exports/"


def test_advanced_unsupported_class_or_phpmailer_goes_to_php():
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="x"\nSMSSRVID="2"\n')
    php = Stub(answer=lambda req: (200, b"OK:SENDDOG SMS `1` TLG `0` EML `0`"))
    with Stub(lambda req: (200, b"{}")) as pilot, php:
        services((1, "P", pilot.url + "/p", "", "", "K", "A", 1, "SmsPilot"),
                 (2, "F", "http://127.0.0.1:9/", "", "", "", "A", 0, "FutureSms"))
        with h.config(alter=adv_alter()):
            assert senddog() == "ERROR:SENDDOG_ADVANCED_NOT_SUPPORTED"
        with h.config(alter=adv_alter(), ubapi={"fallback": {"php_fallback_url": php.url + "/b/"}}):
            assert senddog() == "OK:SENDDOG SMS `1` TLG `0` EML `0`"
        assert len(php.requests) == 1 and not pilot.requests
        assert listing("sms") == [".gitignore", "usms_1700000000_0"]
        # the unknown class's row unused by the queue: ubapi sends itself
        clean_queues()
        queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="x"\nSMSSRVID="1"\n')
        with h.config(alter=adv_alter()):
            assert senddog() == ok(1, 0, 0)
        assert len(pilot.requests) == 1 and listing("sms") == [".gitignore"]
        # the PHPMailer queue is PHP's
        with h.config(alter=adv_alter(SMS_SERVICES_ADVANCED_PHPMAILER_ON="1")):
            assert senddog() == "ERROR:SENDDOG_ADVANCED_NOT_SUPPORTED"
    assert not os.path.exists(PIDFILE)


def test_advanced_gradwell_and_history():
    clean_queues()
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('sdhuser', '', '0501234567')")
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="Привіт & bye"\nSMSSRVID="5"\n')
    queue("sms", "usms_1700000000_1", 'NUMBER="+4401234567890"\nMESSAGE="two"\nSMSSRVID="5"\n')
    queue("sms", "usms_1700000000_2", 'NUMBER="+4401234567891"\nMESSAGE="three"\nSMSSRVID="5"\n')

    def answer(req):
        if "two" in req["path"]:
            return 200, b"ERR: no credit"
        if "three" in req["path"]:
            return 200, b"what?"
        return 200, b"OK: 1 sent, id 77001 "

    mark = weblog_mark()
    with Stub(answer) as gw:
        services((5, "G", gw.url + "/sms", "", "", "AUTHK", "Orig", 1, "GradwellSms"))
        with h.config(alter=adv_alter(SMS_HISTORY_ON="1")):
            assert senddog_cli(env={"UBAPI_NOW": "2024-03-05 10:11:12"}) == ok(3, 0, 0)
    paths = [r["path"] for r in gw.requests]
    assert paths == [
        "/sms?auth=AUTHK&originator=Orig&destination=380501234567&message=%D0%9F%D1%80%D0%B8%D0%B2%D1%96%D1%82+%26+bye",
        "/sms?auth=AUTHK&originator=Orig&destination=441234567890&message=two",
        "/sms?auth=AUTHK&originator=Orig&destination=441234567891&message=three"], paths
    assert listing("sms") == [".gitignore"]
    logs = weblogs_since(mark)
    assert re.fullmatch(r"SENDDOG GRADWELLSMS sending SMS packet [0-9A-F]{32}", logs[0]), logs
    pack = logs[0].rsplit(" ", 1)[1]
    assert logs[1:] == ["SENDDOG GRADWELLSMS delivery failed with error:  ERR: no credit",
                        "SENDDOG GRADWELLSMS unknown server answer:  what?"], logs
    assert history() == [("5", "sdhuser", "+380501234567", "77001", pack, "2024-03-05 10:11:12",
                          "0000-00-00 00:00:00", "0", "0", "Message queued", "Привіт & bye")], history()
    # history off: PHP's "can't write history" line for an OK answer
    h.exec("DELETE FROM sms_history")
    queue("sms", "usms_1700000001_0", 'NUMBER="+380501234567"\nMESSAGE="again"\n')
    mark = weblog_mark()
    with Stub(answer) as gw:
        services((5, "G", gw.url + "/sms", "", "", "AUTHK", "Orig", 1, "GradwellSms"))
        with h.config(alter=adv_alter(SMS_HISTORY_ON="0")):
            assert senddog() == ok(1, 0, 0)
    assert weblogs_since(mark)[1:] == [
        "SENDDOG GRADWELLSMS message ID not found - can't write history:  OK: 1 sent, id 77001 "]
    assert history() == []


SMSCLUB_OK = (b'<?xml version="1.0" encoding="utf-8"?><response><status>OK</status><text>sent</text><ids>'
              b'<mess tel="380501234567">m-101</mess><mess tel="380661234567">m-102</mess></ids></response>')


def test_advanced_smsclubmobi_batch():
    clean_queues()
    h.exec("DELETE FROM phones WHERE login LIKE 'sdh%%'")
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="one <b>]]>"\nSMSSRVID="3"\n')
    queue("sms", "usms_1700000000_1", 'NUMBER="0661234567"\nMESSAGE="two"\nSMSSRVID="3"\n')
    mark = weblog_mark()
    with Stub(lambda req: (200, SMSCLUB_OK)) as gw:
        services((3, "C", gw.url + "/gate/", "us<er", "pw", "", "Alpha", 0, "SmsClubMobi"))
        with h.config(alter=adv_alter(SMS_HISTORY_ON="1")):
            assert senddog_cli(env={"UBAPI_NOW": "2024-03-05 10:11:12"}) == ok(2, 0, 0)
    (req,) = gw.requests
    assert req["method"] == "POST" and req["path"] == "/gate/individual.php"
    assert req["headers"]["content-type"] == "text/xml; charset=utf-8"
    assert req["headers"]["accept"] == "text/xml" and req["headers"]["cache-control"] == "no-cache"
    assert req["body"].decode() == (
        '<?xml version="1.0" encoding="utf-8"?><request_sendsms><username><![CDATA[us<er]]></username>'
        '<password><![CDATA[pw]]></password><from><![CDATA[Alpha]]></from>'
        '<to><![CDATA[380501234567]]></to><text><![CDATA[one <b>]]]]><![CDATA[>]]></text>'
        '<to><![CDATA[380661234567]]></to><text><![CDATA[two]]></text></request_sendsms>'), req["body"]
    assert listing("sms") == [".gitignore"]
    logs = weblogs_since(mark)
    assert len(logs) == 1 and re.fullmatch(r"SENDDOG SmsClubMobi packet [0-9A-F]{32} sent successfully", logs[0])
    pack = logs[0].split()[3]
    assert history() == [
        ("3", "", "+380501234567", "m-101", pack, "2024-03-05 10:11:12", "0000-00-00 00:00:00", "0", "0",
         "Message queued", "one <b>]]>"),
        ("3", "", "0661234567", "m-102", pack, "2024-03-05 10:11:12", "0000-00-00 00:00:00", "0", "0",
         "Message queued", "two")], history()
    # a refusal: every row of the batch failed, checks stopped
    h.exec("DELETE FROM sms_history")
    queue("sms", "usms_1700000001_0", 'NUMBER="+380501234567"\nMESSAGE="x"\nSMSSRVID="3"\n')
    mark = weblog_mark()
    refusal = b'<?xml version="1.0"?><response><status>ERROR</status><text>Bad login</text></response>'
    with Stub(lambda req: (200, refusal)) as gw:
        services((3, "C", gw.url + "/gate/", "u", "pw", "", "Alpha", 0, "SmsClubMobi"))
        with h.config(alter=adv_alter(SMS_HISTORY_ON="1")):
            assert senddog_cli(env={"UBAPI_NOW": "2024-03-06 00:00:01"}) == ok(1, 0, 0)
    assert weblogs_since(mark) == ["SENDDOG SmsClubMobi failed to send SMS packet. Server answer: Bad login"]
    assert history() == [("3", "", "+380501234567", "", "", "2024-03-06 00:00:01", "2024-03-06 00:00:01", "0",
                          "1", "Failed to send message: Bad login", "x")], history()
    assert listing("sms") == [".gitignore"]


def test_advanced_redsms_new_api():
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+79161234567"\nMESSAGE="Привет, мир"\nSMSSRVID="4"\n')
    with Stub(lambda req: (200, b'{"success":true}')) as gw:
        services((4, "R", gw.url + "/v1", "rlogin", "", "SECRETKEY", "RSender", 1, "RedSms"))
        with h.config(alter=adv_alter()):
            assert senddog() == ok(1, 0, 0)
    (req,) = gw.requests
    assert req["method"] == "POST" and req["headers"]["content-type"] == "application/json"
    path, query = req["path"].split("?", 1)
    assert path == "/v1/message"
    assert req["body"].decode() == query
    fields = [kv.split("=", 1) for kv in query.split("&")]
    assert [k for k, _ in fields] == ["login", "secret", "to", "from", "ts", "text"]
    f = {k: urllib.parse.unquote_plus(v) for k, v in fields}
    assert f["login"] == "rlogin" and f["to"] == "+79161234567" and f["from"] == "RSender"
    assert f["text"] == "Привет, мир" and dict(fields)["to"] == "%2B79161234567"
    assert re.fullmatch(r"0\.\d{8} \d{10}\d{1,5}", f["ts"]), f["ts"]
    import hashlib
    assert f["secret"] == hashlib.md5((f["ts"] + "SECRETKEY").encode()).hexdigest()
    assert listing("sms") == [".gitignore"]


def test_advanced_alphasms_and_smsflyapi2_variants():
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="0501234567"\nMESSAGE="a b&c"\nSMSSRVID="1"\n')
    queue("sms", "usms_1700000000_1", 'NUMBER="+380 (67) 123-45-67"\nMESSAGE="fly"\nSMSSRVID="2"\n')
    queue("sms", "usms_1700000000_2", 'NUMBER="+79161234567"\nMESSAGE="ru"\nSMSSRVID="2"\n')
    with Stub(lambda req: (200, b"")) as alpha, \
            Stub(lambda req: (200, b'{"success":1,"data":{"messageID":"X","sms":{"status":"ACCEPTD"}}}')) as fly:
        services((1, "Al", alpha.url + "/http.php", "lg", "p w", "k+y", "My Sign", 1, "AlphaSms"),
                 (2, "Fl", fly.url + "/v2", "", "", "FKEY", "FlySign", 0, "SmsFlyAPI2"))
        with h.config(alter=adv_alter()):
            assert senddog() == ok(3, 0, 0)
    (req,) = alpha.requests
    fields = [kv.split("=", 1) for kv in req["body"].decode()[1:].split("&")]
    dec = {k: base64.b64decode(v.replace("-", "+").replace("_", "/").replace(",", "=")).decode() for k, v in fields}
    assert [k for k, _ in fields] == ["from", "to", "message", "login", "password", "key", "command"]
    assert dec == {"from": "My+Sign", "to": "380501234567", "message": "a+b%26c", "login": "lg",
                   "password": "p w", "key": "k+y", "command": "send"}, dec
    assert [json.loads(r["body"])["data"]["recipient"] for r in fly.requests] == ["380671234567", False]
    assert fly.requests[0]["body"] == ('{"action":"SENDMESSAGE","data":{"recipient":"380671234567","channels":["sms"],'
                                       '"sms":{"source":"FlySign","text":"fly"}},"auth":{"key":"FKEY"}}').encode()
    assert listing("sms") == [".gitignore"]


def test_advanced_chkmsgstatuses_expiry():
    clean_queues()
    services((5, "G", "http://127.0.0.1:9/", "", "", "", "A", 1, "GradwellSms"))
    h.exec("DELETE FROM sms_history")
    for d, delivered in (("2024-02-01 10:00:00", 0), ("2024-02-27 10:00:00", 0), ("2024-01-01 10:00:00", 1)):
        h.exec("INSERT INTO sms_history (smssrvid, login, phone, srvmsgself_id, srvmsgpack_id, date_send,"
               " date_statuschk, delivered, send_status) VALUES (5,'','+1','i','p',%s,%s,%s,'Message queued')",
               (d, d, delivered))
    mark = weblog_mark()
    with h.config(alter=adv_alter(SMS_HISTORY_ON="1", SMS_CHECKSTATUS_EXPIRE_DAYS="")):
        assert senddog_cli("senddog&param=chkmsgstatuses", env={"UBAPI_NOW": "2024-03-05 10:11:12"}) == \
            "OK:SENDDOG SMS STATUS CHECK PROCESSED"
    got = [(r[5], r[8], r[9]) for r in history()]
    assert got == [("2024-02-01 10:00:00", "1", "SMS status check period expired"),
                   ("2024-02-27 10:00:00", "0", "Message queued"),
                   ("2024-01-01 10:00:00", "0", "Message queued")], got
    assert weblogs_since(mark) == ["Checking statuses for [GradwellSms] SMS service is not implemented"]
    assert not os.path.exists(PIDFILE)


# ---------------------------------------------------------------- classic batch and other gateways


class extra_service:
    """A config/senddog.d/<id>.ini for the block (setup() loads only the
    basic five, smsflyapi2 and smspilot)."""

    def __init__(self, sid):
        self.path = os.path.join(SDDIR, sid + ".ini")
        self.sid = sid

    def __enter__(self):
        with open(self.path, "w") as f:
            f.write("[%s]\nNAME=%s\nCONFIG=loadConfig\nPUSH=pushMessages\n" % (self.sid, self.sid))
        return self

    def __exit__(self, *a):
        os.unlink(self.path)


def mobipace_answer(send_reply):
    def answer(req):
        if req["path"].endswith("/authorize"):
            creds = json.loads(req["body"])
            if creds == {"Username": "mlogin", "Password": "mpass"}:
                return 200, b'{"StatusCode":101,"SessionId":"SESS-1"}'
            return 200, b'{"StatusCode":200}'
        return 200, send_reply
    return answer


def test_mobipace_batch_history_and_auth_failure():
    clean_queues()
    h.exec("DELETE FROM sms_history")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('sdhmob', '', '0501234567')")
    queue("sms", "usms_1700000000_10", 'NUMBER="+380661234567"\nMESSAGE="two/2"\n')
    queue("sms", "usms_1700000000_9", 'NUMBER="+380501234567"\nMESSAGE="Привіт <1>"\n')
    mark = weblog_mark()
    ok_reply = b'{"StatusCode":101,"MessageCount":2,"TotalPrice":0.5}'
    with Stub(mobipace_answer(ok_reply)) as gw, extra_service("mobipace"), \
            h.config(alter=base_alter(SMS_HISTORY_ON="1")):
        storage_reset(SENDDOG_SMS_SERVICE="mobipace", SENDDOG_MOBIPACE_GATEWAY=gw.url + "/v3/",
                      SENDDOG_MOBIPACE_LOGIN="mlogin", SENDDOG_MOBIPACE_PASSWORD="mpass",
                      SENDDOG_MOBIPACE_ALPHANAME="MyAlpha")
        assert senddog_cli(env={"UBAPI_NOW": "2024-03-05 10:11:12"}) == ok(2, 0, 0)
    assert [(r["method"], r["path"]) for r in gw.requests] == [("POST", "/v3/authorize"), ("POST", "/v3/Send")]
    for r in gw.requests:
        assert r["headers"]["content-type"] == "application/json; charset=utf-8"
        assert r["headers"]["cache-control"] == "no-cache"
    assert gw.requests[0]["body"] == b'{"Username":"mlogin","Password":"mpass"}'
    raw = gw.requests[1]["body"].decode()
    sent = json.loads(raw)
    refs = [m["Reference"] for m in sent["Messages"]]
    assert all(re.fullmatch(r"[0-9A-F]{32}", x) for x in refs) and refs[0] != refs[1], refs
    assert raw == ('{"SessionId":"SESS-1","Sender":"MyAlpha","Messages":['
                   '{"Recipient":"380501234567","Body":"\\u041f\\u0440\\u0438\\u0432\\u0456\\u0442 <1>",'
                   '"Reference":"%s"},{"Recipient":"380661234567","Body":"two\\/2","Reference":"%s"}]}'
                   % tuple(refs)), raw
    assert listing("sms") == [".gitignore"]
    assert weblogs_since(mark) == [
        "SENDDOG MOBIPACE sending SMS packet: SESS-1",
        "SENDDOG MOBIPACE sending SMS packet: SESS-1 successful. Packet messages count: 2. Packet price: 0.5."]
    assert history() == [
        ("0", "sdhmob", "+380501234567", refs[0], "SESS-1", "2024-03-05 10:11:12", "0000-00-00 00:00:00",
         "0", "0", "Message queued", "Привіт <1>"),
        ("0", "", "+380661234567", refs[1], "SESS-1", "2024-03-05 10:11:12", "0000-00-00 00:00:00",
         "0", "0", "Message queued", "two/2")], history()

    # a refused packet: deleted anyway, history rows failed and closed
    h.exec("DELETE FROM sms_history")
    queue("sms", "usms_1700000001_0", 'NUMBER="+380501234567"\nMESSAGE="x"\n')
    mark = weblog_mark()
    with Stub(mobipace_answer(b'{"StatusCode":300}')) as gw, extra_service("mobipace"), \
            h.config(alter=base_alter(SMS_HISTORY_ON="1")):
        storage_reset(SENDDOG_SMS_SERVICE="mobipace", SENDDOG_MOBIPACE_GATEWAY=gw.url,
                      SENDDOG_MOBIPACE_LOGIN="mlogin", SENDDOG_MOBIPACE_PASSWORD="mpass")
        assert senddog_cli(env={"UBAPI_NOW": "2024-03-06 00:00:01"}) == ok(1, 0, 0)
    assert [r["path"] for r in gw.requests] == ["/authorize", "/Send"]
    assert json.loads(gw.requests[1]["body"])["Sender"] == "Alphaname"
    assert listing("sms") == [".gitignore"]
    assert weblogs_since(mark) == [
        "SENDDOG MOBIPACE sending SMS packet: SESS-1",
        "SENDDOG MOBIPACE sending SMS packet: SESS-1FAILED. Server answer: [300] - Insufficient funds to send messages"]
    (row,) = history()
    assert row[5:] == ("2024-03-06 00:00:01", "2024-03-06 00:00:01", "0", "1",
                       "Failed to send message: [300] - Insufficient funds to send messages", "x"), row

    # authorisation refused: nothing claimed, nothing sent, no history
    h.exec("DELETE FROM sms_history")
    queue("sms", "usms_1700000002_0", 'NUMBER="+380501234567"\nMESSAGE="stay"\n')
    mark = weblog_mark()
    with Stub(mobipace_answer(b"")) as gw, extra_service("mobipace"), \
            h.config(alter=base_alter(SMS_HISTORY_ON="1")):
        storage_reset(SENDDOG_SMS_SERVICE="mobipace", SENDDOG_MOBIPACE_GATEWAY=gw.url,
                      SENDDOG_MOBIPACE_LOGIN="wrong", SENDDOG_MOBIPACE_PASSWORD="mpass")
        assert senddog() == ok(1, 0, 0)
    assert [r["path"] for r in gw.requests] == ["/authorize"]
    assert listing("sms") == [".gitignore", "usms_1700000002_0"]
    assert weblogs_since(mark) == [
        "SENDDOG MOBIPACE ERROR auth failed: [200] - Incorrect user name or password",
        "SENDDOG MOBIPACE ERROR send messages failed - empty session ID, check auth parameters"]
    assert history() == []


SKY_OK = ('<?xml version="1.0" encoding="utf-8"?><packet version="1.0"><result type="00">'
          '<message smsmsgid="PK-9"><recipients>%s</recipients></message></result></packet>')


def test_skyriver_xml_batch_and_history():
    clean_queues()
    h.exec("DELETE FROM sms_history")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('sdhsky', '', '0501234567')")
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="a<b & c"\n')
    queue("sms", "usms_1700000000_1", 'NUMBER="+380661234567"\nMESSAGE="two"\n')
    ids = []

    def answer(req):
        ids.extend(re.findall(r'<recipient id="(\d+)"', req["body"].decode()))
        recips = "".join('<recipient id="%s" smsid="S%d" />' % (x, k) for k, x in enumerate(ids))
        return 200, (SKY_OK % recips).encode()

    mark = weblog_mark()
    with Stub(answer) as gw, extra_service("skyriver"), h.config(alter=base_alter(SMS_HISTORY_ON="1")):
        storage_reset(SENDDOG_SMS_SERVICE="skyriver", SENDDOG_SKYSMS_GATEWAY=gw.url + "/api/bulk_sm",
                      SENDDOG_SKYSMS_LOGIN="sky&l", SENDDOG_SKYSMS_PASSWORD="pw")
        assert senddog_cli(env={"UBAPI_NOW": "2024-03-05 10:11:12"}) == ok(2, 0, 0)
    (req,) = gw.requests
    assert req["method"] == "POST" and req["path"] == "/api/bulk_sm"
    assert req["headers"]["content-type"] == "text/xml; charset=utf-8"
    assert req["headers"]["accept"] == "text/xml" and req["headers"]["cache-control"] == "no-cache"
    rows = [int(x) for (x,) in h.sql("SELECT id FROM sms_history ORDER BY id", strings=True)]
    assert [int(x) for x in ids] == rows and len(rows) == 2
    assert req["body"].decode() == (
        '<?xml version="1.0" encoding="utf-8"?>\n<packet version="1.0">\n<auth login="sky&amp;l" password="pw"/>\n'
        '<command name="sendmessage">\n<message id="0" type="sms">\n<data charset="lat"></data>\n<recipients>\n'
        '<recipient id="%d" address="+380501234567">a&lt;b &amp; c</recipient>'
        '<recipient id="%d" address="+380661234567">two</recipient></recipients>\n</message>\n</command>\n'
        '</packet>\n' % tuple(rows)), req["body"]
    assert listing("sms") == [".gitignore"]
    assert weblogs_since(mark) == ["SENDDOG SKYSMS packet PK-9 sent successfully"]
    assert history() == [
        ("0", "sdhsky", "+380501234567", "S0", "PK-9", "2024-03-05 10:11:12", "0000-00-00 00:00:00", "0", "0",
         "Message queued", "a<b & c"),
        ("0", "", "+380661234567", "S1", "PK-9", "2024-03-05 10:11:12", "0000-00-00 00:00:00", "0", "0",
         "Message queued", "two")], history()

    # history off: recipients numbered 1.. ; a refusal is logged, files gone anyway
    h.exec("DELETE FROM sms_history")
    queue("sms", "usms_1700000001_0", 'NUMBER="+380501234567"\nMESSAGE="x"\n')
    queue("sms", "usms_1700000001_1", 'NUMBER="+380661234567"\nMESSAGE="y"\n')
    mark = weblog_mark()
    refusal = b'<?xml version="1.0"?><packet version="1.0"><result type="05"/></packet>'
    with Stub(lambda req: (200, refusal)) as gw, extra_service("skyriver"), \
            h.config(alter=base_alter(SMS_HISTORY_ON="0")):
        storage_reset(SENDDOG_SMS_SERVICE="skyriver", SENDDOG_SKYSMS_GATEWAY=gw.url + "/b")
        assert senddog() == ok(2, 0, 0)
    body = gw.requests[0]["body"].decode()
    assert re.findall(r'<recipient id="(\d+)" address="([^"]+)">(\w)</recipient>', body) == [
        ("1", "+380501234567", "x"), ("2", "+380661234567", "y")], body
    assert '<auth login="InfoCentr" password="MySecretPassword"/>' in body
    assert listing("sms") == [".gitignore"] and history() == []
    assert weblogs_since(mark) == [
        "SENDDOG SKYSMS failed to sent SMS packet. Server answer: Login or password is incorrect"]

    # no result type: the code is 42 and the raw answer follows; history rows closed
    queue("sms", "usms_1700000002_0", 'NUMBER="+380501234567"\nMESSAGE="z"\n')
    mark = weblog_mark()
    odd = b"<packet><oops/></packet>"
    with Stub(lambda req: (200, odd)) as gw, extra_service("skyriver"), \
            h.config(alter=base_alter(SMS_HISTORY_ON="1")):
        storage_reset(SENDDOG_SMS_SERVICE="skyriver", SENDDOG_SKYSMS_GATEWAY=gw.url + "/b")
        assert senddog_cli(env={"UBAPI_NOW": "2024-03-06 00:00:01"}) == ok(1, 0, 0)
    assert weblogs_since(mark) == [
        "SENDDOG SKYSMS failed to sent SMS packet. Server answer: Error code is unknown. Servers answer:  42"
        "<packet><oops/></packet>"]
    (row,) = history()
    assert row[1:] == ("sdhsky", "+380501234567", "", "", "2024-03-06 00:00:01", "2024-03-06 00:00:01", "0", "1",
                       "Failed to send message: Error code is unknown. Servers answer:  42", "z"), row
    assert listing("sms") == [".gitignore"]


# ---------------------------------------------------------------- delivery status checks


def hist_row(srvid, selfid, pack, date_send="2024-03-04 10:00:00", delivered=0, nochk=0, status="Message queued"):
    h.exec("INSERT INTO sms_history (smssrvid, login, phone, srvmsgself_id, srvmsgpack_id, date_send,"
           " date_statuschk, delivered, no_statuschk, send_status, msg_text)"
           " VALUES (%s,'','+380501234567',%s,%s,%s,'0000-00-00 00:00:00',%s,%s,%s,'m')",
           (srvid, selfid, pack, date_send, delivered, nochk, status))


def status_rows():
    return [(r[0], r[3], r[4], r[6], r[7], r[8], r[9]) for r in history()]


NOW = "2024-03-05 10:11:12"
NEVER = "0000-00-00 00:00:00"


def chk(env_now=NOW):
    return senddog_cli("senddog&param=chkmsgstatuses", env={"UBAPI_NOW": env_now})


def mobipace_status_answer(reply):
    def answer(req):
        if req["path"].endswith("/authorize"):
            if json.loads(req["body"]) == {"Username": "mlogin", "Password": "mpass"}:
                return 200, b'{"StatusCode":101,"SessionId":"SESS-1"}'
            return 200, b'{"StatusCode":200}'
        return 200, reply
    return answer


def test_mobipace_status_check():
    clean_queues()
    h.exec("DELETE FROM sms_history")
    hist_row(0, "R1", "S")
    hist_row(0, "R2", "S")
    hist_row(0, "R1", "S")          # the same reference twice: asked once, both rows updated
    hist_row(0, "R3", "S")
    hist_row(0, "R4", "S")
    hist_row(0, "R5", "S", delivered=1, status="Delivered")   # final: never asked
    hist_row(0, "R6", "S", nochk=1, status="Failed")          # final: never asked
    reply = json.dumps({"StatusCode": 101, "MessageStatuses": [
        {"Reference": "R1", "StatusCode": 100}, {"Reference": "R2", "StatusCode": 1},
        {"Reference": "R3", "StatusCode": "101"}, {"Reference": "R4", "StatusCode": 77}]}).encode()
    mark = weblog_mark()
    with Stub(mobipace_status_answer(reply)) as gw, extra_service("mobipace"), \
            h.config(alter=base_alter(SMS_HISTORY_ON="1")):
        storage_reset(SENDDOG_SMS_SERVICE="mobipace", SENDDOG_MOBIPACE_GATEWAY=gw.url + "/v3/",
                      SENDDOG_MOBIPACE_LOGIN="mlogin", SENDDOG_MOBIPACE_PASSWORD="mpass")
        assert chk() == "OK:SENDDOG SMS STATUS CHECK PROCESSED"
    assert [(r["method"], r["path"]) for r in gw.requests] == [("POST", "/v3/authorize"), ("POST", "/v3/QueryMessages")]
    assert gw.requests[1]["headers"]["content-type"] == "application/json; charset=utf-8"
    assert gw.requests[1]["body"] == b'{"SessionId":"SESS-1","References":["R1","R2","R3","R4"]}'
    assert status_rows() == [
        ("0", "R1", "S", NOW, "1", "0", "Delivered"),
        ("0", "R2", "S", NOW, "0", "0", "Pending"),
        ("0", "R1", "S", NOW, "1", "0", "Delivered"),
        ("0", "R3", "S", NOW, "0", "1", "Undeliverable"),
        ("0", "R4", "S", NOW, "0", "1", "Sending status code is unknown:  77"),
        ("0", "R5", "S", NEVER, "1", "0", "Delivered"),
        ("0", "R6", "S", NEVER, "0", "1", "Failed")], status_rows()
    assert weblogs_since(mark) == ["SENDDOG MOBIPACE checked statuses for 4 messages."]
    assert not os.path.exists(PIDFILE)

    # the next run asks only for the one still pending; a refusal changes nothing
    before = status_rows()
    mark = weblog_mark()
    with Stub(mobipace_status_answer(b'{"StatusCode":102}')) as gw, extra_service("mobipace"), \
            h.config(alter=base_alter(SMS_HISTORY_ON="1")):
        storage_reset(SENDDOG_SMS_SERVICE="mobipace", SENDDOG_MOBIPACE_GATEWAY=gw.url,
                      SENDDOG_MOBIPACE_LOGIN="mlogin", SENDDOG_MOBIPACE_PASSWORD="mpass")
        assert chk("2024-03-06 00:00:00") == "OK:SENDDOG SMS STATUS CHECK PROCESSED"
    assert gw.requests[1]["path"] == "/QueryMessages"
    assert gw.requests[1]["body"] == b'{"SessionId":"SESS-1","References":["R2"]}'
    assert status_rows() == before
    assert len(weblogs_since(mark)) == 1 and weblogs_since(mark)[0].startswith(
        "SENDDOG MOBIPACE ERROR failed to check messages statuses. Server answer: [102] - "), weblogs_since(mark)

    # authorisation refused: no status request
    mark = weblog_mark()
    with Stub(mobipace_status_answer(b"")) as gw, extra_service("mobipace"), \
            h.config(alter=base_alter(SMS_HISTORY_ON="1")):
        storage_reset(SENDDOG_SMS_SERVICE="mobipace", SENDDOG_MOBIPACE_GATEWAY=gw.url,
                      SENDDOG_MOBIPACE_LOGIN="wrong", SENDDOG_MOBIPACE_PASSWORD="mpass")
        assert chk() == "OK:SENDDOG SMS STATUS CHECK PROCESSED"
    assert [r["path"] for r in gw.requests] == ["/authorize"]
    assert weblogs_since(mark) == [
        "SENDDOG MOBIPACE ERROR auth failed: [200] - Incorrect user name or password",
        "SENDDOG MOBIPACE ERROR check messages statuses failed - empty session ID, check auth parameters"]
    assert status_rows() == before


def sky_query(pack, login="sl", password="sp"):
    return ('<?xml version="1.0" encoding="utf-8"?>\n<packet version="1.0">\n<auth login="%s" password="%s"/>\n'
            '<command name="querymessage">\n<message smsmsgid="%s"/>\n</command>\n</packet>\n'
            % (login, password, pack)).encode()


def sky_answer(req):
    pack = re.search(r'smsmsgid="([^"]*)"', req["body"].decode()).group(1)
    recips = {
        "PK-1": '<recipient smsid="S1" status="DELIVERED"/><recipient smsid="S2" status="ENROUTE"/>',
        "PK-2": '<recipient smsid="S3" status="FAILED"/>',
        "PK-5": '<recipient smsid="S5" status="EXPIRED"/>',
        "PK-6": '<recipient smsid="S6" status="WHAT"/>',
    }.get(pack)
    if recips is None:
        return 200, b'<?xml version="1.0"?><packet version="1.0"><result type="04"/></packet>'
    return 200, (SKY_OK.replace("PK-9", pack) % recips).encode()


def test_skyriver_status_check_and_expiry():
    clean_queues()
    h.exec("DELETE FROM sms_history")
    hist_row(0, "S1", "PK-1")
    hist_row(0, "S2", "PK-1")
    hist_row(0, "S3", "PK-2")
    hist_row(0, "S4", "PK-4")
    hist_row(0, "S5", "PK-5")
    hist_row(0, "S6", "PK-6")
    hist_row(0, "", "")                                        # never sent: no packet to ask for
    hist_row(0, "S7", "PK-7", date_send="2024-02-20 10:00:00")  # 14 days: expired first, never asked
    hist_row(0, "S8", "PK-8", date_send="2024-02-20 10:00:00", delivered=1, status="Delivered")
    mark = weblog_mark()
    with Stub(sky_answer) as gw, extra_service("skyriver"), \
            h.config(alter=base_alter(SMS_HISTORY_ON="1", SMS_CHECKSTATUS_EXPIRE_DAYS="10")):
        storage_reset(SENDDOG_SMS_SERVICE="skyriver", SENDDOG_SKYSMS_GATEWAY=gw.url + "/api/bulk_sm",
                      SENDDOG_SKYSMS_LOGIN="sl", SENDDOG_SKYSMS_PASSWORD="sp")
        assert chk() == "OK:SENDDOG SMS STATUS CHECK PROCESSED"
    assert [r["body"] for r in gw.requests] == [sky_query(p) for p in ("PK-1", "PK-2", "PK-4", "PK-5", "PK-6")]
    for r in gw.requests:
        assert r["method"] == "POST" and r["path"] == "/api/bulk_sm"
        assert r["headers"]["content-type"] == "text/xml; charset=utf-8"
    exp = "SMS status check period expired"
    assert status_rows() == [
        ("0", "S1", "PK-1", NOW, "1", "0", "Message is delivered to recipient"),
        ("0", "S2", "PK-1", NOW, "0", "0", "Message is sent but not yet delivered to recipient"),
        ("0", "S3", "PK-2", NOW, "0", "1", "Failed to send message"),
        ("0", "S4", "PK-4", NEVER, "0", "0", "Message queued"),
        ("0", "S5", "PK-5", NOW, "0", "1", "Failed to deliver message - delivery term is expired"),
        ("0", "S6", "PK-6", NOW, "0", "1", "Sending status code is unknown:  WHAT"),
        ("0", "", "", NEVER, "0", "0", "Message queued"),
        ("0", "S7", "PK-7", NEVER, "0", "1", exp),
        # PHP's classic expiry does not spare delivered rows
        ("0", "S8", "PK-8", NEVER, "1", "1", exp)], status_rows()
    assert weblogs_since(mark) == [
        "SENDDOG SKYSMS checked SMS packet PK-1 send status",
        "SENDDOG SKYSMS checked SMS packet PK-2 send status",
        "SENDDOG SKYSMS failed to get SMS packet PK-4 send status. Server answer: Authorization procedure error",
        "SENDDOG SKYSMS checked SMS packet PK-5 send status",
        "SENDDOG SKYSMS checked SMS packet PK-6 send status"]


def fly_status_answer(req):
    mid = json.loads(req["body"])["data"]["messageID"]
    st = {"M1": "DELIVRD", "M2": "PENDING", "M3": "UNDELIV"}.get(mid)
    if st is None:
        return 200, b'{"success":0,"error":{"code":"ERROR"}}'
    return 200, json.dumps({"success": 1, "data": {"messageID": mid, "sms": {"status": st}}}).encode()


def test_smsflyapi2_status_check():
    clean_queues()
    h.exec("DELETE FROM sms_history")
    for mid in ("M1", "M2", "M3", "M4"):
        hist_row(0, mid, "")
    hist_row(0, "M5", "", nochk=1, status="Failed")
    mark = weblog_mark()
    with Stub(fly_status_answer) as gw, h.config(alter=base_alter(SMS_HISTORY_ON="1")):
        storage_reset(SENDDOG_SMS_SERVICE="smsflyapi2", SENDDOG_SMSFLYAPI2_GATEWAY=gw.url + "/v2",
                      SENDDOG_SMSFLYAPI2_KEY="KEY")
        assert chk() == "OK:SENDDOG SMS STATUS CHECK PROCESSED"
    assert [(r["method"], r["path"]) for r in gw.requests] == [("POST", "/v2")] * 4
    assert [r["body"] for r in gw.requests] == [
        ('{"action":"GETMESSAGESTATUS","data":{"messageID":"%s"},"auth":{"key":"KEY"}}' % m).encode()
        for m in ("M1", "M2", "M3", "M4")]
    assert gw.requests[0]["headers"]["content-type"] == "application/json"
    assert status_rows() == [
        ("0", "M1", "", NOW, "1", "1", "Message delivered"),
        ("0", "M2", "", NOW, "0", "0", "message in queue for sending"),
        ("0", "M3", "", NOW, "0", "1", "Message not delivered"),
        ("0", "M4", "", NEVER, "0", "0", "Message queued"),
        ("0", "M5", "", NEVER, "0", "1", "Failed")], status_rows()
    assert weblogs_since(mark) == ["SENDDOG SMSFLYAPI2 ERROR failed. Server answer: Message sending error"]


def test_advanced_status_check_native_per_service():
    """Advanced mode: each sms_services row's class checks its own rows
    (the default one also smssrvid 0); nothing goes to PHP."""
    clean_queues()
    h.exec("DELETE FROM sms_history")
    hist_row(0, "R1", "SESS")
    hist_row(3, "R2", "SESS")
    hist_row(4, "S1", "PK-1")
    hist_row(4, "S2", "PK-1")
    hist_row(6, "M1", "")
    hist_row(6, "M2", "")
    hist_row(6, "M9", "", date_send="2024-02-01 10:00:00")    # expired before the groups run
    hist_row(8, "X1", "")                                      # a class without a status routine
    php = Stub(answer=lambda req: (200, b"OK:PHP"))
    mob_reply = b'{"StatusCode":101,"MessageStatuses":[{"Reference":"R1","StatusCode":3},' \
                b'{"Reference":"R2","StatusCode":100}]}'
    mark = weblog_mark()
    with Stub(mobipace_status_answer(mob_reply)) as mob, Stub(sky_answer) as sky, \
            Stub(fly_status_answer) as fly, php:
        services((3, "M", mob.url + "/v3/", "mlogin", "mpass", "", "A", 1, "Mobipace"),
                 (4, "S", sky.url + "/sky", "sl", "sp", "", "A", 0, "SkySms"),
                 (6, "F", fly.url + "/fly", "", "", "FK", "A", 0, "SmsFlyAPI2"),
                 (8, "P", "http://127.0.0.1:9/", "", "", "", "A", 0, "SmsPilot"))
        with h.config(alter=adv_alter(SMS_HISTORY_ON="1", SMS_CHECKSTATUS_EXPIRE_DAYS="7"),
                      ubapi={"fallback": {"php_fallback_url": php.url + "/b/"}}):
            assert chk() == "OK:SENDDOG SMS STATUS CHECK PROCESSED"
    assert php.requests == []
    assert [r["path"] for r in mob.requests] == ["/v3/authorize", "/v3/QueryMessages"], mob.requests
    assert mob.requests[1]["body"] == b'{"SessionId":"SESS-1","References":["R1","R2"]}'
    assert [r["body"] for r in sky.requests] == [sky_query("PK-1")]
    assert [r["body"] for r in fly.requests] == [
        ('{"action":"GETMESSAGESTATUS","data":{"messageID":"%s"},"auth":{"key":"FK"}}' % m).encode()
        for m in ("M1", "M2")]
    assert status_rows() == [
        ("0", "R1", "SESS", NOW, "0", "0", "Sent"),
        ("3", "R2", "SESS", NOW, "1", "0", "Delivered"),
        ("4", "S1", "PK-1", NOW, "1", "0", "Message is delivered to recipient"),
        ("4", "S2", "PK-1", NOW, "0", "0", "Message is sent but not yet delivered to recipient"),
        ("6", "M1", "", NOW, "1", "1", "Message delivered"),
        ("6", "M2", "", NOW, "0", "0", "message in queue for sending"),
        ("6", "M9", "", NEVER, "0", "1", "SMS status check period expired"),
        ("8", "X1", "", NEVER, "0", "0", "Message queued")], status_rows()
    assert weblogs_since(mark) == [
        "SENDDOG MOBIPACE checked statuses for 2 messages.",
        "SENDDOG SKYSMS checking SMS packet PK-1 send status",
        "Checking statuses for [SmsPilot] SMS service is not implemented"]
    # a class PHP checks but ubapi cannot (SmsClubMobi) still goes to PHP
    hist_row(9, "C1", "")
    php = Stub(answer=lambda req: (200, b"OK:PHP"))
    with php:
        services((9, "C", "http://127.0.0.1:9/", "", "", "", "A", 1, "SmsClubMobi"))
        with h.config(alter=adv_alter(SMS_HISTORY_ON="1"), ubapi={"fallback": {"php_fallback_url": php.url + "/b/"}}):
            assert senddog("action=senddog&param=chkmsgstatuses") == "OK:PHP"
    assert len(php.requests) == 1


NOTIFLOG = os.path.join(h.root, "exports", "senddog_notificoresms.log")


def test_notificoresms_put_keep_on_failure_and_log():
    clean_queues()
    if os.path.exists(NOTIFLOG):
        os.unlink(NOTIFLOG)
    queue("sms", "usms_1700000000_0", 'NUMBER="+380501234567"\nMESSAGE="Тест/1"\n')
    queue("sms", "usms_1700000000_1", 'NUMBER="+380661234567"\nMESSAGE="bad"\n')
    queue("sms", "usms_1700000000_2", 'NUMBER="+380661234568"\nMESSAGE="0"\n')

    def answer(req):
        if b"bad" in req["body"]:
            return 200, b'{"result":{"error":1,"errorDescription":"No money"}}'
        return 200, b'{"result":{"error":0,"id":"777","price":0.5}}'

    try:
        with Stub(answer) as gw, extra_service("notificoresms"), \
                h.config(alter=base_alter(), ubapi={"senddog": {"senddog_notificore_url": gw.url + "/v1.0/"}}):
            storage_reset(SENDDOG_SMS_SERVICE="notificoresms", SENDDOG_NOTIFICORE_APIKEY="NK",
                          SENDDOG_NOTIFICORE_SIGN="My'Sign")
            assert senddog_cli(env={"UBAPI_NOW": "2024-03-05 10:11:12"}) == ok(3, 0, 0)
        assert [(r["method"], r["path"]) for r in gw.requests] == [("PUT", "/v1.0/sms/create")] * 2
        req = gw.requests[0]
        assert req["headers"]["x-api-key"] == "NK"
        assert req["headers"]["x-api-source"] == "Notificore PHP Library"
        assert req["headers"]["content-type"] == "text/json; charset=utf-8"
        raw = req["body"].decode()
        m = re.fullmatch(r'\{"destination":"phone","msisdn":"\+380501234567","originator":"MySign",'
                         r'"body":"\\u0422\\u0435\\u0441\\u0442\\/1","reference":"ubsms(\d+)","validity":72\}', raw)
        assert m, raw
        now = int(time.time())
        ref = m.group(1)
        assert abs(int(ref[:10]) - now) < 60 and ref[10:20] == ref[:10], ref
        # the confirmed one is gone; the refused one and the "0" text (never sent) stay
        assert listing("sms") == [".gitignore", "usms_1700000000_1", "usms_1700000000_2"]
        with open(NOTIFLOG) as f:
            log = f.read()
        assert log == (
            "2024-03-05 10:11:12 MESSAGE SENDING SUCCESS: Array\n(\n    [result] => Array\n        (\n"
            "            [error] => 0\n            [id] => 777\n            [price] => 0.5\n        )\n\n)\n\n"
            "2024-03-05 10:11:12 MESSAGE SENDING FAILED: Array\n(\n    [result] => Array\n        (\n"
            "            [error] => 1\n            [errorDescription] => No money\n        )\n\n)\n\n"), log
        # a dead gateway: kept, the library's error array logged
        os.unlink(NOTIFLOG)
        clean_queues()
        queue("sms", "usms_1700000001_0", 'NUMBER="+380501234567"\nMESSAGE="x"\n')
        with extra_service("notificoresms"), h.config(
                alter=base_alter(), ubapi={"senddog": {"senddog_notificore_url": "http://127.0.0.1:9/"}}):
            assert senddog_cli(env={"UBAPI_NOW": "2024-03-05 10:11:12"}) == ok(1, 0, 0)
        assert listing("sms") == [".gitignore", "usms_1700000001_0"]
        with open(NOTIFLOG) as f:
            log = f.read()
        assert log.startswith("2024-03-05 10:11:12 Array\n(\n    [error] => Request failed (code: 0): "), log
    finally:
        if os.path.exists(NOTIFLOG):
            os.unlink(NOTIFLOG)



def test_redsms_timestamp_and_md5_signature():
    import hashlib
    clean_queues()
    queue("sms", "usms_1700000000_0", 'NUMBER="+79161234567"\nMESSAGE="Привет & co"\n')
    queue("sms", "usms_1700000000_1", 'NUMBER="+79161234568"\nMESSAGE="two"\n')

    def answer(req):
        if req["path"] == "/get/timestamp.php":
            return 200, b"1700000123\n"
        return 200, b"<error>whatever</error>"

    with Stub(answer) as gw, extra_service("redsms"), \
            h.config(alter=base_alter(),
                     ubapi={"senddog": {"senddog_redsms_timestamp_url": gw.url + "/get/timestamp.php"}}):
        storage_reset(SENDDOG_SMS_SERVICE="redsms", SENDDOG_REDSMS_GATEWAY=gw.url + "/get/send.php",
                      SENDDOG_REDSMS_LOGIN="rl", SENDDOG_REDSMS_APIKEY="AK", SENDDOG_REDSMS_SIGN="RS")
        assert senddog() == ok(2, 0, 0)
    assert [r["method"] for r in gw.requests] == ["GET"] * 3
    paths = [r["path"] for r in gw.requests]
    assert paths[0] == "/get/timestamp.php"
    sig = hashlib.md5(("rl79161234567xmlRSПривет & co1700000123AK").encode()).hexdigest()
    assert paths[1] == ("/get/send.php?login=rl&signature=%s&phone=79161234567&sender=RS&return=xml"
                        "&timestamp=1700000123&text=%%D0%%9F%%D1%%80%%D0%%B8%%D0%%B2%%D0%%B5%%D1%%82+%%26+co" % sig), paths
    sig2 = hashlib.md5(b"rl79161234568xmlRStwo1700000123AK").hexdigest()
    assert paths[2] == ("/get/send.php?login=rl&signature=%s&phone=79161234568&sender=RS&return=xml"
                        "&timestamp=1700000123&text=two" % sig2), paths
    # deleted whatever the gateway says
    assert listing("sms") == [".gitignore"]


def test_bulksms_get_and_configurable_pause():
    clean_queues()
    debuglog = os.path.join(h.root, "exports", "bulksmsdebug.log")
    if os.path.exists(debuglog):
        os.unlink(debuglog)
    queue("sms", "usms_1700000000_0", 'NUMBER="+37369123456"\nMESSAGE="a b/c"\n')
    queue("sms", "usms_1700000000_1", 'NUMBER="+37369123457"\nMESSAGE="two"\n')
    queue("sms", "usms_1700000000_2", 'NUMBER=""\nMESSAGE="no number"\n')
    try:
        with Stub(lambda req: (200, b"<string>OK</string>")) as gw, extra_service("bulksms"), \
                h.config(alter=base_alter(SENDDOG_BULKSMS_DEBUG="1"),
                         ubapi={"senddog": {"senddog_bulksms_sleep_ms": "300"}}):
            storage_reset(SENDDOG_SMS_SERVICE="bulksms", SENDDOG_BULKSMS_GATEWAY=gw.url,
                          SENDDOG_BULKSMS_LOGIN="bl", SENDDOG_BULKSMS_PASSWORD="bp", SENDDOG_BULKSMS_SIGN="BS")
            t0 = time.time()
            assert senddog_cli(env={"UBAPI_NOW": "2024-03-05 10:11:12"}) == ok(3, 0, 0)
            took = time.time() - t0
        # one pause of 0.3 s between the two sends, not SENDDOG_BULKSMS_TIMEOUT's 7 s
        assert 0.3 <= took < 3, took
        paths = [r["path"] for r in gw.requests]
        assert paths == [
            "/UnifunBulkSMSAPI.asmx/SendSMSSimple?&username=bl&&password=bp&&from=BS&&to=37369123456&&text=a+b%2Fc&",
            "/UnifunBulkSMSAPI.asmx/SendSMSSimple?&username=bl&&password=bp&&from=BS&&to=37369123457&&text=two&"], paths
        assert storage()["SENDDOG_BULKSMS_TIMEOUT"] == "7"
        # the empty number is never sent and stays
        assert listing("sms") == [".gitignore", "usms_1700000000_2"]
        with open(debuglog) as f:
            log = f.read()
        assert log.count("2024-03-05 10:11:12\n===============\n<string>OK</string>\nHTTP Code: 200\n") == 2, log
    finally:
        if os.path.exists(debuglog):
            os.unlink(debuglog)


if __name__ == "__main__":
    h.main(globals())
