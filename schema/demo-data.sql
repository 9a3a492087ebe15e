-- Demo data: N subscribers with everything Ubilling keeps about them, made
-- set-based with MariaDB's Sequence engine (no loops, no client round trips).
--
--   mariadb DB -e 'SET @demo_users = 10000; SOURCE schema/demo-data.sql'
--   schema/demo-data.sh 10000 DB...          (the same, for several databases)
--
-- Works on ubapi's own schema (schema/ubapi.sql) and on Ubilling's real one.
-- It REPLACES the contents of the tables it fills: users, tariffs, realname,
-- phones, emails, contracts, city, street, build, apt, address, nethosts,
-- tagtypes, tags, vservices, switchmodels, switches.
--
-- Subscriber s (1..N, N <= 999999):
--   login demo000001..., 40 apartments a building, 10 buildings a street,
--   streets spread over up to 3 cities;
--   phone 044 + 7 digits, mobile +38050 + 7 digits (s zero-padded);
--   contract 100000 + s; IP 10.x.y.z and MAC 02:de:... (data only: nothing
--   ever sends to them); tariffs Demo-100/200/500/Day; every 50th frozen,
--   every 97th down, every 20th with credit, about one in five in debt;
--   tags: every 5th IPTV (a 50.00 virtual service), some Static IP (30.00)
--   and VIP. One switch a street, on 127.1.x.y so a poll stays on loopback.

SET NAMES utf8;
-- Ubilling's tables have NOT NULL columns without defaults (Userdata*, NAS).
SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION';
SET SESSION unique_checks = 0;

SET @n = LEAST(GREATEST(IFNULL(@demo_users, 1000), 1), 999999);
SET @builds = CEIL(@n / 40);
SET @streets = CEIL(@builds / 10);
SET @cities = LEAST(3, @streets);

TRUNCATE TABLE users;
TRUNCATE TABLE tariffs;
TRUNCATE TABLE realname;
TRUNCATE TABLE phones;
TRUNCATE TABLE emails;
TRUNCATE TABLE contracts;
TRUNCATE TABLE city;
TRUNCATE TABLE street;
TRUNCATE TABLE build;
TRUNCATE TABLE apt;
TRUNCATE TABLE address;
TRUNCATE TABLE nethosts;
TRUNCATE TABLE tagtypes;
TRUNCATE TABLE tags;
TRUNCATE TABLE vservices;
TRUNCATE TABLE switchmodels;
TRUNCATE TABLE switches;

START TRANSACTION;

INSERT INTO tariffs (name, Fee, Free, PassiveCost, TraffType, period) VALUES
  ('Demo-100', 100, 0, 0, 'up+down', 'month'),
  ('Demo-200', 200, 0, 0, 'up+down', 'month'),
  ('Demo-500', 500, 0, 0, 'up+down', 'month'),
  ('Demo-Day', 5, 0, 0, 'up+down', 'day');

INSERT INTO users (login, Password, Passive, Down, DisabledDetailStat, AlwaysOnline,
                   Tariff, Address, Phone, Email, Note, RealName, StgGroup, Credit,
                   TariffChange, Userdata0, Userdata1, Userdata2, Userdata3, Userdata4,
                   Userdata5, Userdata6, Userdata7, Userdata8, Userdata9, CreditExpire,
                   IP, Cash, NAS)
SELECT CONCAT('demo', LPAD(seq, 6, '0')),
       LEFT(MD5(CONCAT('demo-password-', seq)), 10),
       seq % 50 = 0, seq % 97 = 0, 1, 1,
       ELT(1 + seq % 10, 'Demo-100', 'Demo-200', 'Demo-100', 'Demo-500', 'Demo-200',
           'Demo-100', 'Demo-Day', 'Demo-200', 'Demo-500', 'Demo-100'),
       '', '', '', '', '', '', IF(seq % 20 = 0, 100, 0),
       '', '', '', '', '', '', '', '', '', '', '', 0,
       CONCAT('10.', (seq - 1) DIV 64000 % 256, '.', (seq - 1) DIV 250 % 256, '.', (seq - 1) % 250 + 2),
       (CAST(seq AS SIGNED) * 7919 % 1500) - 300 + (seq % 100) / 100,
       ''
FROM seq_1_to_999999 WHERE seq <= @n;

INSERT INTO realname (login, realname)
SELECT CONCAT('demo', LPAD(seq, 6, '0')),
       CONCAT(ELT(1 + (seq DIV 12) % 15, 'Шевченко', 'Коваленко', 'Бондаренко', 'Ткаченко',
                  'Кравченко', 'Олійник', 'Шевчук', 'Поліщук', 'Бойко', 'Ткачук',
                  'Мельник', 'Лисенко', 'Савченко', 'Руденко', 'Марченко'),
              ' ',
              ELT(1 + seq % 12, 'Олександр', 'Марія', 'Іван', 'Олена', 'Петро', 'Наталія',
                  'Андрій', 'Ірина', 'Сергій', 'Оксана', 'Тарас', 'Юлія'))
FROM seq_1_to_999999 WHERE seq <= @n;

INSERT INTO phones (login, phone, mobile)
SELECT CONCAT('demo', LPAD(seq, 6, '0')),
       CONCAT('044', LPAD(seq, 7, '0')),
       CONCAT('+38050', LPAD(seq, 7, '0'))
