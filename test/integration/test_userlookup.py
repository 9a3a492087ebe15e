"""getagentdata, userbynum, userbyip: exact JSON bytes and headers."""
import harness as h
from test_asterisk import add_user, clean, fresh


def setup():
    fresh()
    h.exec("CREATE VIEW IF NOT EXISTS op_customers (realid, virtualid) AS SELECT users.login, CRC32(users.login)"
           " FROM users LEFT JOIN op_denied ON users.login = op_denied.login WHERE op_denied.login IS NULL")


def teardown():
    clean()
    h.exec("DELETE FROM realname WHERE login LIKE 'ast%'")
    h.exec("DELETE FROM contrahens WHERE id IN (9901, 9902)")
    h.exec("DELETE FROM ahenassign WHERE ahenid=9902")
    h.exec("DELETE FROM ahenassignstrict WHERE login LIKE 'ast%'")


def agents():
    h.exec("DELETE FROM contrahens WHERE id IN (9901, 9902)")
    for i in (9901, 9902):
        h.exec("INSERT INTO contrahens (id, bankacc, bankname, bankcode, edrpo, ipn, licensenum, juraddr, phisaddr,"
               " phone, contrname, agnameabbr, agsignatory, agsignatory2, agbasis, agmail, siteurl) VALUES"
               " (%s, '1', 'Банк', '2', '3', '4', '5', 'a/b', 'c', 'p', 'ТОВ', 'x', 'y', 'z', 'w', 'm', NULL)", (i,))


AGENT = ('{"id":"%d","bankacc":"1","bankname":"\\u0411\\u0430\\u043d\\u043a","bankcode":"2","edrpo":"3","ipn":"4",'
         '"licensenum":"5","juraddr":"a\\/b","phisaddr":"c","phone":"p","contrname":"\\u0422\\u041e\\u0412",'
         '"agnameabbr":"x","agsignatory":"y","agsignatory2":"z","agbasis":"w","agmail":"m","siteurl":null}')


def test_getagentdata():
    fresh()
    add_user("ast1")
    agents()
    h.exec("DELETE FROM ahenassignstrict WHERE login LIKE 'ast%'")
    assert h.api_text("action=getagentdata") == "ERROR:NO_LOGIN_PARAM"
    with h.config(alter={"AGENTS_ASSIGN": "1", "DEFAULT_ASSIGN_AGENT": "9901"}, ubapi=h.PHONES_AT_ONCE):
        st, hd, body = h.api("action=getagentdata&param=ast1")
        assert hd["content-type"].startswith("application/json")
        assert body.decode() == AGENT % 9901  # no address: default agent
        h.exec("INSERT INTO ahenassignstrict (agentid, login) VALUES (9902, 'ast1')")
        assert h.api_text("action=getagentdata&param=ast1") == AGENT % 9902
        assert h.api_text("action=getagentdata&param=nosuch") == AGENT % 9901
    with h.config(alter={"AGENTS_ASSIGN": "1", "DEFAULT_ASSIGN_AGENT": "777777"}, ubapi=h.PHONES_AT_ONCE):
        assert h.api_text("action=getagentdata&param=nosuch") == "[]"


def test_userbynum_and_userbyip():
    fresh()
    add_user("ast1", cash="12.5", ip="10.77.0.1", password="pw")
    h.exec("DELETE FROM realname WHERE login='ast1'")
    h.exec("INSERT INTO realname (login, realname) VALUES ('ast1', 'Іван/Петренко')")
    h.exec("INSERT INTO phones (login, phone, mobile) VALUES ('ast1', '', '+380 50 123-45-67')")
    h.exec("INSERT INTO contracts (login, contract) VALUES ('ast1', '1001')")
    assert h.api_text("action=userbynum&number=0501234567") == "ERROR: USERBYNUM DISABLED"
    assert h.api_text("action=userbyip&ip=10.77.0.1") == "ERROR: USERBYIP DISABLED"
    want = ('{"result":1,"userdata":{"login":"ast1","realname":"\\u0406\\u0432\\u0430\\u043d\\/\\u041f\\u0435\\u0442'
            '\\u0440\\u0435\\u043d\\u043a\\u043e","Passive":"0","Down":"0","Password":"pw","AlwaysOnline":"1",'
            '"Tariff":"Home","TariffChange":"","Credit":"0","Cash":"12.5","ip":"10.77.0.1","mac":null,'
            '"cityname":null,"streetname":null,"buildnum":null,"entrance":null,"floor":null,"apt":null,"geo":null,'
            '"fulladress":null,"phone":"","mobile":"+380 50 123-45-67","contract":"1001","email":null}}')
    with h.config(alter={"USERBYNUM_ENABLED": "1", "USERBYIP_ENABLED": "1"}, ubapi=h.PHONES_AT_ONCE):
        assert h.api_text("action=userbynum") == "ERROR: EMPTY NUMBER"
        assert h.api_text("action=userbyip") == "ERROR: EMPTY IP"
        st, hd, body = h.api("action=userbynum&number=0501234567")
        assert body.decode() == want, body
        assert hd["content-type"] == "application/json; charset=UTF-8"
        assert hd["access-control-allow-origin"] == "*"
        assert hd["cache-control"] == "no-store, no-cache, must-revalidate" and hd["pragma"] == "no-cache" and "last-modified" in hd
        assert h.api_text("action=userbyip&ip=10.77.0.1") == want
        assert h.api_text("action=userbyip&ip=10.77.0.2") == '{"result":0}'
        assert h.api_text("action=userbyip&ip=10.77.0.1%27") == '{"result":0}'
        assert h.api_text("action=userbynum&number=0991234567") == '{"result":0}'
    with h.config(alter={"USERBYNUM_ENABLED": "1", "OPENPAYZ_SUPPORT": "1"}, ubapi=h.PHONES_AT_ONCE):
        crc = h.sql("SELECT CRC32('ast1')")[0][0]
        assert h.api_text("action=userbynum&number=0501234567") == want[:-2] + ',"paymentid":"%d"}}' % crc


if __name__ == "__main__":
    h.main(globals())
