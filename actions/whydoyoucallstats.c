/* whydoyoucallstats: one wdycinfo row with the day's missed-call figures
 * from the files whydoyoucall wrote. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "clock.h"
#include "phpser.h"
#include "util.h"

static cJSON *read_ser(struct req *r, const char *rel)
{
	char *path = cfg_path(r->cfg, rel);
	FILE *f = fopen(path, "rb");
	free(path);
	if (!f)
		return NULL;
	struct sbuf b = SBUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (64u << 20))
		sbuf_add(&b, chunk, n);
	fclose(f);
	cJSON *v = b.len ? phpser_parse(b.s, b.len) : NULL;
	sbuf_free(&b);
	return v;
}

void cmd_whydoyoucallstats(struct req *r)
{
	if (!php_truthy(cfg_alter_rcms(r->cfg, "WDYC_ENABLED", ""))) {
		reply_text(r, "ERROR: WDYC DISABLED");
		return;
	}
	cJSON *missed = read_ser(r, "exports/whydoyoucall.dat");
	cJSON *recalled = read_ser(r, "exports/whydoyourecall.dat");
	long missedcount = 0, recalls = 0, unsucc = 0;
	double trytime = 0;
	struct sbuf numbers = SBUF_INIT;
	sbuf_puts(&numbers, "");
	const cJSON *e;
	cJSON_ArrayForEach(e, missed)
	{
		char idx[32];
		const char *key = e->string;
		if (!key) { /* a PHP list: keys are 0..n-1 */
			snprintf(idx, sizeof idx, "%ld", missedcount);
			key = idx;
		}
		if (strstr(key, "anonymous"))
			continue;
		missedcount++;
		sbuf_printf(&numbers, "%s ", key);
	}
	cJSON_ArrayForEach(e, recalled)
	{
		recalls++;
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "time");
		const cJSON *tt = cJSON_GetObjectItemCaseSensitive(e, "trytime");
		double tv = cJSON_IsNumber(t) ? t->valuedouble : cJSON_IsString(t) ? atof(t->valuestring) : 0;
		double tr = cJSON_IsNumber(tt) ? tt->valuedouble : cJSON_IsString(tt) ? atof(tt->valuestring) : 0;
		if (tv == 0)
			unsucc++;
		if (tr > 0)
			trytime += tr;
	}
	cJSON_Delete(missed);
	cJSON_Delete(recalled);
	char today[11];
	clock_format_date(r->now, today);
	long long rc = db_exec(r->db,
			       "INSERT INTO `wdycinfo` (`date`, `missedcount`, `recallscount`, `unsucccount`,"
			       " `missednumbers`, `totaltrytime`) VALUES (?, ?, ?, ?, ?, ?)",
			       "siiisi", today, (long long)missedcount, (long long)recalls, (long long)unsucc, numbers.s,
			       (long long)trytime);
	sbuf_free(&numbers);
	if (rc < 0)
		reply_db_error(r);
	else
		reply_text(r, "OK: WDYCSTATS");
}
