#include "actions.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sorted by name: action_find() searches it with bsearch. */
static const struct action actions[] = {
	{ "identify", cmd_identify, ACT_KEYLESS | ACT_NO_REQID, NULL, NULL, { { 0 } } },
	{ "reset", cmd_reset, ACT_BILLING, NULL, NULL, { { 0 } } },
	{ "sc", cmd_sc, ACT_BILLING, NULL, NULL, { { 0 } } },
	{ "usercash", cmd_usercash, ACT_BILLING, NULL, NULL, { { 0 } } },
};

static int by_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct action *)elem)->name);
}

const struct action *action_find(const char *name)
{
	return bsearch(name, actions, sizeof actions / sizeof *actions, sizeof *actions, by_name);
}

const struct action *action_table(size_t *count)
{
	*count = sizeof actions / sizeof *actions;
	return actions;
}

void action_upper(const char *name, char *buf, size_t size)
{
	size_t i = 0;
	for (; name[i] && i + 1 < size; i++)
		buf[i] = (char)toupper((unsigned char)name[i]);
	if (size)
		buf[i] = '\0';
}
