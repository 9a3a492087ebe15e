#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"
#include "util.h"

static const char *const config_names[CF_COUNT] = {
	[CF_ALTER] = "config/alter.ini",
	[CF_BILLING] = "config/billing.ini",
	[CF_MYSQL] = "config/mysql.ini",
	[CF_UBAPI] = "config/ubapi.ini",
};

char *cfg_path(const struct config *cfg, const char *rel)
{
	struct sbuf p = SBUF_INIT;
	sbuf_printf(&p, "%s/%s", cfg->root, rel);
	return sbuf_detach(&p);
}

static struct config_stamp stamp_of(const char *path)
{
	struct config_stamp st = { 0 };
	struct stat sb;
	if (stat(path, &sb) == 0) {
		st.exists = true;
		st.dev = sb.st_dev;
		st.ino = sb.st_ino;
		st.size = sb.st_size;
		st.mtime = sb.st_mtim;
	}
	return st;
}

static bool stamp_equal(const struct config_stamp *a, const struct config_stamp *b)
{
	return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino &&
	       a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static struct ini *load_or_empty(const char *path, enum ini_dialect d)
{
	struct ini *ini = ini_load(path, d);
	return ini ? ini : ini_parse("", 0, d);
}

static void reload_file(struct config *cfg, enum config_file f, const char *path)
{
	switch (f) {
	case CF_ALTER:
		ini_free(cfg->alter);
		ini_free(cfg->alter_rcms);
		cfg->alter = load_or_empty(path, INI_PHP);
		cfg->alter_rcms = load_or_empty(path, INI_RCMS);
		break;
	case CF_BILLING:
		ini_free(cfg->billing);
		cfg->billing = load_or_empty(path, INI_PHP);
		break;
	case CF_MYSQL:
		ini_free(cfg->mysql);
		cfg->mysql = load_or_empty(path, INI_PHP);
		break;
	case CF_UBAPI:
		ini_free(cfg->ubapi);
		cfg->ubapi = load_or_empty(path, INI_PHP);
		break;
	case CF_COUNT:
		break;
	}
}

bool config_refresh(struct config *cfg)
{
	bool changed = false;
	for (int f = 0; f < CF_COUNT; f++) {
		char *path = cfg_path(cfg, config_names[f]);
		struct config_stamp now = stamp_of(path);
		bool loaded = f == CF_ALTER ? cfg->alter != NULL
			    : f == CF_BILLING ? cfg->billing != NULL
			    : f == CF_MYSQL ? cfg->mysql != NULL : cfg->ubapi != NULL;
		if (!loaded || !stamp_equal(&now, &cfg->stamps[f])) {
			reload_file(cfg, (enum config_file)f, path);
			cfg->stamps[f] = now;
			changed = true;
		}
		free(path);
	}
	if (changed)
		cfg->generation++;
	return changed;
}

void config_init(struct config *cfg, const char *root)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->root = xstrdup(root);
	config_refresh(cfg);
}

void config_free(struct config *cfg)
{
	ini_free(cfg->alter);
	ini_free(cfg->alter_rcms);
	ini_free(cfg->billing);
	ini_free(cfg->mysql);
	ini_free(cfg->ubapi);
	free(cfg->root);
	memset(cfg, 0, sizeof *cfg);
}

static const char *get_or(const struct ini *ini, const char *key, const char *def)
{
	const char *v = ini_get(ini, key);
	return v ? v : def;
}

const char *cfg_alter(const struct config *cfg, const char *key, const char *def)
{
	return get_or(cfg->alter, key, def);
}

const char *cfg_alter_rcms(const struct config *cfg, const char *key, const char *def)
{
	return get_or(cfg->alter_rcms, key, def);
}

const char *cfg_billing(const struct config *cfg, const char *key, const char *def)
{
	return get_or(cfg->billing, key, def);
}

const char *cfg_mysql(const struct config *cfg, const char *key, const char *def)
{
	return get_or(cfg->mysql, key, def);
}

const char *cfg_ubapi(const struct config *cfg, const char *key, const char *def)
{
	return get_or(cfg->ubapi, key, def);
}

long cfg_ubapi_long(const struct config *cfg, const char *key, long def)
{
	const char *v = ini_get(cfg->ubapi, key);
	if (!v || !*v)
		return def;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end)
		return def;
	return n;
}
