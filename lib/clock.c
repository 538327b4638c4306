/* clock.c: clock_gettime(2) as seconds. */
#include <time.h>

#include "clock.h"

static double
clock_secs(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
clock_mono(void)
{
	return clock_secs(CLOCK_MONOTONIC);
}

double
clock_wall(void)
{
	return clock_secs(CLOCK_REALTIME);
}
