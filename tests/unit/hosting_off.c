/* hosting_off.c: the shared-hosting mode switched off, for the unit tests
 * and fuzzers that link src/fcgi/req.c without the mode's own files
 * (hstream.c and hrt.c need rt.db and the chat task machinery). */
#include "handoff.h"
#include "hosting.h"

int
hosting_on(void)
{
	return 0;
}

int
hosting_answer(struct req *r, const struct handoff *h)
{
	(void)r;
	(void)h;
	return 500;	/* never called: hosting_on() is 0 */
}
