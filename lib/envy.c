#include "envy.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "runcmd.h"
#include "stardust.h"
#include "switches.h"
#include "util.h"
#include "weblog.h"

struct envy_dev {
	char *switchid, *ip, *script_path;
	char *script;       /* NULL: the model has no script */
	long cutstart, cutend;
	bool locked;
	struct sbuf out;
};

char *envy_cut(const char *out, long cutstart, long cutend)
{
	if (!cutstart && !cutend)
		return xstrdup(out);
	size_t n = 1;
	for (const char *p = out; *p; p++)
		n += *p == '\n';
	struct sbuf b = SBUF_INIT;
	sbuf_puts(&b, "");
	size_t i = 0;
	for (const char *p = out;; i++) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if ((long)i >= cutstart && (long long)i < (long long)n - cutend)
			sbuf_add(&b, p, len);
		if (!e)
			break;
		p = e + 1;
	}
	return sbuf_detach(&b);
}

static void macro(struct sbuf *b, const char *name, const char *value, const char *empty)
{
	const char *v = php_truthy(value) ? value : empty;
	char *cur = sbuf_detach(b);
	size_t nl = strlen(name);
	for (const char *p = cur;;) {
		const char *hit = strstr(p, name);
		if (!hit) {
			sbuf_puts(b, p);
			break;
		}
		sbuf_add(b, p, (size_t)(hit - p));
		sbuf_puts(b, v);
		p = hit + nl;
	}
	free(cur);
}

struct pool {
	struct envy_dev *d;
	size_t n, next;
	char **cmd;
	size_t cmdc;
	int timeout_ms;
	pthread_mutex_t mu;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->mu);
		size_t i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			return NULL;
		struct envy_dev *d = &p->d[i];
		if (!d->locked || !d->script)
			continue;
		char **argv = xcalloc(p->cmdc + 2, sizeof *argv);
		for (size_t k = 0; k < p->cmdc; k++)
			argv[k] = p->cmd[k];
		argv[p->cmdc] = d->script_path;
		struct spawn_result res;
		spawn_run(argv, p->timeout_ms, 16u << 20, &d->out, &res);
		free(argv);
	}
}

