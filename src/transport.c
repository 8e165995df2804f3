/*
 * transport: the factory and what both implementations share.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "transport.h"

struct transport *
transport_new(const struct conf *c, const struct host_conf *h)
{
	struct transport *t = xcalloc(1, sizeof *t);
	t->ops = h->transport == TRANSPORT_LOCAL ? &transport_local_ops : &transport_ssh_ops;
	t->host = h;
	t->conf = c;
	t->conn = CONN_NEW;
	return t;
}

void
transport_free(struct transport **tp)
{
	struct transport *t = *tp;
	*tp = NULL;
	if (t == NULL)
		return;
	t->ops->disconnect(t);
	t->ops->free(t);
	free(t->fingerprint);
	free(t->key_type);
	free(t);
}

void
exec_result_clear(struct exec_result *r)
{
	free(r->output);
	memset(r, 0, sizeof *r);
	r->exit_status = -1;
}
