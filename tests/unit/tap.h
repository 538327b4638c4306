/* tap.h: a tiny Test Anything Protocol producer for the C unit tests, read
 * by automake's tap-driver.sh. Header only; include it in one file.
 *
 *	plan(3);			optional: "1..3" first
 *	ok(x > 0, "x is positive");
 *	is_str(got, "abc", "name of %s", what);
 *	is_int(n, 3, "count");
 *	return done_testing();		"1..N" if no plan; 0 if all passed
 *
 * Each check prints "ok N - name" or "not ok N - name" with "# " lines
 * saying where and what differed, and returns 1 when it passed.
 * bail_out() stops the whole run ("Bail out!", exit 255) when nothing
 * else can be tested. */
#ifndef CWEBUI_TAP_H
#define CWEBUI_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	tap_count;	/* checks run */
static int	tap_failed;	/* checks failed */
static int	tap_planned = -1;

#define plan(n)			tap_plan(n)
#define ok(cond, ...)		tap_ok(!!(cond), __FILE__, __LINE__, \
				    __VA_ARGS__)
#define is_str(got, want, ...)	tap_is_str((got), (want), __FILE__, \
				    __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)	tap_is_int((long long)(got), \
				    (long long)(want), __FILE__, __LINE__, \
				    __VA_ARGS__)
#define diag(...)		tap_diag(__VA_ARGS__)
#define bail_out(...)		tap_bail_out(__VA_ARGS__)
#define done_testing()		tap_done()

static inline void
tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static inline void __attribute__((format(printf, 1, 2)))
tap_diag(const char *fmt, ...)
{
	va_list	ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

static inline void __attribute__((format(printf, 1, 2), noreturn))
tap_bail_out(const char *fmt, ...)
{
	va_list	ap;

	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	exit(255);
}

static inline int
tap_vok(int pass, const char *file, int line, const char *fmt, va_list ap)
{
	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	if (!pass)
		printf("#   failed at %s line %d\n", file, line);
	fflush(stdout);
	return pass;
}

static inline int __attribute__((format(printf, 4, 5)))
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static inline int __attribute__((format(printf, 5, 6)))
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;
	int	pass;

	pass = (got == NULL || want == NULL) ? got == want :
	    strcmp(got, want) == 0;
	va_start(ap, fmt);
	tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass) {
		printf("#          got: %s%s%s\n", got ? "'" : "",
		    got ? got : "NULL", got ? "'" : "");
		printf("#     expected: %s%s%s\n", want ? "'" : "",
		    want ? want : "NULL", want ? "'" : "");
	}
	return pass;
}

static inline int __attribute__((format(printf, 5, 6)))
tap_is_int(long long got, long long want, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;
	int	pass = got == want;

	va_start(ap, fmt);
	tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#          got: %lld\n#     expected: %lld\n", got,
		    want);
	return pass;
}

/* Prints the plan if none was given and returns the exit status: 0 when
 * every check passed and the plan (if any) was met, 1 otherwise. */
static inline int
tap_done(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_count);
	else if (tap_planned != tap_count)
		printf("# planned %d checks but ran %d\n", tap_planned,
		    tap_count);
	if (tap_failed > 0)
		printf("# failed %d of %d checks\n", tap_failed, tap_count);
	fflush(stdout);
	return tap_failed > 0 || (tap_planned >= 0 &&
	    tap_planned != tap_count);
}

#endif
