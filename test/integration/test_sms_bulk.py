"""opayzsmsnotify (spec actions-ops.md §5.17) and smszilla (§5.12): exact
queue-file bytes in content/tsms/, weblogs lines and table side effects,
"now" pinned through the CLI's UBAPI_NOW."""
import json
import os
import time

import harness as h

TSMS = os.path.join(h.root, "content", "tsms")
EXPORTS = os.path.join(h.root, "exports")
NOW = "2026-03-10 12:00:00"
LOGINS = ("smb1", "smb2", "smb3")

OPZ = {
    "OP_SMS_NOTIFY_ENABLED": "1", "SENDDOG_ENABLED": "1", "REMINDER_PREFIX": "+38",
    "OP_SMS_NOTIFY_TEXT": "Paid {ROUNDPAYMENTAMOUNT}, balance {roundbalance}, {LOGIN} till {USERONLINETODATE}"
                          " ({USERONLINELEFTDAY})",
    "SMS_SERVICES_ADVANCED_ENABLED": "0",
}
SMZ = {"SMSZILLA_ENABLED": "1", "SMS_SERVICES_ADVANCED_ENABLED": "0"}


def stamp(s):
    return int(time.mktime(time.strptime(s, "%Y-%m-%d %H:%M:%S")))


def last_log():
    return h.sql("SELECT IFNULL(MAX(id),0) FROM weblogs")[0][0]


def logs_since(i):
    return [r[0] for r in h.sql("SELECT event FROM weblogs WHERE id>%s ORDER BY id", (i,))]


def queue():
    os.makedirs(TSMS, exist_ok=True)
    out = {}
    for n in os.listdir(TSMS):
        if not n.startswith("."):
            with open(os.path.join(TSMS, n), "rb") as f:
                out[n] = f.read()
    return out


def clear_queue():
    os.makedirs(TSMS, exist_ok=True)
    for n in os.listdir(TSMS):
        if not n.startswith("."):
            os.unlink(os.path.join(TSMS, n))
    for n in os.listdir(EXPORTS):
        if n.startswith("SMZ_PREVIEW_"):
            os.unlink(os.path.join(EXPORTS, n))


def user(login, cash, tariff, mobile, passive=0):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Note,Credit,"
           "TariffChange,Userdata0,Userdata1,Userdata2,Userdata3,Userdata4,Userdata5,Userdata6,"
           "Userdata7,Userdata8,Userdata9,CreditExpire,Cash,NAS,IP) VALUES (%s,'pw',%s,0,1,%s,''"
           ",0,'','','','','','','','','','','',0,%s,'','10.0.0.9')", (login, passive, tariff, cash))
    if mobile is not None:
        h.exec("INSERT INTO phones (login, phone, mobile) VALUES (%s, '', %s)", (login, mobile))


def teardown():
    for t in ("users", "phones", "tags", "mobileext", "realname", "payments", "op_sms_notifications"):
        h.exec("DELETE FROM `%s` WHERE login IN ('smb1','smb2','smb3')" % t)
    h.exec("DELETE FROM tariffs WHERE name IN ('SmbDay','SmbBasic')")
    h.exec("DELETE FROM smz_filters WHERE name LIKE 'smbt%%'")
    h.exec("DELETE FROM smz_templates WHERE name LIKE 'smbt%%'")
    h.exec("DELETE FROM smz_excl WHERE mobile LIKE '+38050000000%%'")
    h.exec("DELETE FROM smz_nums WHERE notes LIKE 'smbt%%'")
    clear_queue()


def setup():
    teardown()
    h.exec("INSERT INTO tariffs (name, Fee, period) VALUES ('SmbDay', 10, 'day'), ('SmbBasic', 100, 'month')")
    user("smb1", "50", "SmbDay", "0500000001")
    user("smb2", "20", "SmbBasic", "0500000002")
    user("smb3", "0", "SmbBasic", None)          # no phones row


def payment(login, summ, balance, date, admin="openpayz"):
    return h.insert("INSERT INTO payments (login,date,admin,balance,summ,cashtypeid,note) VALUES"
                    " (%s,%s,%s,%s,%s,1,'OP')", (login, date, admin, balance, summ))


def cli(q, now=NOW):
    rc, out, err = h.cli([q], env={"UBAPI_NOW": now})
    assert b"Sanitizer" not in err and b"runtime error" not in err, err
    return out.decode()


def notys():
    return h.sql("SELECT payment_id, date, login, balance, summ, processed FROM op_sms_notifications"
                 " WHERE login IN ('smb1','smb2','smb3') ORDER BY id", strings=True)


