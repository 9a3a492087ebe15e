#include "params.h"

#include <string.h>

#include "util.h"

void params_init(struct params *p)
{
	memset(p, 0, sizeof *p);
}

void params_free(struct params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	memset(p, 0, sizeof *p);
}

static struct param *find(const struct params *p, const char *name, size_t len)
{
	for (size_t i = 0; i < p->n; i++)
		if (strlen(p->v[i].name) == len && memcmp(p->v[i].name, name, len) == 0)
			return &p->v[i];
	return NULL;
}

void params_set(struct params *p, const char *name, size_t name_len, const char *value,
		size_t value_len, bool is_array)
{
	struct param *slot = find(p, name, name_len);
	if (!slot) {
		if (p->n == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 16;
			p->v = xrealloc(p->v, p->cap * sizeof *p->v);
		}
		slot = &p->v[p->n++];
		slot->name = xstrndup(name, name_len);
	} else {
		free(slot->value);
	}
	slot->value = is_array ? NULL : xstrndup(value, value_len);
}

const char *param_get(const struct params *p, const char *name)
{
	struct param *slot = find(p, name, strlen(name));
	return slot ? slot->value : NULL;
}

bool param_present(const struct params *p, const char *name)
{
	return php_truthy(param_get(p, name));
}

bool param_isset(const struct params *p, const char *name)
{
	return find(p, name, strlen(name)) != NULL;
}
