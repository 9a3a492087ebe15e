"""backupdb, autocleandb, cachedog, rebuildglscache and feesharvester
(spec actions-ops.md §5.1-5.4, §5.7): the spec's acceptance checks, a dump
that restores, locks shared with PHP's StarDust names, failures that leave
nothing behind."""
import hashlib
import os
import re
import shutil
import stat
import subprocess
import tempfile

import harness as h

NOW = "2026-03-15 10:20:30"
BACKUPS = os.path.join(h.root, "content", "backups", "sql")
EXPORTS = os.path.join(h.root, "exports")


def run(query, now=NOW):
    env = {"UBAPI_NOW": now} if now else {}
    rc, out, err = h.cli([query], env=env)
    assert not err or b"ERROR" not in err, err
    return out.decode()


def mark():
    return h.sql("SELECT IFNULL(MAX(id),0) FROM weblogs")[0][0]


def events(since):
    return [(r[0], r[1]) for r in h.sql("SELECT admin, event FROM weblogs WHERE id>%s ORDER BY id",
                                        (str(since),), strings=True)]


def unserialize(data):
    """Enough of PHP's unserialize() for arrays of strings/ints/null."""
    pos = 0

    def value():
        nonlocal pos
        t = data[pos:pos + 1]
        if t == b"N":
            pos += 2
            return None
        if t in (b"i", b"d", b"b"):
            end = data.index(b";", pos)
            v = data[pos + 2:end].decode()
            pos = end + 1
            return int(v) if t != b"d" else float(v)
        if t == b"s":
            colon = data.index(b":", pos + 2)
            n = int(data[pos + 2:colon])
            s = data[colon + 2:colon + 2 + n]
            assert data[colon + 2 + n:colon + 4 + n] == b'";'
            pos = colon + 4 + n
            return s.decode()
        if t == b"a":
            colon = data.index(b":", pos + 2)
            n = int(data[pos + 2:colon])
            pos = colon + 2
            out = {}
            for _ in range(n):
                k = value()
                out[k] = value()
            assert data[pos:pos + 1] == b"}"
            pos += 1
            return out
        raise AssertionError("bad serialize at %d: %r" % (pos, data[pos:pos + 20]))

    v = value()
    assert pos == len(data), "trailing bytes"
    return v


def user(login, cash="0", ip="10.0.0.1"):
    h.exec("INSERT INTO users (login,Password,Passive,Down,AlwaysOnline,Tariff,Note,Credit,"
           "TariffChange,Userdata0,Userdata1,Userdata2,Userdata3,Userdata4,Userdata5,Userdata6,"
           "Userdata7,Userdata8,Userdata9,CreditExpire,Cash,NAS,IP) VALUES (%s,'*',0,0,1,'',''"
           ",0,'','','','','','','','','','','',0,%s,'',%s)", (login, cash, ip))


def clean_users():
    for t in ("users", "realname", "phones", "contracts", "emails", "nethosts", "address"):
        h.exec("DELETE FROM `%s`" % t)


# ------------------------------------------------------------------ backupdb

def fake_dump(tmp, body):
    path = os.path.join(tmp, "fakedump")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + body)
    os.chmod(path, 0o755)
    return path


def dumps():
    if not os.path.isdir(BACKUPS):
        return []
    return sorted(os.listdir(BACKUPS))


def clear_backups():
    if os.path.isdir(BACKUPS):
        shutil.rmtree(BACKUPS)


def test_backupdb_missing_option():
    clear_backups()
    m = mark()
    for value in ("", "0"):
        with h.config(alter={"MYSQLDUMP_PATH": value}):
            assert run("backupdb") == "You missed an important option: MYSQLDUMP_PATH"
    assert dumps() == []
    assert events(m) == []