def test_opayz_acceptance_and_rerun():
    setup()
    p1 = payment("smb1", "100", "50", "2026-03-10 11:58:00")
    payment("smb2", "7", "1", "2026-03-10 11:58:00", admin="admin")     # not openpayz
    p3 = payment("smb3", "5", "0", "2026-03-10 11:59:00")               # no phones: stays unprocessed
    with h.config(alter=OPZ):
        start = last_log()
        assert cli("opayzsmsnotify") == "OPAZYSMSNOTIFY: FINISHED PROCESSING"
        rows = notys()
        assert [tuple(r) for r in rows] == [
            (str(p1), "2026-03-10 11:58:00", "smb1", "150", "100", "1"),
            (str(p3), "2026-03-10 11:59:00", "smb3", "5", "5", "0")], rows
        name = "usms_%d_0" % stamp(NOW)
        # Cash 50 on a 10/day tariff: the shared days-left loop gives 6
        assert queue() == {name: b'NUMBER="+380500000001"\nMESSAGE="Paid 100, balance 150, smb1 till'
                                 b' 16.03.2026 (6)"\n'}
        logs = logs_since(start)
        assert logs == [
            "OPAYZ SMS NOTIFY: pulled 2 payment records, starting from: 2026:03:10 11:55:00",
            "USMS SEND SMS FOR `+380500000001` AS `%s`  MODULE OPENPAYZ" % name,
            "OPAYZ SMS NOTIFY: sent 1 messages"], logs
        # second run: nothing new pulled, nothing sent again
        start = last_log()
        assert cli("opayzsmsnotify") == "OPAZYSMSNOTIFY: FINISHED PROCESSING"
        assert list(queue()) == [name]
        assert logs_since(start) == []
        assert len(notys()) == 2
        # the phone appears: the waiting notice goes out on the next run
        h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('smb3', '', '+380670000003')")
        assert cli("opayzsmsnotify") == "OPAZYSMSNOTIFY: FINISHED PROCESSING"
        q = queue()
        assert q["usms_%d_1" % stamp(NOW)].startswith(b'NUMBER="+380670000003"\nMESSAGE="Paid 5, balance 5, smb3')
        assert [r[5] for r in notys()] == ["1", "1"]


def test_opayz_translit_ext_and_tag_respect():
    setup()
    h.exec("INSERT INTO mobileext (login, mobile) VALUES ('smb1', '067 111 22 33')")
    h.exec("INSERT INTO tags (tagid, login) VALUES (36, 'smb1')")
    payment("smb1", "10.555", "0", "2026-03-10 11:59:00")
    payment("smb2", "10", "0", "2026-03-10 11:59:00")      # not tagged: skipped
    cfg = dict(OPZ, OP_SMS_NOTIFY_TEXT="Оплата {ROUNDPAYMENTAMOUNT} грн", OP_SMS_NOTIFY_FORCED_TRANSLIT="1",
               OP_SMS_NOTIFY_USE_EXTMOBILES="1", MOBILES_EXT="1", OP_SMS_NOTIFY_RESPECT_REMINDER_TAGID="1",
               REMINDER_TAGID="36")
    with h.config(alter=cfg):
        assert cli("opayzsmsnotify") == "OPAZYSMSNOTIFY: FINISHED PROCESSING"
        t = stamp(NOW)
        assert queue() == {
            "usms_%d_0" % t: b'NUMBER="+380500000001"\nMESSAGE="Oplata 10.56 grn"\n',
            "usms_%d_1" % t: b'NUMBER="+380671112233"\nMESSAGE="Oplata 10.56 grn"\n'}
        assert [r[2] for r in notys()] == ["smb1"]


def test_opayz_disabled():
    setup()
    payment("smb1", "100", "50", "2026-03-10 11:58:00")
    with h.config(alter=dict(OPZ, OP_SMS_NOTIFY_ENABLED="0")):
        assert cli("opayzsmsnotify") == "OPAZYSMSNOTIFY ERROR: OPENPAZY SMS NOTIFICATION IS DISABLED"
    with h.config(alter=dict(OPZ, SENDDOG_ENABLED="")):
        st, _, body = h.api("action=opayzsmsnotify")
        assert body == b"OPAZYSMSNOTIFY ERROR: SENDDOG IS DISABLED"
    assert notys() == () or list(notys()) == []
    assert queue() == {}


