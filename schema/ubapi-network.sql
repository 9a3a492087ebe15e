-- Multinet and traffic tables the network actions read (spec
-- actions-network.md), with Ubilling's names and types (ubilling.sql).

CREATE TABLE IF NOT EXISTS `networks` (
  `id` int NOT NULL AUTO_INCREMENT,
  `startip` varchar(45) NOT NULL,
  `endip` varchar(45) NOT NULL,
  `desc` varchar(45) NOT NULL,
  `nettype` varchar(20) NOT NULL,
  `use_radius` tinyint(1) NOT NULL DEFAULT '0',
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `dhcp` (
  `id` int NOT NULL AUTO_INCREMENT,
  `netid` int NOT NULL,
  `dhcpconfig` text,
  `confname` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `mlg_ishimura` (
  `login` varchar(50) DEFAULT NULL,
  `month` tinyint DEFAULT NULL,
  `year` smallint DEFAULT NULL,
  `U0` bigint DEFAULT NULL,
  `D0` bigint DEFAULT NULL,
  `cash` double DEFAULT NULL,
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ophtraff` (
  `id` int NOT NULL AUTO_INCREMENT,
  `login` varchar(50) NOT NULL,
  `month` tinyint NOT NULL,
  `year` smallint NOT NULL,
  `U0` bigint DEFAULT NULL,
  `D0` bigint DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `login` (`login`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