def test_backupdb_fake_dump_argv_and_name():
    clear_backups()
    tmp = tempfile.mkdtemp()
    side = os.path.join(tmp, "side")
    # echoes its argv (the dump), and records the option file it was given
    script = fake_dump(tmp, 'for a in "$@"; do echo "ARG $a"; case "$a" in --defaults-extra-file=*) '
                            'f=${a#--defaults-extra-file=}; stat -c %%a "$f" > %s; cat "$f" >> %s;; esac; '
                            'done\n' % (side, side))
    try:
        m = mark()
        with h.config(alter={"MYSQLDUMP_PATH": script + " --single-transaction", "BACKUPS_MAX_AGE": ""},
                      ) as _:
            body = run("backupdb")
        assert body == "OK:BACKUPDB ./content/backups/sql/ubilling-2026-03-15_10_20_30.sql", body
        assert re.match(r"^OK:BACKUPDB \./content/backups/sql/ubilling-\d{4}-\d\d-\d\d_\d\d_\d\d_\d\d\.sql$", body)
        path = os.path.join(BACKUPS, "ubilling-2026-03-15_10_20_30.sql")
        assert dumps() == ["ubilling-2026-03-15_10_20_30.sql"]
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        args = [l[4:] for l in open(path).read().splitlines()]
        assert args[0].startswith("--defaults-extra-file=")
        assert args[1:] == ["--single-transaction", "--host", "127.0.0.1", "-u", "ubapi", "--port",
                            str(h.DB_PORT), args[-2], h.DB_NAME], args
        assert args[-2].startswith("--result-file=")
        assert not any(a.startswith("-p") for a in args)  # no password in argv
        mode, *opts = open(side).read().splitlines()
        assert mode == "600"
        assert opts == ["[client]", 'password="ubapi"']
        assert not os.path.exists(args[0].split("=", 1)[1])  # option file removed
        assert events(m) == [("guest", "BACKUP CREATE `./content/backups/sql/ubilling-2026-03-15_10_20_30.sql`")]
        # over HTTP, with the real clock: same format
        with h.config(alter={"MYSQLDUMP_PATH": script}):
            s, _, b = h.api("action=backupdb")
        assert s == 200 and re.match(
            r"^OK:BACKUPDB \./content/backups/sql/ubilling-\d{4}-\d\d-\d\d_\d\d_\d\d_\d\d\.sql$", b.decode()), (b, events(m))
    finally:
        shutil.rmtree(tmp)


def test_backupdb_real_dump_restores():
    clear_backups()
    clean_users()
    user("dumpme", "12.5", "10.1.1.1")
    user("dumpme2", "-3", "10.1.1.2")
    dumper = shutil.which("mysqldump") or shutil.which("mariadb-dump")
    if not dumper:
        h.skip("no mysqldump")
    with h.config(alter={"MYSQLDUMP_PATH": dumper}):
        body = run("backupdb")
    name = "ubilling-2026-03-15_10_20_30.sql"
    assert body == "OK:BACKUPDB ./content/backups/sql/" + name, body
    path = os.path.join(BACKUPS, name)
    assert "CREATE TABLE `users`" in open(path, encoding="utf-8", errors="replace").read()
    root = h.db_root()
    scratch = "ops_restore_" + h.SCHEMA
    try:
        with root.cursor() as c:
            c.execute("DROP DATABASE IF EXISTS `%s`" % scratch)
            c.execute("CREATE DATABASE `%s`" % scratch)
        with open(path, "rb") as f:
            p = subprocess.run(["mysql", "--socket=" + h.DB_SOCKET, "-uroot", scratch], stdin=f,
                               capture_output=True, timeout=60)
        assert p.returncode == 0, p.stderr
        q = "SELECT login, CAST(Cash AS CHAR), IP FROM `%s`.users ORDER BY login"
        with root.cursor() as c:
            c.execute(q % scratch)
            restored = list(c.fetchall())
            c.execute(q % h.DB_NAME)
            original = list(c.fetchall())
        assert restored == original and len(restored) == 2, restored
    finally:
        with root.cursor() as c:
            c.execute("DROP DATABASE IF EXISTS `%s`" % scratch)
        root.close()
        clean_users()


