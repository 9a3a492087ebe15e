#include "ukv.h"

#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "util.h"

static const char *const names[][12] = {
	{ "Січень", "Лютий", "Березень", "Квітень", "Травень", "Червень", "Липень", "Серпень",
	  "Вересень", "Жовтень", "Листопад", "Грудень" },
	{ "Январь", "Февраль", "Март", "Апрель", "Май", "Июнь", "Июль", "Август", "Сентябрь",
	  "Октябрь", "Ноябрь", "Декабрь" },
	{ "January", "February", "March", "April", "May", "June", "July", "August", "September",
	  "October", "November", "December" },
	{ "Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre",
	  "Octubre", "Noviembre", "Diciembre" },
};

const char *ukv_month_name(const struct config *cfg, int month)
{
	if (month < 1 || month > 12)
		return "";
	char *path = cfg_path(cfg, "config/config.ini");
	struct ini *ini = ini_load(path, INI_PHP);
	free(path);
	const char *v = ini ? ini_get(ini, "default_lang") : NULL;
	char *lang = v ? str_trim(xstrdup(v)) : NULL;
	size_t which = 0;
	if (lang && *lang)
		which = strcmp(lang, "uk") == 0 ? 0 : strcmp(lang, "ru") == 0 ? 1
			: strcmp(lang, "es") == 0 ? 3 : 2;
	free(lang);
	if (ini)
		ini_free(ini);
	return names[which][month - 1];
}
