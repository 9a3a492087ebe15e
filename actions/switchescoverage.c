/* switchescoverage: a leaflet map page (param=<W>x<H>, default 1000x800)
 * with a 100 m circle around every switch that has coordinates, centred as
 * config/ymaps.ini says. Removed upstream; kept because the user document
 * lists it (DECISIONS 26). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actions.h"
#include "ini.h"
#include "util.h"

/* "lat, lon" -> two numbers printed back, or false */
static bool geo_parse(const char *geo, double *lat, double *lon)
{
	char tail;
	return geo && sscanf(geo, " %lf , %lf %c", lat, lon, &tail) == 2 && *lat >= -90 && *lat <= 90 &&
	       *lon >= -180 && *lon <= 180;
}

static bool dim_ok(const char *s, size_t len)
{
	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

void cmd_switchescoverage(struct req *r)
{
	char w[8] = "1000", h[8] = "800";
	const char *param = req_param(r, "param");
	const char *x = param ? strchr(param, 'x') : NULL;
	if (param_present(&r->params, "param") && x && dim_ok(param, (size_t)(x - param)) && dim_ok(x + 1, strlen(x + 1))) {
		snprintf(w, sizeof w, "%.*s", (int)(x - param), param);
		snprintf(h, sizeof h, "%s", x + 1);
	}
	char *path = cfg_path(r->cfg, "config/ymaps.ini");
	struct ini *ym = ini_load(path, INI_PHP);
	free(path);
	double clat = 48.5, clon = 35.0, lat, lon;
	const char *center = ym ? ini_get(ym, "CENTER") : NULL;
	if (center && !geo_parse(center, &clat, &clon)) {
		clat = 48.5;
		clon = 35.0;
	}
	const char *zoom = ym ? ini_get(ym, "ZOOM") : NULL;
	long z = zoom && str_is_digits(zoom) && strlen(zoom) < 3 ? atol(zoom) : 15;
	ini_free(ym);
	struct db_rows rows;
	if (db_query(r->db, &rows, "SELECT `geo` FROM `switches` WHERE `geo` != '' ORDER BY `id`", "") != 0) {
		reply_db_error(r);
		return;
	}
	reply_set_type(r, CT_HTML);
	reply_text(r, "");
	struct sbuf *b = &r->reply.body;
	sbuf_printf(b, "<div  id=\"ubmap\" style=\"width: %spx; height:%spx;\"></div >\n", w, h);
	sbuf_puts(b, "<link rel=\"stylesheet\" href=\"modules/jsc/leaflet/leaflet.css\" />\n"
		     "<script src=\"modules/jsc/leaflet/leaflet.js\"></script>\n<script type=\"text/javascript\">\n");
	sbuf_printf(b, "var map = L.map('ubmap').setView([%.8g, %.8g], %ld);\n", clat, clon, z);
	sbuf_puts(b, "L.tileLayer('https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png', {maxZoom: 19}).addTo(map);\n");
	for (size_t i = 0; i < rows.nrows; i++)
		if (geo_parse(db_cell(&rows, i, 0), &lat, &lon))
			sbuf_printf(b,
				    "L.circle([%.8g, %.8g], {radius: 100, color: '#009d25', opacity: 0.8, "
				    "fillColor: '#00a20b55', fillOpacity: 0.5}).addTo(map);\n",
				    lat, lon);
	sbuf_puts(b, "</script>\n");
	db_rows_free(&rows);
}