def test_backupdb_failure_leaves_nothing():
    clear_backups()
    tmp = tempfile.mkdtemp()
    partial = fake_dump(tmp, 'for a in "$@"; do case "$a" in --result-file=*) '
                             'echo "-- half a dump" > "${a#--result-file=}";; esac; done; echo more; exit 2\n')
    try:
        for dumper in ("/nonexistent/mysqldump", partial):
            m = mark()
            with h.config(alter={"MYSQLDUMP_PATH": dumper}):
                body = run("backupdb")
            assert body == "OK:BACKUPDB ", (dumper, body)
            assert dumps() == [], dumps()  # not even the hidden .part file
            assert events(m) == [("guest", "BACKUP FAILED `./content/backups/sql/ubilling-2026-03-15_10_20_30.sql`")]
    finally:
        shutil.rmtree(tmp)


def test_backupdb_rotation():
    clear_backups()
    os.makedirs(BACKUPS)
    keep = ["ubilling-2026-03-15_00_00_00.sql", "ubilling-2026-03-08_23_00_00.sql", "notes.sql",
            "ubilling-garbage.sql", "ubilling-2000-01-01_00_00_00.txt", ".ubilling-2000-01-01.sql"]
    gone = ["ubilling-2000-01-01_00_00_00.sql", "ubilling-2026-03-07_23_59_59.sql", "2026-02-01.sql"]
    for n in keep + gone:
        open(os.path.join(BACKUPS, n), "w").close()
    tmp = tempfile.mkdtemp()
    try:
        m = mark()
        with h.config(alter={"MYSQLDUMP_PATH": fake_dump(tmp, "echo dump\n"), "BACKUPS_MAX_AGE": "7 days"}):
            body = run("backupdb")
        assert body == "OK:BACKUPDB ./content/backups/sql/ubilling-2026-03-15_10_20_30.sql"
        assert dumps() == sorted(keep + ["ubilling-2026-03-15_10_20_30.sql"]), dumps()
        ev = events(m)
        assert ev[0] == ("guest", "BACKUP CREATE `./content/backups/sql/ubilling-2026-03-15_10_20_30.sql`")
        assert sorted(e for _, e in ev[1:]) == sorted("BACKUP ROTATE `./content/backups/sql/%s`" % n for n in gone)
    finally:
        shutil.rmtree(tmp)
        clear_backups()


def test_backupdb_busy_still_rotates():
    clear_backups()
    os.makedirs(BACKUPS)
    old = os.path.join(BACKUPS, "ubilling-2000-01-01_00_00_00.sql")
    open(old, "w").close()
    holder = h.db(new=True)
    tmp = tempfile.mkdtemp()
    try:
        with holder.cursor() as c:
            c.execute("SELECT GET_LOCK('stardustPID_BACKUPDB', 0)")
            assert c.fetchone()[0] == 1
        m = mark()
        with h.config(alter={"MYSQLDUMP_PATH": fake_dump(tmp, "echo dump\n"), "BACKUPS_MAX_AGE": "7"}):
            assert run("backupdb") == "OK:BACKUPDB "
        assert dumps() == []
        assert events(m) == [("guest", "BACKUP ALREADY RUNNING SKIPPED"),
                             ("guest", "BACKUP ROTATE `./content/backups/sql/ubilling-2000-01-01_00_00_00.sql`")]
    finally:
        holder.close()
        shutil.rmtree(tmp)


# --------------------------------------------------------------- autocleandb

def monthly_tables():
    return sorted(t for t in h.tables() if re.match(r"^(logs|detailstat)_", t))


def test_autocleandb():
    for t in monthly_tables():
        h.exec("DROP TABLE `%s`" % t)
    made = ["logs_01_2000", "detailstat_01_2000", "logs_03_2026", "detailstat_03_2026", "logs_archive",
            "logs_04_2026"]
    for t in made:
        h.exec("CREATE TABLE `%s` (id int)" % t)
    try:
        m = mark()
        assert run("autocleandb") == "OK:AUTOCLEANDB 3"
        assert monthly_tables() == ["detailstat_03_2026", "logs_03_2026", "logs_archive"]
        assert sorted(e for _, e in events(m)) == ["DBCLEANUP `detailstat_01_2000`", "DBCLEANUP `logs_01_2000`",
                                                   "DBCLEANUP `logs_04_2026`"]
        m = mark()
        assert run("autocleandb") == "OK:AUTOCLEANDB 0"
        assert events(m) == []
        # over HTTP on the real clock: only this month's tables would stay; none left to drop
        s, _, b = h.api("action=autocleandb&param=anything")
        assert s == 200 and b.decode().startswith("OK:AUTOCLEANDB ")
    finally:
        for t in monthly_tables():
            h.exec("DROP TABLE `%s`" % t)


