/* handlersrebuild: regenerate the multinet/ DHCP and PPP handler files and
 * dhcpd.conf, then restart dhcpd (spec actions-network.md §1). The table's
 * run lock refuses an overlapping call at once (DECISIONS 16); a caller
 * that has just registered a MAC and gets the SKIP reply calls again. */
#include "actions.h"
#include "multinet.h"
#include "weblog.h"

void cmd_handlersrebuild(struct req *r)
{
	struct multinet_result res;
	if (multinet_rebuild_all(r, &res) != 0) {
		reply_db_error(r);
		return;
	}
	weblog(r, "REMOTEAPI HANDLERSREBUILD");
	reply_text(r, "OK:HANDLERSREBUILD");
}
