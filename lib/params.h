/* Request parameters as PHP's $_GET sees them: last occurrence wins, and a
 * name written as a[] or a[k] is an array, which no action accepts. */
#ifndef UBAPI_PARAMS_H
#define UBAPI_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

struct param {
	char *name;
	char *value;    /* NULL when the parameter is an array */
};

struct params {
	struct param *v;
	size_t n, cap;
};

void params_init(struct params *p);
void params_free(struct params *p);
/* Sets name to value (NULL for an array), replacing an earlier one. */
void params_set(struct params *p, const char *name, size_t name_len, const char *value,
		size_t value_len, bool is_array);

/* isset($_GET[name]) && is_string: the value, possibly "". NULL if unset. */
const char *param_get(const struct params *p, const char *name);
/* Ubilling's ubRouting::checkGet: set and neither "" nor "0". */
bool param_present(const struct params *p, const char *name);
/* isset(): set at all, even as an array. */
bool param_isset(const struct params *p, const char *name);

#endif
