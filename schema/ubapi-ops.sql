-- Tables of the maintenance actions (backupdb, autocleandb, cachedog,
-- rebuildglscache, feesharvester) that schema/ubapi.sql and the other
-- schema/ubapi-*.sql lack. Ubilling's names and types, InnoDB.
-- Stargazer's per-month logs_MM_YYYY / detailstat_MM_YYYY tables are
-- created by Stargazer itself (and by the tests), so they are not here.

CREATE TABLE IF NOT EXISTS `fees` (
  `id` int NOT NULL AUTO_INCREMENT,
  `hash` varchar(42) NOT NULL,
  `login` varchar(64) NOT NULL,
  `date` datetime NOT NULL,
  `admin` varchar(64) DEFAULT NULL,
  `from` double DEFAULT NULL,
  `to` double DEFAULT NULL,
  `summ` double DEFAULT NULL,
  `note` varchar(200) DEFAULT NULL,
  `cashtype` int DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`),
  KEY `date` (`date`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `condet` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(255) DEFAULT NULL,
  `seal` varchar(40) DEFAULT NULL,
  `length` varchar(40) DEFAULT NULL,
  `price` varchar(40) DEFAULT NULL,
  `term` int DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
