"""districtscache and stgfeecharge2mysql (spec actions-ops.md §5.5, §5.8):
the exact cache files PHP's UbillingCache (files backend) would hold,
replies, disabled flags."""
import os
import shutil
import tempfile

import harness as h

EXPORTS = os.path.join(h.root, "exports")
BASE = 9700000  # ids far above anything other tests create

CITIES = [(BASE + 1, "DcCity"), (BASE + 2, "DcOther")]
STREETS = [(BASE + 11, BASE + 1), (BASE + 12, BASE + 1), (BASE + 13, BASE + 2)]
BUILDS = [(BASE + 21, BASE + 11), (BASE + 22, BASE + 11), (BASE + 23, BASE + 12), (BASE + 24, BASE + 13)]
APTS = [(BASE + 31, BASE + 21), (BASE + 32, BASE + 22), (BASE + 33, BASE + 23), (BASE + 34, BASE + 24)]
# dc3 twice: PHP keeps its first position and the last row's apartment;
# dc5's apartment does not exist
ADDRESS = [(BASE + 51, "dc1", BASE + 31), (BASE + 52, "dc3", BASE + 33), (BASE + 53, "dc2", BASE + 32),
           (BASE + 54, "dc4", BASE + 34), (BASE + 55, "dc5", BASE + 99), (BASE + 56, "100", BASE + 31),
           (BASE + 57, "dc3", BASE + 31)]
DISTRICTS = [(BASE + 41, "Центр"), (BASE + 42, "Block"), (BASE + 43, "Street2"), (BASE + 44, "Empty")]
# (districtid, cityid, streetid, buildid): city level, build level, street
# level with buildid 0 (PHP's empty()), another city
DDATA = [(BASE + 41, BASE + 1, None, None), (BASE + 42, BASE + 1, BASE + 11, BASE + 21),
         (BASE + 43, BASE + 1, BASE + 12, 0), (BASE + 43, BASE + 2, None, None),
         (BASE + 42, BASE + 1, BASE + 11, BASE + 22 + 100)]


def cache_file(key):
    return os.path.join(EXPORTS, "UBCACHE_" + key)


def drop_cache(key):
    try:
        os.unlink(cache_file(key))
    except FileNotFoundError:
        pass


def clean_address():
    h.exec("DELETE FROM address WHERE id BETWEEN %s AND %s", (BASE, BASE + 999))
    h.exec("DELETE FROM apt WHERE id BETWEEN %s AND %s", (BASE, BASE + 999))
    h.exec("DELETE FROM build WHERE id BETWEEN %s AND %s", (BASE, BASE + 999))
    h.exec("DELETE FROM street WHERE id BETWEEN %s AND %s", (BASE, BASE + 999))
    h.exec("DELETE FROM city WHERE id BETWEEN %s AND %s", (BASE, BASE + 999))
    h.exec("DELETE FROM districtnames")
    h.exec("DELETE FROM districtdata")


def setup():
    # ubapi's own schema gets these from schema/ubapi-districts.sql; a stack
    # started before that file existed does not have them yet
    sql = open(os.path.join(os.path.dirname(__file__), "..", "..", "schema", "ubapi-districts.sql")).read()
    for stmt in [s for s in sql.split(";") if "CREATE TABLE" in s]:
        h.exec(stmt)
    clean_address()
    for i, n in CITIES:
        h.exec("INSERT INTO city (id, cityname) VALUES (%s, %s)", (i, n))
    for i, c in STREETS:
        h.exec("INSERT INTO street (id, cityid, streetname) VALUES (%s, %s, 'S')", (i, c))
    for i, s in BUILDS:
        h.exec("INSERT INTO build (id, streetid, buildnum) VALUES (%s, %s, '1')", (i, s))
    for i, b in APTS:
        h.exec("INSERT INTO apt (id, buildid, apt) VALUES (%s, %s, '1')", (i, b))
    for i, login, apt in ADDRESS:
        h.exec("INSERT INTO address (id, login, aptid) VALUES (%s, %s, %s)", (i, login, apt))
    for i, n in DISTRICTS:
        h.exec("INSERT INTO districtnames (id, name) VALUES (%s, %s)", (i, n))
    for row in DDATA:
        h.exec("INSERT INTO districtdata (districtid, cityid, streetid, buildid) VALUES (%s, %s, %s, %s)", row)


def teardown():
    clean_address()
    drop_cache("DISTRICTS")
    drop_cache("STG_FEE_CHARGE")


def ser(s):
    return b's:%d:"%s";' % (len(s.encode()), s.encode())


def districts_expected():
    center = b"i:%d;" % (BASE + 41) + ser("Центр")
    block = b"i:%d;" % (BASE + 42) + ser("Block")
    street2 = b"i:%d;" % (BASE + 43) + ser("Street2")
    both = b"a:2:{" + center + block + b"}"
    return (b"a:5:{" + ser("dc1") + both + ser("dc3") + both + ser("dc2") + b"a:1:{" + center + b"}"
            + ser("dc4") + b"a:1:{" + street2 + b"}" + b"i:100;" + both + b"}")


