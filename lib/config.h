/* The configuration of one Ubilling root: Ubilling's own ini files (read,
 * never written) and ubapi.ini. Reloaded when a file changes on disk, so an
 * operator's edit takes effect on the next request as it does with PHP. */
#ifndef UBAPI_CONFIG_H
#define UBAPI_CONFIG_H

#include <stdbool.h>
#include <sys/stat.h>

#include "ini.h"

enum config_file { CF_ALTER, CF_BILLING, CF_MYSQL, CF_UBAPI, CF_COUNT };

struct config_stamp {
	bool exists;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct config {
	char *root;
	struct ini *alter;      /* parse_ini_file semantics (library classes) */
	struct ini *alter_rcms; /* the remoteapi gates' own reader */
	struct ini *billing;
	struct ini *mysql;
	struct ini *ubapi;
	struct config_stamp stamps[CF_COUNT];
	unsigned generation;    /* bumped on every reload, so caches can notice */
};

/* Reads everything under root/config; missing files read as empty. */
void config_init(struct config *cfg, const char *root);
/* Re-reads whatever changed since the last look; true if anything did. */
bool config_refresh(struct config *cfg);
void config_free(struct config *cfg);

/* Getters with a default for a missing key. */
const char *cfg_alter(const struct config *cfg, const char *key, const char *def);
const char *cfg_alter_rcms(const struct config *cfg, const char *key, const char *def);
const char *cfg_billing(const struct config *cfg, const char *key, const char *def);
const char *cfg_mysql(const struct config *cfg, const char *key, const char *def);
const char *cfg_ubapi(const struct config *cfg, const char *key, const char *def);
long cfg_ubapi_long(const struct config *cfg, const char *key, long def);

/* root/rel, in a buffer the caller frees. */
char *cfg_path(const struct config *cfg, const char *rel);

#endif
