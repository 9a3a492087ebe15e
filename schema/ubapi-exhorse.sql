-- Tables exhorse (the monthly statistics snapshot) reads or writes that
-- schema/ubapi.sql and the other family files lack: Ubilling's own
-- definitions, InnoDB. exhorse carries the ct_* columns of update 1.6.3,
-- which the base ubilling.sql lacks (ubapi writes whichever columns exist).
CREATE TABLE IF NOT EXISTS `exhorse` (
  `id` int NOT NULL AUTO_INCREMENT,
  `date` datetime NOT NULL,
  `u_totalusers` int DEFAULT NULL,
  `u_activeusers` int DEFAULT NULL,
  `u_inactiveusers` int DEFAULT NULL,
  `u_frozenusers` int DEFAULT NULL,
  `u_complextotal` int DEFAULT NULL,
  `u_complexactive` int DEFAULT NULL,
  `u_complexinactive` int DEFAULT NULL,
  `u_signups` int DEFAULT NULL,
  `u_citysignups` text,
  `f_totalmoney` double DEFAULT NULL,
  `f_paymentscount` int DEFAULT NULL,
  `f_cashmoney` double DEFAULT NULL,
  `f_cashcount` int DEFAULT NULL,
  `f_arpu` double DEFAULT NULL,
  `f_arpau` double DEFAULT NULL,
  `c_totalusers` int DEFAULT NULL,
  `c_activeusers` int DEFAULT NULL,
  `c_inactiveusers` int DEFAULT NULL,
  `c_illegal` int DEFAULT NULL,
  `c_complex` int DEFAULT NULL,
  `c_social` int DEFAULT NULL,
  `c_totalmoney` double DEFAULT NULL,
  `c_paymentscount` int DEFAULT NULL,
  `c_arpu` double DEFAULT NULL,
  `c_arpau` double DEFAULT NULL,
  `c_totaldebt` double DEFAULT NULL,
  `c_signups` int DEFAULT NULL,
  `a_totalcalls` int DEFAULT NULL,
  `a_totalanswered` int DEFAULT NULL,
  `a_totalcallsduration` int DEFAULT NULL,
  `a_averagecallduration` int DEFAULT NULL,
  `e_switches` int DEFAULT NULL,
  `e_pononu` int DEFAULT NULL,
  `e_docsis` int DEFAULT NULL,
  `a_recallunsuccess` double DEFAULT NULL,
  `a_recalltrytime` int DEFAULT NULL,
  `e_deadswintervals` int DEFAULT NULL,
  `t_sigreq` int DEFAULT NULL,
  `t_tickets` int DEFAULT NULL,
  `t_tasks` int DEFAULT NULL,
  `t_capabtotal` int DEFAULT NULL,
  `t_capabundone` int DEFAULT NULL,
  `a_outtotalcalls` int DEFAULT NULL,
  `a_outtotalanswered` int DEFAULT NULL,
  `a_outtotalcallsduration` int DEFAULT NULL,
  `a_outaveragecallduration` int DEFAULT NULL,
  `ct_totalusers` int DEFAULT NULL,
  `ct_activeusers` int DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ukv_users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `contract` varchar(40) DEFAULT NULL,
  `tariffid` int DEFAULT NULL,
  `tariffnmid` int DEFAULT NULL,
  `tariffnmdate` varchar(20) DEFAULT NULL,
  `cash` double NOT NULL,
  `active` tinyint NOT NULL,
  `realname` varchar(255) DEFAULT NULL,
  `passnum` varchar(40) DEFAULT NULL,
  `passwho` varchar(255) DEFAULT NULL,
  `passdate` date DEFAULT NULL,
  `paddr` varchar(255) DEFAULT NULL,
  `ssn` varchar(40) DEFAULT NULL,
  `phone` varchar(40) DEFAULT NULL,
  `mobile` varchar(40) DEFAULT NULL,
  `regdate` datetime NOT NULL,
  `city` varchar(40) DEFAULT NULL,
  `street` varchar(255) DEFAULT NULL,
  `build` varchar(40) DEFAULT NULL,
  `apt` varchar(20) DEFAULT NULL,
  `inetlogin` varchar(40) DEFAULT NULL,
  `cableseal` varchar(40) DEFAULT NULL,
  `notes` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `contract` (`contract`),
  KEY `tariffid` (`tariffid`),
  KEY `cash` (`cash`),
  KEY `active` (`active`),
  KEY `regdate` (`regdate`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ukv_tariffs` (
  `id` int NOT NULL AUTO_INCREMENT,
  `tariffname` varchar(255) NOT NULL,
  `price` double NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ukv_payments` (
  `id` int NOT NULL AUTO_INCREMENT,
  `userid` int NOT NULL,
  `date` datetime NOT NULL,
  `admin` varchar(255) DEFAULT NULL,
  `balance` varchar(45) NOT NULL,
  `summ` varchar(45) NOT NULL,
  `visible` tinyint NOT NULL,
  `cashtypeid` int NOT NULL,
  `note` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `userid` (`userid`,`date`,`visible`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `modems` (
  `id` int NOT NULL AUTO_INCREMENT,
  `maclan` varchar(255) NOT NULL,
  `macusb` varchar(255) NOT NULL,
  `date` date DEFAULT NULL,
  `ip` varchar(25) NOT NULL,
  `conftemplate` varchar(20) NOT NULL,
  `userbind` varchar(100) DEFAULT NULL,
  `nic` varchar(100) NOT NULL,
  `note` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `ct_auth` (
  `id` int NOT NULL AUTO_INCREMENT,
  `chatid` varchar(40) NOT NULL,
  `login` varchar(64) NOT NULL,
  `password` varchar(64) NOT NULL,
  `date` datetime DEFAULT NULL,
  `active` tinyint(1) NOT NULL DEFAULT '1',
  PRIMARY KEY (`id`),
  KEY `idx_chatid` (`chatid`),
  KEY `idx_login` (`login`),
  KEY `idx_active` (`active`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `sigreq` (
  `id` int NOT NULL AUTO_INCREMENT,
  `date` datetime NOT NULL,
  `state` tinyint NOT NULL,
  `ip` varchar(40) NOT NULL,
  `street` varchar(255) NOT NULL,
  `build` varchar(40) NOT NULL,
  `apt` varchar(40) NOT NULL,
  `realname` varchar(255) NOT NULL,
  `phone` varchar(255) NOT NULL,
  `service` varchar(255) NOT NULL,
  `notes` text,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `taskman` (
  `id` int NOT NULL AUTO_INCREMENT,
  `date` datetime NOT NULL,
  `address` varchar(255) NOT NULL,
  `login` varchar(255) DEFAULT NULL,
  `jobtype` int NOT NULL,
  `jobnote` text CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci,
  `phone` varchar(255) DEFAULT NULL,
  `employee` int NOT NULL,
  `employeedone` int DEFAULT NULL,
  `donenote` text CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci,
  `startdate` date NOT NULL,
  `starttime` time DEFAULT NULL,
  `enddate` date DEFAULT NULL,
  `admin` varchar(255) DEFAULT NULL,
  `status` int NOT NULL,
  `smsdata` text,
  `change_admin` varchar(255) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `status` (`status`),
  KEY `login` (`login`),
  KEY `starttime` (`starttime`),
  KEY `address` (`address`),
  KEY `startdate` (`startdate`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `capab` (
  `id` int NOT NULL AUTO_INCREMENT,
  `date` datetime NOT NULL,
  `address` varchar(255) DEFAULT NULL,
  `phone` varchar(255) DEFAULT NULL,
  `stateid` int NOT NULL DEFAULT '0',
  `notes` text,
  `price` varchar(255) DEFAULT NULL,
  `employeeid` int DEFAULT NULL,
  `donedate` datetime DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `date` (`date`),
  KEY `state` (`stateid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