def test_districtscache_files():
    drop_cache("DISTRICTS")
    with h.config(alter={"DISTRICTS_ENABLED": "1", "UBCACHE_STORAGE": "files"}):
        s, _, b = h.api("action=districtscache")
        assert (s, b) == (200, b"OK: DISTRICTSCACHE"), (s, b)
        got = open(cache_file("DISTRICTS"), "rb").read()
        assert got == districts_expected(), got
        # a user moving out of the build-level district
        h.exec("UPDATE address SET aptid=%s WHERE id=%s", (BASE + 32, BASE + 51))
        try:
            rc, out, _ = h.cli(["districtscache"])
            assert (rc, out) == (0, b"OK: DISTRICTSCACHE"), (rc, out)
            got = open(cache_file("DISTRICTS"), "rb").read()
            assert got.startswith(b'a:5:{s:3:"dc1";a:1:{i:%d;s:10:"' % (BASE + 41)), got
        finally:
            h.exec("UPDATE address SET aptid=%s WHERE id=%s", (BASE + 31, BASE + 51))


def test_districtscache_no_districts():
    h.exec("DELETE FROM districtdata")
    try:
        with h.config(alter={"DISTRICTS_ENABLED": "1", "UBCACHE_STORAGE": "files"}):
            assert h.api_text("action=districtscache") == "OK: DISTRICTSCACHE"
            assert open(cache_file("DISTRICTS"), "rb").read() == b"a:0:{}"
    finally:
        for row in DDATA:
            h.exec("INSERT INTO districtdata (districtid, cityid, streetid, buildid) VALUES (%s, %s, %s, %s)", row)


def test_districtscache_disabled():
    with open(cache_file("DISTRICTS"), "wb") as f:
        f.write(b"a:0:{}")
    os.utime(cache_file("DISTRICTS"), (1000000000, 1000000000))
    for value in (None, "0", ""):
        alter = {"UBCACHE_STORAGE": "files"}
        if value is not None:
            alter["DISTRICTS_ENABLED"] = value
        with h.config(alter=alter):
            if value is None:
                h.alter_del("DISTRICTS_ENABLED")
            s, _, b = h.api("action=districtscache")
            assert (s, b) == (200, b"ERROR: DISTRICTS DISABLED"), (value, s, b)
    st = os.stat(cache_file("DISTRICTS"))
    assert open(cache_file("DISTRICTS"), "rb").read() == b"a:0:{}" and st.st_mtime == 1000000000


def test_districtscache_fake_backend():
    drop_cache("DISTRICTS")
    with h.config(alter={"DISTRICTS_ENABLED": "1", "UBCACHE_STORAGE": "fake"}):
        assert h.api_text("action=districtscache") == "OK: DISTRICTSCACHE"
    assert not os.path.exists(cache_file("DISTRICTS"))


def fee_line(date, login, old, new):
    return ("%s -- Admin 'admin', 127.0.0.1: User '%s': 'cash' parameter changed from '%s' to '%s'. fee charge\n"
            % (date, login, old, new))


def test_stgfeecharge2mysql():
    tmp = tempfile.mkdtemp()
    log = os.path.join(tmp, "stargazer.log")
    with open(log, "w") as f:
        f.write(fee_line("2026-03-01 10:00:00", "u1", "20", "10"))
        f.write(fee_line("2026-03-02 10:00:00", "u1", "10", "5"))
        f.write("2026-03-03 10:00:00 -- Admin 'admin', 127.0.0.1: User 'u1': 'cash' parameter changed "
                "from '5' to '100'. payment\n")
        f.write(fee_line("2026-03-01 11:00:00", "u2", "7.5", "2.25"))
        f.write("2026-03-04 short fee charge line\n")
        f.write(fee_line("2026-02-28 10:00:00", "u1", "30", "20"))
        f.write(fee_line("2026-03-01 12:00:00", "777", "1", "0"))
    # the work table a PHP run that died half-way leaves behind
    h.exec("CREATE TABLE IF NOT EXISTS stg_fee_charge_tab (`date` varchar(10))")
    drop_cache("STG_FEE_CHARGE")
    try:
        with h.config(alter={"STG_LOG_PATH": log, "UBCACHE_STORAGE": "files"}):
            s, _, b = h.api("action=stgfeecharge2mysql")
            assert (s, b) == (200, b""), (s, b)
            got = open(cache_file("STG_FEE_CHARGE"), "rb").read()

            def entry(when, frm, to):
                return (b"a:3:{" + ser("max_date") + ser(when) + ser("balance_from") + ser(frm)
                        + ser("balance_to") + ser(to) + b"}")
            want = (b"a:3:{" + ser("u1") + entry("2026-03-02 10:00:00", "10", "5")
                    + ser("u2") + entry("2026-03-01 11:00:00", "7.5", "2.25")
                    + b"i:777;" + entry("2026-03-01 12:00:00", "1", "0") + b"}")
            assert got == want, got
            assert not h.sql("SHOW TABLES LIKE 'stg_fee_charge_tab'")
        # a missing log: an empty array, as PHP's empty temp file gave
        with h.config(alter={"STG_LOG_PATH": log + ".missing", "UBCACHE_STORAGE": "files"}):
            rc, out, _ = h.cli(["stgfeecharge2mysql"])
            assert (rc, out) == (0, b""), (rc, out)
            assert open(cache_file("STG_FEE_CHARGE"), "rb").read() == b"a:0:{}"
        drop_cache("STG_FEE_CHARGE")
        with h.config(alter={"STG_LOG_PATH": log, "UBCACHE_STORAGE": "fake"}):
            assert h.api("action=stgfeecharge2mysql")[2] == b""
        assert not os.path.exists(cache_file("STG_FEE_CHARGE"))
    finally:
        shutil.rmtree(tmp)
        h.exec("DROP TABLE IF EXISTS stg_fee_charge_tab")


if __name__ == "__main__":
    h.main(globals())
