"""The private stack itself: database, roots, nginx, binaries. Nothing here
depends on what ubapi replies; the action tests do that."""

import os

import harness as h

# Every table ubapi's own schema defines must exist in both databases: on the
# real schema this proves schema/ubapi.sql uses Ubilling's table names.
OWN_TABLES = """users tariffs ubstats weblogs ubstorage payments paymentscorr realname
phones contracts emails nethosts city street build apt address tags tagtypes vservices
vcash vcashlog cardbank mlg_culpas contrahens ahenassign ahenassignstrict switches
switchmodels cudiscounts discounts ubapi_requests""".split()


def test_db_reachable():
    assert h.sql("SELECT DATABASE()") == [(h.DB_NAME,)]
    assert h.sql("SELECT 1 + 1") == [(2,)]


def test_sql_mode_is_ubillings():
    # Ubilling's SQL relies on non-strict mode; tests must see what it sees.
    mode = h.sql("SELECT @@GLOBAL.sql_mode")[0][0]
    assert "STRICT" not in mode, mode


def test_serial_row():
    rows = h.sql("SELECT `value` FROM ubstats WHERE `key` = 'ubid'")
    assert rows == [(h.SERIAL,)], rows
    assert len(h.SERIAL) == 34 and h.SERIAL.startswith("UB"), h.SERIAL


def test_tables_exist():
    have = set(h.tables())
    missing = [t for t in OWN_TABLES if t not in have]
    assert not missing, "missing tables: %s" % missing
    if h.SCHEMA == "real":
        # Ubilling's full schema, far more than ubapi's own.
        assert len(have) > 200, len(have)


def test_engines():
    engines = dict(h.sql(
        "SELECT table_name, engine FROM information_schema.tables WHERE table_schema = %s",
        (h.DB_NAME,)))
    assert engines["ubapi_requests"] == "InnoDB"
    want = "InnoDB" if h.SCHEMA == "own" else "MyISAM"
    assert engines["payments"] == want, engines["payments"]
    assert engines["users"] == want, engines["users"]


def test_root_config():
    assert h.ini_get("mysql.ini", "db") == '"%s"' % h.DB_NAME
    assert h.ini_get("mysql.ini", "port") == '"%d"' % h.DB_PORT
    assert h.ini_get("mysql.ini", "server") == '"127.0.0.1"'
    assert h.ini_get("alter.ini", "REMOTEAPI_ENABLED") == "1"
    assert h.ini_get("billing.ini", "NOSTGCHECKPID") == "1"
    for d in ("exports", "content/documents"):
        assert os.path.isdir(os.path.join(h.root, d)), d


def test_config_restored():
    before = open(os.path.join(h.root, "config", "alter.ini"), "rb").read()
    with h.config(alter={"UBAPI_HARNESS_PROBE": "1", "REMOTEAPI_ENABLED": None}):
        assert h.ini_get("alter.ini", "UBAPI_HARNESS_PROBE") == "1"
        assert h.ini_get("alter.ini", "REMOTEAPI_ENABLED") is None
    assert open(os.path.join(h.root, "config", "alter.ini"), "rb").read() == before
    h.ubapi_set("harness", "probe", "2")
    assert h.ini_get("ubapi.ini", "probe", section="harness") == "2"
    # main() restores this one after the test.


def test_snapshot_sees_changes():
    snap = h.snapshot(["ubstorage"])
    h.assert_unchanged(snap)
    rid = h.insert("INSERT INTO ubstorage (`key`, `value`) VALUES (%s, %s)",
                   ("UBAPI_HARNESS_PROBE", "x"))
    try:
        try:
            h.assert_unchanged(snap)
        except AssertionError:
            pass
        else:
            raise AssertionError("snapshot missed an insert")
    finally:
        h.exec("DELETE FROM ubstorage WHERE id = %s", (rid,))
    h.assert_unchanged(snap)


def test_nginx_reaches_ubapi():
    # 502/504 would mean nginx cannot reach the FastCGI pool.
    status, headers, _ = h.http("module=remoteapi&action=identify")
    assert status not in (502, 503, 504), status
    assert headers.get("server", "").startswith("nginx"), headers
    status, _, _ = h.api("action=identify")
    assert status not in (502, 503, 504), status


def test_nginx_serves_only_root():
    status, _, _ = h.http("", path="/no-such-page")
    assert status == 404, status


def test_cli_runs():
    rc, out, err = h.cli(["identify"])
    # Any reply will do here, but not a crash (negative rc = signal) nor a
    # usage error.
    assert rc in (0, 1), (rc, out, err)


if __name__ == "__main__":
    h.main(globals())
