/* remotedhcp: the generated dhcpd configs as one JSON object, for remote
 * DHCP servers to pull (spec actions-network.md §3). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "actions.h"
#include "networks.h"
#include "phpjson.h"
#include "switches.h"
#include "util.h"

/* PHP trim()'s default set (NUL cannot occur in a C string) */
static char *php_trim(const char *s)
{
	static const char set[] = " \t\n\r\v";
	while (*s && strchr(set, *s))
		s++;
	size_t n = strlen(s);
	while (n && strchr(set, s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* The client writes each key as a file in its own multinet/ */
static bool name_ok(const char *name)
{
	return *name && !strchr(name, '/') && !strstr(name, "..");
}

/* {"content":"<file>"} or the placeholder text; -1 on invalid UTF-8 */
static int entry(struct req *r, const char *name, bool main_conf, struct sbuf *out)
{
	struct sbuf rel = SBUF_INIT;
	sbuf_printf(&rel, "multinet/%s", name);
	char *path = cfg_path(r->cfg, sbuf_str(&rel));
	sbuf_free(&rel);
	struct stat st;
	size_t len = 0;
	char *data = stat(path, &st) == 0 && S_ISREG(st.st_mode) ? file_get(path, &len) : NULL;
	free(path);
	struct sbuf missing = SBUF_INIT;
	if (!data) {
		if (main_conf)
			sbuf_puts(&missing, "#EX_DHCPDCONF_NOT_EXISTS");
		else
			sbuf_printf(&missing, "#%s_NOT_EXISTS", name);
	}
	sbuf_puts(out, "{\"content\":");
	int rc = data ? phpjson_string(data, len, out)
		      : phpjson_string(sbuf_str(&missing), missing.len, out);
	sbuf_putc(out, '}');
	free(data);
	sbuf_free(&missing);
	return rc;
}

void cmd_remotedhcp(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "REMOTEDHCP_ENABLED", ""))) {
		reply_text(r, "ERROR:REMOTEDHCP_DISABLED");
		return;
	}
	struct db_rows rows;
	if (db_query(r->db, &rows, "SELECT `confname` FROM `dhcp` ORDER BY `id` ASC", "") != 0) {
		reply_db_error(r);
		return;
	}
	if (rows.nrows == 0) {
		db_rows_free(&rows);
		reply_text(r, "[]");
		reply_set_type(r, CT_JSON);
		return;
	}
	/* entry 0 is the global config; a row named dhcpd.conf takes its
	 * value but not its place, as a repeated PHP array key does */
	size_t n = rows.nrows + 1;
	char **names = xcalloc(n, sizeof *names);
	struct pmap m = { 0 };
	names[0] = xstrdup("dhcpd.conf");
	pmap_put(&m, names[0], 0);
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *c = db_cell(&rows, i, 0);
		names[i + 1] = php_trim(c ? c : "");
		if (name_ok(names[i + 1]))
			pmap_put(&m, names[i + 1], i + 1);
	}
	pmap_done(&m);
	struct sbuf out = SBUF_INIT;
	int rc = 0;
	sbuf_putc(&out, '{');
	for (size_t i = 0; i < m.n && rc == 0; i++) {
		const struct pmap_ent *e = pmap_at(&m, i);
		if (i)
			sbuf_putc(&out, ',');
		rc = phpjson_string(e->key, strlen(e->key), &out);
		sbuf_putc(&out, ':');
		if (rc == 0)
			rc = entry(r, e->key, e->idx == 0, &out);
	}
	sbuf_putc(&out, '}');
	if (rc != 0) {
		/* PHP's json_encode gives false and an empty body */
		reply_text(r, "ERROR:REMOTEDHCP_BAD_ENCODING");
	} else {
		reply_text(r, sbuf_str(&out));
		reply_set_type(r, CT_JSON);
	}
	sbuf_free(&out);
	pmap_free(&m);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	db_rows_free(&rows);
}
