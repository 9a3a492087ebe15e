-- Visor (camera accounts) tables read by visorcharge (spec actions-services.md §6):
-- Ubilling's columns (ubilling.sql), InnoDB.
CREATE TABLE IF NOT EXISTS `visor_users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `regdate` datetime NOT NULL,
  `realname` varchar(250) DEFAULT NULL,
  `phone` varchar(40) DEFAULT NULL,
  `chargecams` tinyint NOT NULL,
  `primarylogin` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `primarylogin` (`primarylogin`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `visor_cams` (
  `id` int NOT NULL AUTO_INCREMENT,
  `visorid` int NOT NULL,
  `login` varchar(250) NOT NULL,
  `primary` tinyint NOT NULL,
  `camlogin` varchar(250) DEFAULT NULL,
  `campassword` varchar(250) DEFAULT NULL,
  `port` int DEFAULT NULL,
  `dvrid` int DEFAULT NULL,
  `dvrlogin` varchar(250) DEFAULT NULL,
  `dvrpassword` varchar(250) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
