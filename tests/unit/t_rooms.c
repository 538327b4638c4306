/* t_rooms.c: the string map (smap.c) and Socket.IO rooms (rooms.c) of
 * cwebui-streamd: put/get/delete across growth, deletion while iterating,
 * joining and leaving rooms, prefixes, members, and empty rooms going
 * away. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rooms.h"
#include "smap.h"
#include "tap.h"

static void
test_smap(void)
{
	struct smap *m = smap_new();
	struct smap_iter it;
	const char *k;
	void *v;
	char key[32];
	int i, seen = 0, bad = 0;

	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if (smap_put(m, key, (void *)(intptr_t)(i + 1)) != NULL)
			bad++;
	}
	is_int(bad, 0, "1000 new keys replace nothing");
	is_int(smap_count(m), 1000, "count after growth");
	ok(smap_get(m, "k517") == (void *)518, "get after growth");
	ok(smap_get(m, "k1000") == NULL, "absent key");
	ok(smap_put(m, "k5", (void *)7) == (void *)6, "put returns the old");
	ok(smap_del(m, "k5") == (void *)7, "del returns the value");
	ok(smap_del(m, "k5") == NULL, "del twice");
	for (smap_iter_init(&it, m); smap_iter_next(&it, &k, &v); ) {
		seen++;
		if ((intptr_t)v % 2 == 0)
			smap_del(m, k);
	}
	is_int(seen, 999, "iteration sees every entry once");
	is_int(smap_count(m), 500, "deleting the current entry is allowed");
	ok(smap_get(m, "k1") == NULL && smap_get(m, "k0") == (void *)1,
	    "the right ones were deleted");
	ok(smap_get(m, "") == NULL, "empty key");
	smap_put(m, "", (void *)9);
	ok(smap_get(m, "") == (void *)9, "empty key stored");
	smap_free(m);
}

static int
has(void **v, size_t n, void *want)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == want)
			return 1;
	return 0;
}

static void
test_rooms(void)
{
	struct rooms_sess a = { NULL, (void *)"a" }, b = { NULL, (void *)"b" };
	void **v;
	size_t n;

	rooms_join(&a, "user:1");
	rooms_join(&a, "user:1");
	rooms_join(&b, "user:1");
	rooms_join(&a, "channel:x");
	rooms_join(&a, "channel:y");
	rooms_join(&b, "channel:y");
	is_int(rooms_count(), 3, "three rooms");
	v = rooms_members("user:1", &n);
	ok(n == 2 && has(v, n, a.owner) && has(v, n, b.owner),
	    "joining twice counts once");
	free(v);
	ok(rooms_in(&a, "channel:x") && !rooms_in(&b, "channel:x"),
	    "rooms_in");
	rooms_leave_prefix(&a, "channel:");
	ok(!rooms_in(&a, "channel:x") && !rooms_in(&a, "channel:y") &&
	    rooms_in(&a, "user:1"), "leave by prefix keeps the others");
	is_int(rooms_count(), 2, "the emptied room is gone");
	v = rooms_members("channel:y", &n);
	ok(n == 1 && v[0] == b.owner, "the other member stays");
	free(v);
	ok(rooms_members("nope", &n) == NULL && n == 0, "unknown room");
	rooms_leave(&b, "user:1");
	rooms_leave(&b, "user:1");
	v = rooms_members("user:1", &n);
	ok(n == 1 && v[0] == a.owner, "leave one room");
	free(v);
	rooms_leave_prefix(&a, "");
	rooms_leave_prefix(&b, "");
	ok(a.memb == NULL && b.memb == NULL, "leave all");
	is_int(rooms_count(), 0, "no rooms left");
}

int
main(void)
{
	test_smap();
	test_rooms();
	return done_testing();
}
