/* identify: the last four characters of the install's serial, creating the
 * serial on first call, optionally saved to exports/ubserial for the
 * crontab setup script. */
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "util.h"

static void random_suffix(char out[9])
{
	static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned char raw[8] = { 0 };
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, raw, sizeof raw) != (ssize_t)sizeof raw)
			memset(raw, 0, sizeof raw);
		close(fd);
	}
	for (int i = 0; i < 8; i++)
		out[i] = alphabet[raw[i] % 36];
	out[8] = '\0';
}

/* Ubilling's serial: "UB" + md5(unix time + 8 random [0-9a-z]). */
static void new_serial(time_t now, char serial[35])
{
	char seed[64], suffix[9];
	random_suffix(suffix);
	snprintf(seed, sizeof seed, "%lld%s", (long long)now, suffix);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_Digest(seed, strlen(seed), md, &len, EVP_md5(), NULL);
	strcpy(serial, "UB");
	for (unsigned i = 0; i < len && i < 16; i++)
		snprintf(serial + 2 + 2 * i, 3, "%02x", md[i]);
}

static char *read_or_install_serial(struct req *r)
{
	bool err = false;
	char *serial = db_value(r->db, &err,
				"SELECT `value` FROM `ubstats` WHERE `key`='ubid' ORDER BY `id` LIMIT 1", "");
	if (err || (serial && *serial))
		return serial;
	free(serial);
	char fresh[35];
	new_serial(r->now, fresh);
	if (db_exec(r->db, "INSERT INTO `ubstats` (`key`,`value`) VALUES ('ubid',?)", "s", fresh) < 0)
		return NULL;
	return xstrdup(fresh);
}

/* Written whole and private: the file holds the full API key. */
static int save_serial(struct req *r, const char *serial)
{
	char *path = cfg_path(r->cfg, "exports/ubserial");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	free(path);
	if (fd < 0)
		return -1;
	fchmod(fd, 0600);
	size_t len = strlen(serial);
	int rc = write(fd, serial, len) == (ssize_t)len ? 0 : -1;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

void cmd_identify(struct req *r)
{
	char *serial = read_or_install_serial(r);
	if (!serial) {
		reply_db_error(r);
		return;
	}
	const char *param = req_param(r, "param");
	if (param && strcmp(param, "save") == 0 && save_serial(r, serial) != 0) {
		free(serial);
		reply_text(r, "ERROR:SERIAL_NOT_SAVED");
		return;
	}
	size_t len = strlen(serial);
	reply_text(r, serial + (len > 4 ? len - 4 : 0));
	free(serial);
}
