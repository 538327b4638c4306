/* master.h: the supervisor of the pre-forked workers. */
#ifndef CWEBUI_MASTER_H
#define CWEBUI_MASTER_H

#include "worker.h"

/* Forks nworkers workers serving o and supervises them: respawns a worker
 * that exits, replaces all workers gracefully on SIGHUP, and on SIGTERM or
 * SIGINT lets them finish their request and exit (SIGKILL after a grace
 * period). Returns the exit status for the master. */
int	 master_run(const struct worker_opts *o, int nworkers);

#endif
