"""Freezing: autofreeze, autofreezemonth, freezemonth, freezedayscharge
(spec/actions-accounts.md §2.5-2.8) on both billing backends (direct SQL and
the loopback Stargazer peer), with dryrun=1 reports, param checks that
change nothing, and dates pinned by UBAPI_NOW through the CLI."""
import harness as h
import test_charges as tc

TABLES = tc.TABLES


def passive_changes(peer, want):
    """want: {login: "1"|"0"} for every user whose Passive was set."""
    if peer is None:
        return
    got = [x for x in peer.setuser_log()]
    assert got == [tc.setuser(l, "passive", "value", v) for l, v in want], got


def passive_of(login):
    return h.sql("SELECT CAST(Passive AS CHAR) FROM users WHERE login=%s", (login,), strings=True)[0][0]


AF_USERS = [dict(login="u1", cash="-30"), dict(login="u2", cash="-30", credit="10"),
            dict(login="u3", cash="5"), dict(login="u4", cash="-30", passive=1),
            dict(login="u5", cash="-20", down=1)]


# ---------------------------------------------------------------- autofreeze


def test_autofreeze_acceptance_both_backends():
    def body(peer):
        assert tc.call("action=autofreeze") == "OK:AUTOFREEZE"
        assert tc.events() == ["AUTOFREEZE (u1) ON BALANCE -30", "AUTOFREEZE (u5) ON BALANCE -20",
                               "AUTOFREEZE DONE COUNT `2`"]
        passive_changes(peer, [("u1", "1"), ("u5", "1")])
        if peer is None:
            assert [passive_of(u) for u in ("u1", "u2", "u3", "u4", "u5")] == ["1", "0", "0", "1", "1"]
        # now nobody is left under the limit
        h.exec("DELETE FROM weblogs")
        if peer is None:
            assert tc.call("action=autofreeze") == "OK:NO_USERS_TO_AUTOFREEZE"
            assert tc.events() == []
    tc.on_backends(AF_USERS, body, alter={"AUTOFREEZE_CASH_LIMIT": "-20"})


def test_autofreeze_nocredit_skips_self_credit_this_month():
    def body(peer):
        h.exec("INSERT INTO zbssclog (date,login) VALUES ('2024-05-02 10:00:00','u1'),"
               "('2024-04-30 10:00:00','u5')")
        out = tc.cli("autofreeze&param=nocredit", now="2024-05-31 23:00:00")
        assert out == "OK:AUTOFREEZE", out
        assert tc.events() == ["AUTOFREEZE (u1) ON BALANCE -30 SKIP BY ZBSSC",
                               "AUTOFREEZE (u5) ON BALANCE -20", "AUTOFREEZE DONE COUNT `1`"]
        passive_changes(peer, [("u5", "1")])
    tc.on_backends(AF_USERS, body, alter={"AUTOFREEZE_CASH_LIMIT": "-20"})


def test_autofreeze_config_param_and_dryrun():
    tc.reset()
    for u in AF_USERS:
        tc.make_user(**u)
    with h.config(billing=tc.DIRECT):
        snap = h.snapshot(TABLES)
        with h.config(alter={"AUTOFREEZE_CASH_LIMIT": None}):
            assert tc.call("action=autofreeze") == "ERROR:NO_AUTOFREEZE_CASH_LIMIT"
            assert tc.call("action=autofreezemonth") == "ERROR:NO_AUTOFREEZE_CASH_LIMIT"
        with h.config(alter={"AUTOFREEZE_CASH_LIMIT": "abc' OR 1=1"}):
            assert tc.call("action=autofreeze") == "ERROR:NO_AUTOFREEZE_CASH_LIMIT"
        with h.config(alter={"AUTOFREEZE_CASH_LIMIT": "-20"}):
            assert tc.call("action=autofreeze&param=credit") == "ERROR:WRONG_PARAM"
            assert tc.call("action=autofreeze&dryrun=x") == "ERROR:WRONG_DRYRUN"
            out = tc.call("action=autofreeze&dryrun=1")
            assert out == "u1\tpassive=1\t-30\tusers\nu5\tpassive=1\t-20\tusers\nOK:AUTOFREEZE", out
        h.assert_unchanged(snap)
        # an empty limit is Ubilling's '' (0 to MySQL)
        with h.config(alter={"AUTOFREEZE_CASH_LIMIT": ""}):
            assert tc.call("action=autofreeze") == "OK:AUTOFREEZE"
        assert tc.events()[-1] == "AUTOFREEZE DONE COUNT `2`"


# ---------------------------------------------------------------- autofreezemonth


