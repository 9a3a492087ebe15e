/* autofreezemonth: as autofreeze, but the limit is per user: owing
 * |AUTOFREEZE_CASH_LIMIT| months of the tariff fee (Cash <= -(Fee x m)). */
#include "actions.h"
#include "autofreeze.h"

void cmd_autofreezemonth(struct req *r)
{
	autofreeze_run(r, true);
}
