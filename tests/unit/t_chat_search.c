/* t_chat_search.c: the LIKE matcher and the trimming of the chat search. */
#include <string.h>

#include "chat_search.h"
#include "mem.h"
#include "tap.h"

static void
test_like(void)
{
	static const struct {
		const char	*subject, *pattern;
		int		 match;
	} t[] = {
		{ "hello world", "%lo wo%", 1 },
		{ "hello world", "%LO WO%", 1 },
		{ "hello world", "%wor", 0 },
		{ "hello world", "hello%", 1 },
		{ "hello", "h_llo", 1 },
		{ "hello", "h_lo", 0 },
		{ "", "%", 1 },
		{ "", "%%", 1 },
		{ "", "_", 0 },
		{ "100% sure", "%100\\%%", 1 },
		{ "1000 sure", "%100\\%%", 0 },
		{ "a_b", "%a\\_b%", 1 },
		{ "axb", "%a\\_b%", 0 },
		{ "ends with %", "%with \\%", 1 },
		{ "ÉCOLE", "%école%", 1 },
		{ "Übermäßig", "%ÜBERMÄẞIG%", 1 },
		{ "Übermäßig", "%übermässig%", 0 },
		{ "日本語の勉強", "%本語%", 1 },
		{ "日本語", "日_語", 1 },
		{ "party 🎉🎉", "%🎉_", 1 },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "%a%a%a%a%a%a%a%c%", 0 },
		{ "mississippi", "%iss%ipp%", 1 },
		{ "\xff\xfe raw", "%raw%", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_int(chat_search_like(t[i].subject, t[i].pattern),
		    t[i].match, "'%s' LIKE '%s'", t[i].subject, t[i].pattern);
}

static void
test_strip(void)
{
	struct arena *a = arena_new();

	is_str(chat_search_strip(a, "  a b \t\n"), "a b", "ASCII space");
	is_str(chat_search_strip(a, "\xc2\xa0x\xe3\x80\x80"), "x",
	    "no-break and ideographic space");
	is_str(chat_search_strip(a, " \xe2\x80\x83 "), "", "only space");
	is_str(chat_search_strip(a, "é "), "é", "keeps letters");
	arena_free(a);
}

int
main(void)
{
	test_like();
	test_strip();
	return done_testing();
}