# ------------------------------------------------------------------ cachedog

def cache_file(key):
    return os.path.join(EXPORTS, "UBCACHE_" + key)


def test_cachedog_files_backend():
    clean_users()
    user("cd1", "5", "10.2.0.1")
    user("cd2", "7", "10.2.0.2")
    h.exec("INSERT INTO realname (login, realname) VALUES ('cd1', 'Іван')")
    # two phones rows: the later row is the one PHP's login-keyed array keeps
    h.exec("DELETE FROM phones WHERE login IN ('cd1', 'cd2')")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('cd1', '', '0501110000'), ('cd1', '', '0502220000')")
    for k in ("USER_ALL_DATA", "USER_ALL_REALNAMES", "PHONEDATA"):
        if os.path.exists(cache_file(k)):
            os.unlink(cache_file(k))
    try:
        with h.config(alter={"UBCACHE_STORAGE": "files", "USERBYNUM_ENABLED": "1"}):
            # (1) no cache: OK, and the fresh copy is stored as PHP would
            assert run("cachedog", now=None) == "CACHEDOG:CACHE_OK"
            data = unserialize(open(cache_file("USER_ALL_DATA"), "rb").read())
            assert sorted(data) == ["cd1", "cd2"]
            assert data["cd1"]["realname"] == "Іван" and data["cd1"]["Cash"] == "5"
            assert data["cd2"]["realname"] is None and data["cd2"]["ip"] == "10.2.0.2"
            assert list(data["cd1"])[:3] == ["login", "realname", "Passive"]
            assert data["cd1"]["mobile"] == "0502220000" and data["cd2"]["mobile"] is None
            # (2) unchanged: OK, file kept
            before = open(cache_file("USER_ALL_DATA"), "rb").read()
            assert run("cachedog", now=None) == "CACHEDOG:CACHE_OK"
            assert open(cache_file("USER_ALL_DATA"), "rb").read() == before
            # (3) a change: cleaned, with the dependent keys
            for k in ("USER_ALL_REALNAMES", "PHONEDATA"):
                open(cache_file(k), "w").write("a:0:{}")
            h.exec("UPDATE users SET Cash=Cash+1 WHERE login='cd2'")
            assert run("cachedog", now=None) == "CACHEDOG:CACHE_CLEANED"
            for k in ("USER_ALL_DATA", "USER_ALL_REALNAMES", "PHONEDATA"):
                assert not os.path.exists(cache_file(k)), k
            # a garbage cache counts as changed
            open(cache_file("USER_ALL_DATA"), "w").write("not serialized")
            s, _, b = h.api("action=cachedog")
            assert (s, b) == (200, b"CACHEDOG:CACHE_CLEANED")
            assert not os.path.exists(cache_file("USER_ALL_DATA"))
        # (4) fake backend: always OK, nothing touched
        open(cache_file("USER_ALL_DATA"), "w").write("stale")
        with h.config(alter={"UBCACHE_STORAGE": "fake"}):
            assert run("cachedog", now=None) == "CACHEDOG:CACHE_OK"
        assert open(cache_file("USER_ALL_DATA")).read() == "stale"
        os.unlink(cache_file("USER_ALL_DATA"))
    finally:
        clean_users()


# ----------------------------------------------------------- rebuildglscache

GLS = os.path.join(EXPORTS, "globalsearchcache.dat")


