/* UKV, Ubilling's cable-TV subscriber base (ukv_* tables): what its
 * actions share. */
#ifndef UBAPI_UKV_H
#define UBAPI_UKV_H

#include "config.h"

/* The month's name (1..12) in config.ini's default_lang, as PHP's
 * rcms_date_localise prints it: uk when the file or key is missing,
 * ru, es, and English for any other language. */
const char *ukv_month_name(const struct config *cfg, int month);

#endif
