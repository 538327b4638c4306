/* clock.h: the time as a double in seconds, for durations and intervals. */
#ifndef CWEBUI_CLOCK_H
#define CWEBUI_CLOCK_H

/* Seconds on the monotonic clock (for intervals; not a date). */
double	 clock_mono(void);

/* Seconds since the epoch, with a fraction (Python's time.time()). */
double	 clock_wall(void);

#endif