def test_rebuildglscache():
    clean_users()
    user("glsA", "0", "10.3.0.1")
    user("glsB", "0", "10.3.0.2")
    h.exec("INSERT INTO realname (login, realname) VALUES ('glsA', 'ПЕТРО Ivanov')")
    h.exec("INSERT INTO contracts (login, contract) VALUES ('glsA', '0001'), ('glsB', '0001')")
    if os.path.exists(GLS):
        os.unlink(GLS)
    try:
        with h.config(alter={"SPHINX_SEARCH_ENABLED": "1", "GLOBALSEARCH_FIELDS": "login,ip"}):
            assert run("rebuildglscache") == "SKIPPED:SPHINX_SEARCH_ENABLED"
        assert not os.path.exists(GLS)
        with h.config(alter={"SPHINX_SEARCH_ENABLED": "0", "GLOBALSEARCH_FIELDS": "login,ip"}):
            assert run("rebuildglscache") == "OK:REBUILDGLSCACHE"
            data = unserialize(open(GLS, "rb").read())
            assert len(data) == 4
            assert all(re.match(r"^[0-9a-z]{8}$", k) for k in data)
            got = sorted((v["type"], v["label"], v["lower"], v["category"]) for v in data.values())
            assert got == [("ip", "10.3.0.1", "10.3.0.1", "IP"), ("ip", "10.3.0.2", "10.3.0.2", "IP"),
                           ("login", "glsA", "glsa", "Login"), ("login", "glsB", "glsb", "Login")], got
            os.utime(GLS, (1000000000, 1000000000))
            s, _, b = h.api("action=rebuildglscache")
            assert (s, b) == (200, b"OK:REBUILDGLSCACHE")
            assert os.stat(GLS).st_mtime > 1000000000
        with h.config(alter={"SPHINX_SEARCH_ENABLED": "", "GLOBALSEARCH_FIELDS": "realname,contract, ip"}):
            assert run("rebuildglscache") == "OK:REBUILDGLSCACHE"
            got = sorted((v["type"], v["label"], v["lower"]) for v in unserialize(open(GLS, "rb").read()).values())
            # " ip" is not "ip" (PHP does not trim the list); one entry per distinct contract
            assert got == [("contract", "0001", "0001"), ("realname", "ПЕТРО Ivanov", "петро ivanov")], got
        holder = h.db(new=True)
        try:
            with holder.cursor() as c:
                c.execute("SELECT GET_LOCK('stardustPID_GLSREBUILD', 0)")
            before = open(GLS, "rb").read()
            with h.config(alter={"SPHINX_SEARCH_ENABLED": "0", "GLOBALSEARCH_FIELDS": "login"}):
                assert run("rebuildglscache") == "SKIPPED:ALREADY_RUNNING"
            assert open(GLS, "rb").read() == before
        finally:
            holder.close()
    finally:
        clean_users()
        if os.path.exists(GLS):
            os.unlink(GLS)


# ------------------------------------------------------------- feesharvester

def fee_line(date, login, frm, to):
    return ("%s -- Admin 'stargazer', 0.0.0.0: User '%s': 'cash' parameter changed from '%s' to '%s'. "
            "fee charge\n" % (date, login, frm, to))


def php_hash(date, login, summ_text, frm, to):
    return hashlib.md5((date + login + summ_text + frm + to).encode()).hexdigest()


def fees():
    return h.sql("SELECT hash, login, date, admin, `from`, `to`, summ, note, cashtype FROM fees ORDER BY id",
                 strings=True)


