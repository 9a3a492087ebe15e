#include "access.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

bool access_pattern_match(const char *p, const char *s)
{
	if (*p == '\0')
		return *s == '\0';
	if (*p == '*') {
		/* '*' is (\d*): try every run of digits, the empty one included */
		const char *q = s;
		for (;;) {
			if (access_pattern_match(p + 1, q))
				return true;
			if (*q < '0' || *q > '9')
				return false;
			q++;
		}
	}
	return *p == *s && access_pattern_match(p + 1, s + 1);
}

bool access_banned(const struct config *cfg, const char *peer_ip)
{
	char *path = cfg_path(cfg, "config/bans.ini");
	FILE *f = fopen(path, "r");
	free(path);
	if (!f)
		return false;
	char line[512];
	bool banned = false;
	while (!banned && fgets(line, sizeof line, f)) {
		str_trim(line);
		banned = access_pattern_match(line, peer_ip);
	}
	fclose(f);
	return banned;
}

/* Names of the visible entries of dir, as Ubilling's rcms_scandir lists
 * them (dot files skipped). */
static char **list_dir(const struct config *cfg, const char *rel, size_t *n)
{
	*n = 0;
	char *path = cfg_path(cfg, rel);
	DIR *d = opendir(path);
	free(path);
	if (!d)
		return NULL;
	char **names = NULL;
	size_t cap = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof *names);
		}
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	return names;
}

static void free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* "a.b.c.d_bits" holds ip? */
static bool in_network(const char *name, const char *ip)
{
	char net[64];
	snprintf(net, sizeof net, "%s", name);
	char *sep = strchr(net, '_');
	if (!sep)
		return false;
	*sep = '\0';
	char *end;
	long bits = strtol(sep + 1, &end, 10);
	struct in_addr a, b;
	if (*end || bits < 0 || bits > 32 || inet_pton(AF_INET, net, &a) != 1 ||
	    inet_pton(AF_INET, ip, &b) != 1)
		return false;
	uint32_t mask = bits == 0 ? 0 : 0xFFFFFFFFu << (32 - bits);
	return (ntohl(a.s_addr) & mask) == (ntohl(b.s_addr) & mask);
}

bool access_acl_denied(const struct config *cfg, const char *ip)
{
	if (!php_truthy(cfg_billing(cfg, "IPACL_ENABLED", "")))
		return false;
	size_t nips, nnets;
	char **ips = list_dir(cfg, "content/documents/ipacl/ip", &nips);
	char **nets = list_dir(cfg, "content/documents/ipacl/nets", &nnets);
	bool denied = false;
	if (nips + nnets > 0 && strcmp(ip, "127.0.0.1") != 0) {
		denied = true;
		for (size_t i = 0; denied && i < nips; i++)
			denied = strcmp(ips[i], ip) != 0;
		for (size_t i = 0; denied && i < nnets; i++)
			denied = !in_network(nets[i], ip);
	}
	free_list(ips, nips);
	free_list(nets, nnets);
	return denied;
}
