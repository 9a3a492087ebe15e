/* fdbarchive: copies every switch FDB cache (exports/<ip>_fdb with its
 * _vlan and _portdescr companions) and, with PON, every OLT FDB container
 * into fdbarchive, byte for byte, then deletes snapshots older than
 * FDBARCHIVE_MAX_AGE days. */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "switches.h"
#include "util.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static char **list_dir(const char *dir, const char *suffix, size_t *n)
{
	*n = 0;
	char **v = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !ends_with(e->d_name, suffix))
			continue;
		v = xrealloc(v, (*n + 1) * sizeof *v);
		v[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof *v, php_natcmp_ptr);
	return v;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* the first dotted quad in a file name */
static bool first_ip(const char *s, char out[16])
{
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p) || (p > s && isdigit((unsigned char)p[-1])))
			continue;
		unsigned a, b, c, d;
		int len = 0;
		if (sscanf(p, "%3u.%3u.%3u.%3u%n", &a, &b, &c, &d, &len) == 4) {
			snprintf(out, 16, "%.*s", len > 15 ? 15 : len, p);
			return true;
		}
	}
	return false;
}

static char *read_or_empty(const struct config *cfg, const char *name, size_t *len)
{
	char *p = exports_path(cfg, name);
	char *v = file_get(p, len);
	free(p);
	if (!v) {
		v = xstrdup("");
		if (len)
			*len = 0;
	}
	return v;
}

static int archive_switches(struct req *r, const char *date)
{
	char *dir = cfg_path(r->cfg, "exports");
	size_t n;
	char **files = list_dir(dir, "_fdb", &n);
	free(dir);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		size_t len;
		char *data = read_or_empty(r->cfg, files[i], &len);
		if (len == 0) {
			free(data);
			continue;
		}
		struct sbuf nv = SBUF_INIT, np = SBUF_INIT;
		sbuf_printf(&nv, "%s_vlan", files[i]);
		sbuf_printf(&np, "%s_portdescr", files[i]);
		char *vlan = read_or_empty(r->cfg, sbuf_str(&nv), NULL);
		char *pdescr = read_or_empty(r->cfg, sbuf_str(&np), NULL);
		char ip[16] = "";
		first_ip(files[i], ip);
		bool err = false;
		char *devid = db_value(r->db, &err, "SELECT `id` FROM `switches` WHERE `ip`=? ORDER BY `id` LIMIT 1",
				       "s", ip);
		if (err ||
		    db_exec(r->db,
			    "INSERT INTO `fdbarchive` (`date`,`devid`,`devip`,`data`,`datavlan`,`dataportdescr`,`pon`) "
			    "VALUES (?,?,?,?,?,?,0)",
			    "ssssss", date, devid ? devid : "0", ip, data, vlan, pdescr) < 0)
			rc = -1;
		free(devid);
		free(vlan);
		free(pdescr);
		sbuf_free(&nv);
		sbuf_free(&np);
		free(data);
	}
	free_list(files, n);
	return rc;
}

static int archive_olts(struct req *r)
{
	char date[20];
	clock_format_datetime(clock_now(), date);
	char *dir = cfg_path(r->cfg, "exports/pondata/fdb");
	size_t n;
	char **files = list_dir(dir, "_OLTFDB", &n);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct sbuf path = SBUF_INIT;
		sbuf_printf(&path, "%s/%s", dir, files[i]);
		size_t len = 0;
		char *data = file_get(sbuf_str(&path), &len);
		sbuf_free(&path);
		if (!data || len == 0) {
			free(data);
			continue;
		}
		struct sbuf id = SBUF_INIT;
		for (const char *c = files[i]; *c; c++)
			if (isdigit((unsigned char)*c))
				sbuf_putc(&id, *c);
		const char *oltid = id.len ? sbuf_str(&id) : "0";
		bool err = false;
		char *ip = db_value(r->db, &err, "SELECT `ip` FROM `switches` WHERE `id`=?", "s", oltid);
		if (err || db_exec(r->db,
				   "INSERT INTO `fdbarchive` (`date`,`devid`,`devip`,`data`,`pon`) VALUES (?,?,?,?,1)",
				   "ssss", date, oltid, ip ? ip : "", data) < 0)
			rc = -1;
		free(ip);
		sbuf_free(&id);
		free(data);
	}
	free_list(files, n);
	free(dir);
	return rc;
}

void cmd_fdbarchive(struct req *r)
{
	char date[20];
	clock_format_datetime(r->now, date);
	int rc = archive_switches(r, date);
	if (rc == 0 && php_truthy(cfg_alter(r->cfg, "PON_ENABLED", "0")))
		rc = archive_olts(r);
	const char *age = cfg_alter(r->cfg, "FDBARCHIVE_MAX_AGE", "3");
	if (rc == 0 && str_is_digits(age) && strlen(age) < 6 && atol(age) > 0) {
		char cutoff[20];
		clock_format_datetime(r->now - (time_t)atol(age) * 86400, cutoff);
		if (db_exec(r->db, "DELETE FROM `fdbarchive` WHERE `date` <= ?", "s", cutoff) < 0)
			rc = -1;
	}
	if (rc != 0)
		reply_db_error(r);
	else
		reply_text(r, "OK:FDBARCHIVE");
}