def test_feesharvester():
    h.exec("DELETE FROM fees")
    tmp = tempfile.mkdtemp()
    log = os.path.join(tmp, "stargazer.log")
    with open(log, "w") as f:
        f.write(fee_line("2026-03-01 00:00:01", "u1", "100", "96.8"))
        f.write("2026-03-01 00:00:02 -- User 'u1': 'down' parameter changed from '0' to '1'.\n")
        f.write(fee_line("2026-03-02 00:00:01", "u2", "50", "40"))
        f.write("2026-03-02 broken fee charge\n")
        f.write(fee_line("2026-02-28 00:00:01", "u1", "110", "100"))
        f.write(fee_line("2026-03-15 00:00:01", "u3", "7.5", "7.5e1"))
    try:
        with h.config(alter={"FEES_HARVESTER": "0", "STG_LOG_PATH": log}):
            assert run("feesharvester") == "ERROR:FEES_HARVESTER_DISABLED"
        assert fees() == []
        with h.config(alter={"FEES_HARVESTER": "1", "STG_LOG_PATH": log}):
            # a row PHP harvested already (its hash of the -3.2 charge) is not inserted again
            h.exec("INSERT INTO fees (hash,login,date,admin,`from`,`to`,summ,note,cashtype) VALUES "
                   "(%s,'u1','2026-03-01 00:00:01','stargazer',100,96.8,-3.2,'',0)",
                   (php_hash("2026-03-01 00:00:01", "u1", "-3.2", "100", "96.8"),))
            m = mark()
            assert run("feesharvester&today") == "OK: FEES HARVESTED `1`"
            assert events(m) == [("guest", "FEES HARVESTED `1` OF `1` RECORDS PARSED BY `2026-03-15`")]
            m = mark()
            assert run("feesharvester") == "OK: FEES HARVESTED `1`"
            assert events(m) == [("guest", "FEES HARVESTED `1` OF `4` RECORDS PARSED BY `2026-03`")]
            assert run("feesharvester") == "OK: FEES HARVESTED `0`"
            m = mark()
            assert run("feesharvester&full=") == "OK: FEES HARVESTED `1`"
            assert events(m) == [("guest", "FEES HARVESTED `1` OF `5` RECORDS PARSED BY `ALL_TIME`")]
            assert run("feesharvester&full&today=") == "OK: FEES HARVESTED `0`"
            rows = fees()
            assert [r[1:] for r in rows] == [
                ("u1", "2026-03-01 00:00:01", "stargazer", "100", "96.8", "-3.2", "", "0"),
                ("u3", "2026-03-15 00:00:01", "stargazer", "7.5", "75", "67.5", "", "0"),
                ("u2", "2026-03-02 00:00:01", "stargazer", "50", "40", "-10", "", "0"),
                ("u1", "2026-02-28 00:00:01", "stargazer", "110", "100", "-10", "", "0"),
            ], rows
            assert rows[2][0] == php_hash("2026-03-02 00:00:01", "u2", "-10", "50", "40")
            assert rows[1][0] == php_hash("2026-03-15 00:00:01", "u3", "67.5", "7.5", "7.5e1")
            # busy: PHP's StarDust lock name and reply
            holder = h.db(new=True)
            try:
                with holder.cursor() as c:
                    c.execute("SELECT GET_LOCK('stardustPID_FEESHARVESTER', 0)")
                s, _, b = h.api("action=feesharvester&full")
                assert (s, b) == (200, b"WARNING:FEES_HARVESTER_ALREADY_RUNING")
            finally:
                holder.close()
        # the last-fee cache
        cache = cache_file("STG_LAST_FEE_CHARGE")
        with h.config(alter={"FEES_HARVESTER": "1", "STG_LOG_PATH": log, "UBCACHE_STORAGE": "files",
                             "ONLINE_SHOW_LAST_FEECHARGE": "1"}):
            m = mark()
            assert run("feesharvester") == "OK: FEES HARVESTED `0`"
            assert [e for _, e in events(m)][-1] == \
                "FEES HARVESTER: ONLINE_SHOW_LAST_FEECHARGE data cache have been updated"
            data = unserialize(open(cache, "rb").read())
            assert data == {"u1": {"login": "u1", "summ": "-3.2", "max_date": "2026-03-01 00:00:01"},
                            "u2": {"login": "u2", "summ": "-10", "max_date": "2026-03-02 00:00:01"},
                            "u3": {"login": "u3", "summ": "67.5", "max_date": "2026-03-15 00:00:01"}}, data
        os.unlink(cache)
        # a missing log: nothing harvested, still logged
        with h.config(alter={"FEES_HARVESTER": "1", "STG_LOG_PATH": log + ".missing"}):
            m = mark()
            assert run("feesharvester") == "OK: FEES HARVESTED `0`"
            assert events(m) == [("guest", "FEES HARVESTED `0` OF `0` RECORDS PARSED BY `2026-03`")]
    finally:
        shutil.rmtree(tmp)
        h.exec("DELETE FROM fees")


def test_bad_query_changes_nothing():
    h.exec("DELETE FROM fees")
    snap = h.snapshot(["fees", "weblogs"])
    s, _, b = h.api("action=feesharvester&full=%00")
    assert s == 400 or b.startswith(b"ERROR"), (s, b)
    h.assert_unchanged(snap)


if __name__ == "__main__":
    h.main(globals())