FROM seq_1_to_999999 WHERE seq <= @n;

INSERT INTO emails (login, email)
SELECT CONCAT('demo', LPAD(seq, 6, '0')), CONCAT('demo', LPAD(seq, 6, '0'), '@example.com')
FROM seq_1_to_999999 WHERE seq <= @n;

INSERT INTO contracts (login, contract)
SELECT CONCAT('demo', LPAD(seq, 6, '0')), CAST(100000 + seq AS CHAR)
FROM seq_1_to_999999 WHERE seq <= @n;

INSERT INTO city (id, cityname, cityalias)
SELECT seq, ELT(seq, 'Demograd', 'Testopil', 'Sampleville'), ELT(seq, 'DMG', 'TST', 'SMP')
FROM seq_1_to_3 WHERE seq <= @cities;

INSERT INTO street (id, cityid, streetname, streetalias)
SELECT seq, (seq - 1) % @cities + 1,
       CONCAT(ELT(1 + (seq - 1) % 8, 'Shevchenka', 'Franka', 'Lesi Ukrainky', 'Khreshchatyk',
                  'Sadova', 'Lisova', 'Nova', 'Tsentralna'),
              IF(seq > 8, CONCAT(' ', (seq - 1) DIV 8 + 1), '')),
       CONCAT('st', seq)
FROM seq_1_to_999999 WHERE seq <= @streets;

INSERT INTO build (id, streetid, buildnum, geo)
SELECT seq, (seq - 1) DIV 10 + 1, CAST((seq - 1) % 10 + 1 AS CHAR), NULL
FROM seq_1_to_999999 WHERE seq <= @builds;

INSERT INTO apt (id, buildid, entrance, floor, apt)
SELECT seq, (seq - 1) DIV 40 + 1, CAST((seq - 1) % 40 DIV 10 + 1 AS CHAR),
       CAST((seq - 1) % 10 DIV 2 + 1 AS CHAR), CAST((seq - 1) % 40 + 1 AS CHAR)
FROM seq_1_to_999999 WHERE seq <= @n;

INSERT INTO address (id, login, aptid)
SELECT seq, CONCAT('demo', LPAD(seq, 6, '0')), seq
FROM seq_1_to_999999 WHERE seq <= @n;

INSERT INTO nethosts (netid, ip, mac, `option`)
SELECT 1,
       CONCAT('10.', (seq - 1) DIV 64000 % 256, '.', (seq - 1) DIV 250 % 256, '.', (seq - 1) % 250 + 2),
       LOWER(CONCAT('02:de:', LPAD(HEX(seq >> 24 & 255), 2, '0'), ':', LPAD(HEX(seq >> 16 & 255), 2, '0'),
                    ':', LPAD(HEX(seq >> 8 & 255), 2, '0'), ':', LPAD(HEX(seq & 255), 2, '0'))),
       NULL
FROM seq_1_to_999999 WHERE seq <= @n;

INSERT INTO tagtypes (id, tagname, tagcolor, tagsize) VALUES
  (1, 'IPTV', '#3366CC', 2),
  (2, 'Static IP', '#CC6633', 2),
  (3, 'VIP', '#33AA33', 3);

INSERT INTO tags (tagid, login)
SELECT 1, CONCAT('demo', LPAD(seq, 6, '0')) FROM seq_1_to_999999 WHERE seq <= @n AND seq % 5 = 0
UNION ALL
SELECT 2, CONCAT('demo', LPAD(seq, 6, '0')) FROM seq_1_to_999999 WHERE seq <= @n AND seq % 10 = 3
UNION ALL
SELECT 3, CONCAT('demo', LPAD(seq, 6, '0')) FROM seq_1_to_999999 WHERE seq <= @n AND seq % 50 = 7;

INSERT INTO vservices (id, tagid, price, cashtype, priority, fee_charge_always,
                       charge_period_days, exclude_tags, archived) VALUES
  (1, 1, 50, 'stargazer', 1, 1, 0, '', 0),
  (2, 2, 30, 'stargazer', 2, 0, 0, '', 0);

INSERT INTO switchmodels (id, modelname, ports, snmptemplate) VALUES
  (1, 'Demo Switch 24', 24, 'DEMO.ini');

INSERT INTO switches (id, modelid, ip, `desc`, location, snmp, geo, parentid, swid, snmpwrite)
SELECT seq, 1,
       CONCAT('127.1.', seq DIV 250 % 256, '.', seq % 250 + 1),
       CONCAT('Demo switch ', seq),
       CONCAT(ELT(1 + (seq - 1) % 8, 'Shevchenka', 'Franka', 'Lesi Ukrainky', 'Khreshchatyk',
                  'Sadova', 'Lisova', 'Nova', 'Tsentralna'),
              IF(seq > 8, CONCAT(' ', (seq - 1) DIV 8 + 1), ''), ' 1'),
       'public', NULL, IF(seq = 1, NULL, 1),
       LOWER(CONCAT('02:5e:00:00:', LPAD(HEX(seq >> 8 & 255), 2, '0'), ':', LPAD(HEX(seq & 255), 2, '0'))),
       NULL
FROM seq_1_to_999999 WHERE seq <= @streets;

COMMIT;

SET SESSION unique_checks = 1;
SELECT @n AS demo_users, @builds AS buildings, @streets AS streets, @cities AS cities;
