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

/* Signals are blocked in the master and taken with sigtimedwait(), so a
 * SIGHUP or SIGTERM that arrives at any moment is never lost between a
 * check and a wait. Returns the set; *old receives the previous mask. */
static void
master_signals(sigset_t *set, sigset_t *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGCHLD);
	sigprocmask(SIG_BLOCK, set, old);
}

static pid_t
master_spawn(const struct worker_opts *o, const sigset_t *old)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigprocmask(SIG_SETMASK, old, NULL);
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

/* Reaps every exited worker; a worker that died of an error right after
 * its start delays the next spawns by a second (*spawn_after). */
static void
master_reap(struct slot *s, int n, time_t *spawn_after)
{
	int i, status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if ((i = master_reap_one(s, n, pid, status)) < 0)
			continue;
		if (!s[i].retiring && time(NULL) - s[i].started <
		    MASTER_MIN_LIFE_SEC && !(WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0))
			*spawn_after = time(NULL) + 1;
		s[i].retiring = 0;
	}
}

/* Marks every live worker as retiring and asks it to finish. */
static void
master_reload(struct slot *s, int n)
{
	int i;

	log_info("reloading: replacing workers");
	for (i = 0; i < n; i++)
		if (s[i].pid > 0) {
			s[i].retiring = 1;
			kill(s[i].pid, SIGTERM);
		}
}

int
master_run(const struct worker_opts *o, int nworkers)
{
	/* during a reload old and new generations coexist */
	int n = nworkers * 2, i, sig, term = 0;
	struct slot *s = xcalloc((size_t)n, sizeof(*s));
	struct timespec tick = { 1, 0 };
	time_t spawn_after = 0;
	sigset_t set, old;

	master_signals(&set, &old);
	log_info("starting %d workers", nworkers);
	while (!term) {
		for (i = 0; i < n && master_alive(s, n, 0) < nworkers &&
		    time(NULL) >= spawn_after; i++)
			if (s[i].pid == 0) {
				if ((s[i].pid = master_spawn(o, &old)) < 0) {
					s[i].pid = 0;
					spawn_after = time(NULL) + 1;
					break;
				}
				s[i].started = time(NULL);
				s[i].retiring = 0;
			}
		sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGHUP)
			master_reload(s, n);
		else if (sig == SIGTERM || sig == SIGINT)
			term = 1;
		master_reap(s, n, &spawn_after);
	}
	log_info("draining workers");
	master_drain(s, n);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(s);
	log_info("stopped");
	return 0;
}
