-- mikrotikdnshaper (spec actions-network.md §6): Ubilling's time windows of
-- the dynamic shaper. nas, speeds, nethosts and users come from the other
-- schema files.
CREATE TABLE IF NOT EXISTS `dshape_time` (
  `id` int NOT NULL AUTO_INCREMENT,
  `tariff` varchar(255) NOT NULL,
  `threshold1` time NOT NULL,
  `threshold2` time NOT NULL,
  `speed` int NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
