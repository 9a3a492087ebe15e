/* autofreeze and autofreezemonth share their run: only the test of "owes
 * too much" differs (a cash limit, or N months of the tariff fee). */
#ifndef UBAPI_AUTOFREEZE_H
#define UBAPI_AUTOFREEZE_H

#include "req.h"

void autofreeze_run(struct req *r, bool by_months);

#endif
