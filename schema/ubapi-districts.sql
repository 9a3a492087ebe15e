-- districtscache (spec actions-ops.md §5.5): Ubilling's district tables.
CREATE TABLE IF NOT EXISTS `districtnames` (
  `id` int NOT NULL AUTO_INCREMENT,
  `name` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `districtdata` (
  `id` int NOT NULL AUTO_INCREMENT,
  `districtid` int NOT NULL,
  `cityid` int DEFAULT NULL,
  `streetid` int DEFAULT NULL,
  `buildid` int DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
