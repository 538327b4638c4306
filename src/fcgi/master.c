/* master.c: prefork, reap, respawn, reload and drain. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "mem.h"

#define MASTER_GRACE_SEC	30
#define MASTER_MIN_LIFE_SEC	1	/* dying faster than this backs off */

struct slot {
	pid_t	 pid;
	time_t	 started;
	int	 retiring;		/* replaced by a reload, finishing */
};

static volatile sig_atomic_t master_term, master_hup;

static void
master_on_signal(int sig)
{
	if (sig == SIGHUP)
		master_hup = 1;
	else
		master_term = 1;
}

static void
master_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = master_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

static pid_t
master_spawn(const struct worker_opts *o)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGHUP, &sa, NULL);
		_exit(worker_run(o));
	}
	if (pid < 0)
		log_error("could not fork a worker: %s", strerror(errno));
	return pid;
}

static void
master_signal_all(struct slot *s, int n, int sig)
{
	int i;

	for (i = 0; i < n; i++)
		if (s[i].pid > 0)
			kill(s[i].pid, sig);
}

/* Counts live workers; retiring ones only when all is set. */
static int
master_alive(const struct slot *s, int n, int all)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += s[i].pid > 0 && (all || !s[i].retiring);
	return c;
}

/* Records the exit of pid; returns the slot index or -1. */
static int
master_reap_one(struct slot *s, int n, pid_t pid, int status)
{
	int i;

	for (i = 0; i < n; i++) {
		if (s[i].pid != pid)
			continue;
		s[i].pid = 0;
		if (WIFSIGNALED(status))
			log_error("worker %d killed by signal %d", (int)pid,
			    WTERMSIG(status));
		else if (WEXITSTATUS(status) != 0)
			log_error("worker %d exited with status %d", (int)pid,
			    WEXITSTATUS(status));
		return i;
	}
	return -1;
}

/* Waits for all workers to exit, killing them after the grace period. */
static void
master_drain(struct slot *s, int n)
{
	time_t deadline = time(NULL) + MASTER_GRACE_SEC;
	int status;
	pid_t pid;

	master_signal_all(s, n, SIGTERM);
	while (master_alive(s, n, 1) > 0) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			master_reap_one(s, n, pid, status);
			continue;
		}
		if (time(NULL) >= deadline) {
			log_warn("workers still busy after %d s, killing them",
			    MASTER_GRACE_SEC);
			master_signal_all(s, n, SIGKILL);
			deadline = time(NULL) + 5;
		}
		usleep(50000);
	}
}

int
master_run(const struct worker_opts *o, int nworkers)
{
	/* during a reload old and new generations coexist */
	int n = nworkers * 2, i, status;
	struct slot *s = xcalloc((size_t)n, sizeof(*s));
	pid_t pid;

	master_signals();
	log_info("starting %d workers", nworkers);
	for (;;) {
		for (i = 0; i < n && master_alive(s, n, 0) < nworkers; i++)
			if (s[i].pid == 0 && !master_term) {
				s[i].pid = master_spawn(o);
				s[i].started = time(NULL);
				s[i].retiring = 0;
			}
		if (master_term)
			break;
		if (master_hup) {
			master_hup = 0;
			log_info("reloading: replacing workers");
			/* old workers finish their request; new ones replace */
			for (i = 0; i < n; i++)
				if (s[i].pid > 0) {
					s[i].retiring = 1;
					kill(s[i].pid, SIGTERM);
				}
			continue;
		}
		pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno != EINTR)
				usleep(100000);
			continue;
		}
		i = master_reap_one(s, n, pid, status);
		if (i >= 0 && !s[i].retiring && time(NULL) - s[i].started <
		    MASTER_MIN_LIFE_SEC && !(WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0))
			sleep(1);
		if (i >= 0)
			s[i].retiring = 0;
	}
	log_info("draining workers");
	master_drain(s, n);
	free(s);
	log_info("stopped");
	return 0;
}
