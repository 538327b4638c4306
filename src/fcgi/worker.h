/* worker.h: one FastCGI worker process: accept, serve, repeat. */
#ifndef CWEBUI_WORKER_H
#define CWEBUI_WORKER_H

struct worker_opts {
	int		 listen_fd;	/* FastCGI socket, 0 when spawned */
	const char	*database_url;
	unsigned long	 max_requests;	/* recycle after this many; 0 = never */
	unsigned long	 max_body;	/* bytes; larger bodies get 413 */
};

/* Serves requests until told to stop (SIGTERM), the request budget is
 * spent, or accept fails. Returns the process exit status. */
int	 worker_run(const struct worker_opts *o);

#endif