def test_autofreezemonth_acceptance_both_backends():
    users = [dict(login="u1", cash="-200", tariff="T100"), dict(login="u2", cash="-199.99", tariff="T100"),
             dict(login="u3", cash="-500", tariff="Free"), dict(login="u4", cash="-500", tariff="Gone"),
             dict(login="u5", cash="-500", tariff="Neg")]

    def body(peer):
        tc.make_tariff("T100", 100)
        tc.make_tariff("Free", 0)
        tc.make_tariff("Neg", -5)
        assert tc.call("action=autofreezemonth") == "OK:AUTOFREEZE"
        assert tc.events() == ["AUTOFREEZE (u1) ON BALANCE -200", "AUTOFREEZE DONE COUNT `1`"]
        passive_changes(peer, [("u1", "1")])
        if peer is None:
            assert passive_of("u1") == "1" and passive_of("u2") == "0"
    tc.on_backends(users, body, alter={"AUTOFREEZE_CASH_LIMIT": "-2"})


def test_autofreezemonth_no_candidates_and_nocredit():
    tc.reset()
    with h.config(billing=tc.DIRECT, alter={"AUTOFREEZE_CASH_LIMIT": "2"}):
        assert tc.call("action=autofreezemonth") == "OK:NO_USERS_TO_AUTOFREEZE"
        tc.make_tariff("T100", 100)
        tc.make_user("u1", cash="-250", tariff="T100")
        h.exec("INSERT INTO zbssclog (date,login) VALUES ('2024-12-01 00:00:00','u1')")
        assert tc.cli("autofreezemonth&param=nocredit", now="2024-12-31 23:59:59") == "OK:AUTOFREEZE"
        assert tc.events() == ["AUTOFREEZE (u1) ON BALANCE -250 SKIP BY ZBSSC", "AUTOFREEZE DONE COUNT `0`"]
        # next year: last December's self-credit no longer counts
        assert tc.cli("autofreezemonth&param=nocredit", now="2025-01-01 00:00:00") == "OK:AUTOFREEZE"
        assert passive_of("u1") == "1"


# ---------------------------------------------------------------- freezemonth


def test_freezemonth_acceptance_both_backends():
    def body(peer):
        assert tc.call("action=freezemonth") == "OK:FREEZEMONTH"
        assert tc.payments() == [("u1", "5", "-20", "1", "FROZEN FEE CHARGE:20")]
        assert tc.events() == ["BALANCEADD (u1) ON -20"]
        tc.charged(peer, "u1", ["-20"], "5")
        if peer is None:
            assert tc.cash("u2") == "5"
    tc.on_backends([dict(login="u1", cash="5", passive=1), dict(login="u2", cash="5")], body,
                   alter={"FREEZEMONTH_COST": "20", "FREEZEMONTH_CASHTYPE": "1"})


def test_freezemonth_tags_debug_and_dryrun():
    tc.reset()
    tc.make_user("u1", cash="5", passive=1)
    tc.make_user("u2", cash="5", passive=1)
    tc.make_user("u3", cash="5", passive=1)
    tc.tag("u2", 10)
    tc.tag("u3", 10)
    tc.tag("u3", 11)
    with h.config(billing=tc.DIRECT, alter={"FREEZEMONTH_COST": "12.5", "FREEZEMONTH_CASHTYPE": "4"}):
        with h.config(alter={"FREEZEMONTH_ONLY_TAG": "10", "FREEZEMONTH_EXCLUDE_TAG": "11, 12"}):
            snap = h.snapshot(TABLES)
            out = tc.call("action=freezemonth&dryrun=1&param=debug2ublog")
            assert out == "u2\t-12.5\tFROZEN FEE CHARGE:12.5\tpayments\nOK:FREEZEMONTH", out
            h.assert_unchanged(snap)
            assert tc.call("action=freezemonth&param=debug2ublog") == "OK:FREEZEMONTH"
            assert tc.events() == [
                "FROZEN FEE CHARGE PROCESSING STARTED. COST: 12.5. CASHTYPE: 4",
                "FROZEN FEE CHARGE PROCESSING ONLY TAGS: 10",
                "FROZEN FEE CHARGE EXCLUDING TAGS: 11, 12",
                "BALANCEADD (u2) ON -12.5",
                "FROZEN FEE CHARGE AMOUNT -12.5 FOR USER (u2)",
                "FROZEN FEE CHARGE PROCESSING FINISHED FOR 1 USERS"]
            assert tc.payments() == [("u2", "5", "-12.5", "4", "FROZEN FEE CHARGE:12.5")]
        h.exec("DELETE FROM weblogs")
        with h.config(alter={"FREEZEMONTH_ONLY_TAG": "99"}):
            assert tc.call("action=freezemonth&param=debug2ublog") == "OK:FREEZEMONTH"
            assert tc.events() == [
                "FROZEN FEE CHARGE PROCESSING STARTED. COST: 12.5. CASHTYPE: 4",
                "FROZEN FEE CHARGE PROCESSING ONLY TAGS: 99",
                "FROZEN FEE CHARGE PROCESSING: NO USERS TO PROCESS FOUND",
                "FROZEN FEE CHARGE PROCESSING FINISHED FOR 0 USERS"]
        snap = h.snapshot(TABLES)
        with h.config(alter={"FREEZEMONTH_ONLY_TAG": "10) OR (1=1"}):
            assert tc.call("action=freezemonth") == "ERROR:WRONG_CONFIG"
        with h.config(alter={"FREEZEMONTH_COST": "2O"}):
            assert tc.call("action=freezemonth") == "ERROR:WRONG_CONFIG"
        assert tc.call("action=freezemonth&param=debug") == "ERROR:WRONG_PARAM"
        h.assert_unchanged(snap)