def smz_setup(filters, text):
    fid = h.insert("INSERT INTO smz_filters (name, filters) VALUES ('smbt', %s)", (json.dumps(filters),))
    tid = h.insert("INSERT INTO smz_templates (name, text) VALUES ('smbt', %s)", (text,))
    return fid, tid


def test_smszilla_tariff_filter_and_exclusion():
    setup()
    user_extra = ("smb3",)
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('smb3', '', '0500000003')")
    h.exec("INSERT INTO smz_excl (mobile) VALUES ('+380500000003')")
    fid, tid = smz_setup({"newfilterdirection": "login", "newfiltername": "t", "newfiltertariff": "SmbBasic"},
                         "Hi {LOGIN} \"{cash}\"")
    with h.config(alter=SMZ):
        start = last_log()
        assert cli("smszilla&filterid=%d&templateid=%d" % (fid, tid)) == "OK:SMSZILLA"
        name = "usms_%d_0" % stamp(NOW)
        assert queue() == {name: b'NUMBER="+380500000002"\nMESSAGE="Hi smb2 `20`"\n'}, (queue(), user_extra)
        assert logs_since(start) == [
            "USMS SEND SMS FOR `+380500000002` AS `%s`  MODULE SMSZILLA" % name,
            "SMSZILLA SENDING TEMPLATE [%d] FILTER [%d] COUNT `1`" % (tid, fid)]
        with open(os.path.join(EXPORTS, "SMZ_PREVIEW_%d_%d" % (fid, tid))) as f:
            prev = json.load(f)
        assert [r[1:] for r in prev["aaData"]] == [["+380500000002", 'Hi smb2 "20"', 12, 1]]
        # translit: text transliterated, 160 chars per SMS in the preview
        clear_queue()
        h.exec("UPDATE smz_templates SET text='Привіт {LOGIN}' WHERE id=%s", (tid,))
        assert cli("smszilla&filterid=%d&templateid=%d&translit=1" % (fid, tid)) == "OK:SMSZILLA"
        assert list(queue().values()) == [b'NUMBER="+380500000002"\nMESSAGE="Pryvit smb2"\n']


def test_smszilla_numlist_and_cash_filters():
    setup()
    h.exec("INSERT INTO smz_nums (numid, mobile, notes) VALUES (9901, '500000005', 'smbt a'),"
           " (9901, '12', 'smbt bad'), (9902, '0500000006', 'smbt other')")
    fid, tid = smz_setup({"newfilterdirection": "numlist", "newfiltername": "t", "newfilternumlist": "9901",
                          "newfiltercity": "x"}, "Promo")
    f2, t2 = smz_setup({"newfilterdirection": "login", "newfiltername": "t2", "newfiltercashgreater": "30",
                        "newfilterlogin": "smb"}, "Cash {ROUNDCASH} {TARIFFPRICE}")
    with h.config(alter=SMZ):
        assert cli("smszilla&filterid=%d&templateid=%d" % (fid, tid)) == "OK:SMSZILLA"
        assert list(queue().values()) == [b'NUMBER="+380500000005"\nMESSAGE="Promo"\n']
        clear_queue()
        assert cli("smszilla&filterid=%d&templateid=%d" % (f2, t2)) == "OK:SMSZILLA"
        assert list(queue().values()) == [b'NUMBER="+380500000001"\nMESSAGE="Cash 50 10"\n']


def test_smszilla_errors():
    setup()
    fid, tid = smz_setup({"newfilterdirection": "login", "newfiltername": "t", "newfilterswitch": "5"}, "X")
    with h.config(alter=SMZ):
        assert cli("smszilla&filterid=%d" % fid) == "ERROR:NO_FILTER_OR_TEMPLATE_ID"
        st, _, body = h.api("action=smszilla&templateid=1")
        assert body == b"ERROR:NO_FILTER_OR_TEMPLATE_ID"
        assert cli("smszilla&filterid=1x&templateid=1") == "ERROR:WRONG_FILTER_OR_TEMPLATE_ID"
        assert cli("smszilla&filterid=%d&templateid=%d" % (fid, tid)) == "ERROR:SMSZILLA_UNSUPPORTED_FILTER"
        # unknown filter id: nothing to do, still OK
        assert cli("smszilla&filterid=999999&templateid=%d" % tid) == "OK:SMSZILLA"
    with h.config(alter=dict(SMZ, SMSZILLA_ENABLED="0")):
        assert cli("smszilla&filterid=%d&templateid=%d" % (fid, tid)) == "ERROR:SMSZILLA_DISABLED"
    assert queue() == {}


if __name__ == "__main__":
    h.main(globals())
