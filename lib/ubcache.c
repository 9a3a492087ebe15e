#include "ubcache.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "switches.h"
#include "util.h"

static void tcp_say(const char *host, const char *port, const char *msg, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai) {
		syslog(LOG_WARNING, "ubcache: cannot resolve %s", host);
		return;
	}
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 };
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		char buf[128];
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 || write(fd, msg, len) != (ssize_t)len ||
		    read(fd, buf, sizeof buf) <= 0)
			syslog(LOG_WARNING, "ubcache: %s:%s did not confirm the delete", host, port);
		close(fd);
	}
	freeaddrinfo(ai);
}

/* UBCACHE_<key> with Ubilling's vf() filter applied */
static void cache_name(const char *key, char *name, size_t size)
{
	snprintf(name, size, "UBCACHE_%s", key);
	vf_filter(name);
}

/* The files backend's path for key, or NULL with any other backend. */
static char *cache_file(const struct config *cfg, const char *key)
{
	if (strcmp(cfg_alter(cfg, "UBCACHE_STORAGE", ""), "files") != 0)
		return NULL;
	char name[256], rel[300];
	cache_name(key, name, sizeof name);
	snprintf(rel, sizeof rel, "exports/%s", name);
	return cfg_path(cfg, rel);
}

int ubcache_set(const struct config *cfg, const char *key, const char *value)
{
	char *path = cache_file(cfg, key);
	if (!path)
		return 0;
	int rc = file_put(path, value, strlen(value), 0);
	free(path);
	return rc;
}

char *ubcache_get(const struct config *cfg, const char *key, long expiry_s)
{
	char *path = cache_file(cfg, key);
	if (!path)
		return NULL;
	struct stat st;
	char *v = NULL;
	if (stat(path, &st) == 0 && time(NULL) - st.st_mtime <= expiry_s)
		v = file_get(path, NULL);
	free(path);
	return v;
}

void ubcache_delete(const struct config *cfg, const char *key)
{
	char name[256];
	cache_name(key, name, sizeof name);
	const char *backend = cfg_alter(cfg, "UBCACHE_STORAGE", "fake");
	struct sbuf msg = SBUF_INIT;
	if (strcmp(backend, "files") == 0) {
		char *path = cache_file(cfg, key);
		if (path)
			unlink(path);
		free(path);
	} else if (strcmp(backend, "redis") == 0) {
		sbuf_printf(&msg, "*2\r\n$3\r\nDEL\r\n$%zu\r\n%s\r\n", strlen(name), name);
		tcp_say(cfg_alter(cfg, "REDIS_SERVER", "localhost"), cfg_alter(cfg, "REDIS_PORT", "6379"),
			msg.s, msg.len);
	} else if (strcmp(backend, "memcached") == 0) {
		sbuf_printf(&msg, "delete %s\r\n", name);
		tcp_say(cfg_alter(cfg, "MEMCACHED_SERVER", "localhost"),
			cfg_alter(cfg, "MEMCACHED_PORT", "11211"), msg.s, msg.len);
	}
	sbuf_free(&msg);
}