# ---------------------------------------------------------------- freezedayscharge

FDC = {"FREEZE_DAYS_CHARGE_ENABLED": "1", "FREEZE_DAYS_INITIAL_AMOUNT": "365",
       "FREEZE_DAYS_WORK_TO_RESTORE": "120"}


def fdc_rows():
    return h.sql("SELECT login,freeze_days_amount,freeze_days_used,work_days_restore,days_worked,"
                 "CAST(last_freeze_charge_dt AS CHAR),CAST(last_workdays_upd_dt AS CHAR)"
                 " FROM frozen_charge_days ORDER BY id")


def test_freezedayscharge_disabled_is_empty_page():
    tc.reset()
    tc.make_user("u1", passive=1)
    snap = h.snapshot(TABLES)
    with h.config(alter={"FREEZE_DAYS_CHARGE_ENABLED": "0"}):
        status, hdrs, body = h.api("action=freezedayscharge")
        assert (status, body) == (200, b"")
        assert hdrs["content-type"].startswith("text/html")
    h.assert_unchanged(snap)


def test_freezedayscharge_acceptance_both_backends():
    def body(peer):
        h.exec("INSERT INTO frozen_charge_days (login,freeze_days_amount,freeze_days_used,"
               "last_freeze_charge_dt,work_days_restore,days_worked,last_workdays_upd_dt) VALUES "
               "('u2',365,365,'2024-01-01 00:00:00',120,0,'2024-01-01 00:00:00'),"
               "('u3',365,365,'2024-01-01 00:00:00',120,119,'2024-01-01 00:00:00'),"
               "('u4',365,10,'2024-01-01 00:00:00',120,0,'2024-01-01 00:00:00'),"
               "('gone',365,365,'2024-01-01 00:00:00',120,0,'2024-01-01 00:00:00')")
        out = tc.cli("freezedayscharge&param=debug2ublog&verbosedebug=1", now="2024-02-29 03:00:00")
        assert out == "OK:FREEZE_DAYS_CHARGE", out
        now = "2024-02-29 03:00:00"
        z = "2024-01-01 00:00:00"
        assert fdc_rows() == [
            ("u2", 365, 366, 120, 0, now, z),
            ("u3", 365, 0, 120, 0, z, now),
            ("u4", 365, 10, 120, 0, z, z),
            ("gone", 365, 365, 120, 0, z, z),
            ("u1", 365, 1, 120, 0, now, "0000-00-00 00:00:00")]
        assert tc.events() == [
            "FREEZE DAYS CHARGE: login `u1` added to freeze days charge processing table",
            "FREEZE DAYS CHARGE: frozen users to process charge total amount [5]",
            "FREEZE DAYS CHARGE: used freeze days amount increased from [365] to [366] for login `u2`",
            "FREEZE DAYS CHARGE: used freeze days and worked days amount reset to 0, service freezing activated for login `u3`",
            "FREEZE DAYS CHARGE: worked days amount increased from [119] to [0] for login `u3`",
            "FREEZE DAYS CHARGE: skipping processing for login `u4`",
            "FREEZE DAYS CHARGE: skipping processing for login `gone`",
            "FREEZE DAYS CHARGE: used freeze days amount increased from [0] to [1] for login `u1`",
            "FREEZE DAYS CHARGE: processed frozen users amount [3]"]
        passive_changes(peer, [("u2", "0")])
        if peer is None:
            assert passive_of("u2") == "0" and passive_of("u1") == "1"
    tc.on_backends([dict(login="u1", passive=1), dict(login="u2", passive=1),
                    dict(login="u3", cash="10"), dict(login="u4", cash="10")], body, alter=FDC)


def test_freezedayscharge_no_users_and_dryrun():
    tc.reset()
    with h.config(billing=tc.DIRECT, alter=FDC):
        assert tc.call("action=freezedayscharge") == "OK:FREEZE_DAYS_CHARGE_NO_USERS"
        tc.make_user("u1", passive=1)
        snap = h.snapshot(TABLES)
        out = tc.call("action=freezedayscharge&dryrun=1")
        assert out == ("u1\tregister\t\tfrozen_charge_days\n"
                       "u1\tfreeze_days_used=1\t\tfrozen_charge_days\nOK:FREEZE_DAYS_CHARGE"), out
        assert tc.call("action=freezedayscharge&param=x") == "ERROR:WRONG_PARAM"
        h.assert_unchanged(snap)
        assert tc.call("action=freezedayscharge") == "OK:FREEZE_DAYS_CHARGE"
        assert tc.events() == ["FREEZE DAYS CHARGE: frozen users to process charge total amount [1]",
                               "FREEZE DAYS CHARGE: processed frozen users amount [1]"]


if __name__ == "__main__":
    h.main(globals())
