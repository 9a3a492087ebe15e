#include "ubcache.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <syslog.h>
#include <unistd.h>

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

void ubcache_delete(struct req *r, const char *key)
{
	char name[256];
	snprintf(name, sizeof name, "UBCACHE_%s", key);
	vf_filter(name);
	const char *backend = cfg_alter(r->cfg, "UBCACHE_STORAGE", "fake");
	struct sbuf msg = SBUF_INIT;
	if (strcmp(backend, "files") == 0) {
		char rel[300];
		snprintf(rel, sizeof rel, "exports/%s", name);
		char *path = cfg_path(r->cfg, rel);
		unlink(path);
		free(path);
	} else if (strcmp(backend, "redis") == 0) {
		sbuf_printf(&msg, "*2\r\n$3\r\nDEL\r\n$%zu\r\n%s\r\n", strlen(name), name);
		tcp_say(cfg_alter(r->cfg, "REDIS_SERVER", "localhost"), cfg_alter(r->cfg, "REDIS_PORT", "6379"),
			msg.s, msg.len);
	} else if (strcmp(backend, "memcached") == 0) {
		sbuf_printf(&msg, "delete %s\r\n", name);
		tcp_say(cfg_alter(r->cfg, "MEMCACHED_SERVER", "localhost"),
			cfg_alter(r->cfg, "MEMCACHED_PORT", "11211"), msg.s, msg.len);
	}
	sbuf_free(&msg);
}