int envy_run(struct req *r, const char *only_switchid, int parallel)
{
	struct db_rows rows;
	int rc = only_switchid
			 ? db_query(r->db, &rows,
				    "SELECT d.`switchid`, s.`ip`, d.`login`, d.`password`, d.`enablepassword`, d.`custom1`, "
				    "d.`port`, d.`cutstart`, d.`cutend`, (SELECT e.`data` FROM `envyscripts` e WHERE "
				    "e.`modelid`=s.`modelid` ORDER BY e.`id` DESC LIMIT 1), d.`active` FROM `envydevices` d "
				    "JOIN `switches` s ON s.`id`=d.`switchid` WHERE d.`switchid`=? ORDER BY d.`id` DESC LIMIT 1",
				    "s", only_switchid)
			 : db_query(r->db, &rows,
				    "SELECT d.`switchid`, s.`ip`, d.`login`, d.`password`, d.`enablepassword`, d.`custom1`, "
				    "d.`port`, d.`cutstart`, d.`cutend`, (SELECT e.`data` FROM `envyscripts` e WHERE "
				    "e.`modelid`=s.`modelid` ORDER BY e.`id` DESC LIMIT 1), d.`active` FROM `envydevices` d "
				    "JOIN (SELECT MAX(`id`) AS `id`, MIN(`id`) AS `first` FROM `envydevices` GROUP BY `switchid`) l "
				    "ON l.`id`=d.`id` JOIN `switches` s ON s.`id`=d.`switchid` ORDER BY l.`first`",
				    "");
	if (rc != 0)
		return -1;
	struct envy_dev *d = xcalloc(rows.nrows ? rows.nrows : 1, sizeof *d);
	size_t n = 0;
	for (size_t i = 0; i < rows.nrows; i++) {
		const char *active = db_cell(&rows, i, 10), *ip = db_cell(&rows, i, 1);
		if (!php_truthy(active) || !ip || !*ip)
			continue;
		struct envy_dev *e = &d[n++];
		e->switchid = xstrdup(db_cell(&rows, i, 0));
		e->ip = xstrdup(ip);
		e->cutstart = db_cell(&rows, i, 7) ? atol(db_cell(&rows, i, 7)) : 0;
		e->cutend = db_cell(&rows, i, 8) ? atol(db_cell(&rows, i, 8)) : 0;
		struct sbuf lock = SBUF_INIT;
		sbuf_printf(&lock, "ENVYPROC_%s", ip);
		e->locked = stardust_start(r->db, sbuf_str(&lock)) == 1;
		sbuf_free(&lock);
		const char *data = db_cell(&rows, i, 9);
		if (!e->locked || !data)
			continue;
		struct sbuf s = SBUF_INIT;
		sbuf_puts(&s, data);
		macro(&s, "{IP}", ip, "");
		macro(&s, "{LOGIN}", db_cell(&rows, i, 2), "empty_login");
		macro(&s, "{PASSWORD}", db_cell(&rows, i, 3), "empty_password");
		macro(&s, "{ENABLEPASSWORD}", db_cell(&rows, i, 4), "empty_enablepassword");
		macro(&s, "{CUSTOM1}", db_cell(&rows, i, 5), "empty_custom1");
		macro(&s, "{PORT}", db_cell(&rows, i, 6), "empty_port");
		e->script = sbuf_detach(&s);
		struct sbuf name = SBUF_INIT;
		sbuf_printf(&name, "ENVYSCRIPT_%s", e->switchid);
		e->script_path = exports_path(r->cfg, sbuf_str(&name));
		sbuf_free(&name);
		/* it holds device passwords */
		file_put(e->script_path, e->script, strlen(e->script), 0600);
	}
	db_rows_free(&rows);
	struct pool p = { d, n, 0, NULL, 0, 0, PTHREAD_MUTEX_INITIALIZER };
	p.cmd = spawn_argv_split(cfg_billing(r->cfg, "EXPECT_PATH", "/usr/local/bin/expect -f"), 0, &p.cmdc);
	p.timeout_ms = (int)cfg_ubapi_long(r->cfg, "envy_timeout_s", 300) * 1000;
	if (parallel < 1)
		parallel = 1;
	if ((size_t)parallel > n)
		parallel = n ? (int)n : 1;
	pthread_t *th = xcalloc((size_t)parallel, sizeof *th);
	int started = 0;
	if (p.cmdc > 0) {
		for (int k = 1; k < parallel; k++)
			if (pthread_create(&th[started], NULL, worker, &p) == 0)
				started++;
		worker(&p);
		for (int k = 0; k < started; k++)
			pthread_join(th[k], NULL);
	}
	free(th);
	spawn_argv_free(p.cmd);
	rc = 0;
	char date[20];
	clock_format_datetime(r->now, date);
	for (size_t i = 0; i < n; i++) {
		struct envy_dev *e = &d[i];
		if (e->locked && rc == 0) {
			char *cfgtext = envy_cut(sbuf_str(&e->out), e->cutstart, e->cutend);
			if (db_exec(r->db, "INSERT INTO `envydata` (`switchid`,`date`,`config`) VALUES (?,?,?)", "sss",
				    e->switchid, date, cfgtext) < 0 ||
			    weblog(r, "ENVY STORE ARCHIVE SWITCHID [%s]", e->switchid) != 0)
				rc = -1;
			free(cfgtext);
		}
		if (e->locked) {
			struct sbuf lock = SBUF_INIT;
			sbuf_printf(&lock, "ENVYPROC_%s", e->ip);
			stardust_stop(r->db, sbuf_str(&lock));
			sbuf_free(&lock);
		}
		free(e->switchid);
		free(e->ip);
		free(e->script);
		free(e->script_path);
		sbuf_free(&e->out);
	}
	free(d);
	return rc;
}
