# tests/: unit tests in C (TAP), black-box tests against the real stack
# (pytest, both database engines), and benchmarks.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
UNIT_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS) $(JWT_CFLAGS) -I$(srcdir)/tests/unit
UNIT_LDADD = $(CWEBUI_LIBS)

unit_tests = \
	tests/unit/t_chat_search \
	tests/unit/t_conf \
	tests/unit/t_content \
	tests/unit/t_eio \
	tests/unit/t_fcgirec \
	tests/unit/t_fernet \
	tests/unit/t_http \
	tests/unit/t_http1 \
	tests/unit/t_jwt \
	tests/unit/t_passwd \
	tests/unit/t_path \
	tests/unit/t_rooms \
	tests/unit/t_secret \
	tests/unit/t_sio \
	tests/unit/t_siosrv \
	tests/unit/t_sse \
	tests/unit/t_util \
	tests/unit/t_ws \
	tests/unit/t_yml
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

tests_unit_t_conf_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_conf_LDADD = $(UNIT_LDADD)
tests_unit_t_http_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_http_LDADD = $(UNIT_LDADD) -lpthread
tests_unit_t_jwt_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_jwt_LDADD = $(UNIT_LDADD)
tests_unit_t_fernet_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_fernet_LDADD = $(UNIT_LDADD)
tests_unit_t_passwd_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_passwd_LDADD = $(UNIT_LDADD)
tests_unit_t_secret_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_secret_LDADD = $(UNIT_LDADD)
tests_unit_t_util_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_util_LDADD = $(UNIT_LDADD)
tests_unit_t_yml_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_yml_LDADD = $(UNIT_LDADD)
tests_unit_t_path_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_path_LDADD = $(UNIT_LDADD)
tests_unit_t_chat_search_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_chat_search_LDADD = $(UNIT_LDADD)
tests_unit_t_eio_CFLAGS = $(UNIT_CFLAGS) -I$(srcdir)/src/streamd
tests_unit_t_eio_LDADD = src/streamd/libcodec.a $(UNIT_LDADD)
tests_unit_t_sio_CFLAGS = $(UNIT_CFLAGS) -I$(srcdir)/src/streamd
tests_unit_t_sio_LDADD = src/streamd/libcodec.a $(UNIT_LDADD)
tests_unit_t_content_CFLAGS = $(UNIT_CFLAGS) -I$(srcdir)/src/streamd
tests_unit_t_content_SOURCES = tests/unit/t_content.c \
	src/streamd/content.c src/streamd/busurl.c
tests_unit_t_content_LDADD = $(CODEC_LIBS) $(UNIT_LDADD)
tests_unit_t_sse_CFLAGS = $(UNIT_CFLAGS) -I$(srcdir)/src/streamd
tests_unit_t_sse_LDADD = $(CODEC_LIBS) $(UNIT_LDADD)
tests_unit_t_ws_CFLAGS = $(UNIT_CFLAGS) -I$(srcdir)/src/streamd
tests_unit_t_ws_LDADD = $(CODEC_LIBS) $(UNIT_LDADD)
tests_unit_t_http1_CFLAGS = $(UNIT_CFLAGS) -I$(srcdir)/src/streamd
tests_unit_t_http1_LDADD = $(CODEC_LIBS) $(UNIT_LDADD)
tests_unit_t_fcgirec_CFLAGS = $(UNIT_CFLAGS) -I$(srcdir)/src/streamd
tests_unit_t_fcgirec_LDADD = $(CODEC_LIBS) $(UNIT_LDADD)
tests_unit_t_rooms_SOURCES = tests/unit/t_rooms.c src/streamd/smap.c \
	src/streamd/rooms.c
tests_unit_t_rooms_CFLAGS = $(UNIT_CFLAGS) -I$(srcdir)/src/streamd
tests_unit_t_rooms_LDADD = $(UNIT_LDADD)
tests_unit_t_siosrv_SOURCES = tests/unit/t_siosrv.c src/streamd/siosrv.c \
	src/streamd/eiosrv.c src/streamd/rooms.c \
	src/streamd/smap.c
tests_unit_t_siosrv_CFLAGS = $(UNIT_CFLAGS) $(EVENT_CFLAGS) \
	-I$(srcdir)/src/streamd
tests_unit_t_siosrv_LDADD = $(CODEC_LIBS) $(UNIT_LDADD) $(EVENT_LIBS)
# req.c's text helpers (lax int, percent-decoding) and body.c, with libfcgi
check_PROGRAMS += tests/unit/t_req
TESTS += tests/unit/t_req
tests_unit_t_req_SOURCES = tests/unit/t_req.c src/fcgi/req.c src/fcgi/body.c \
	tests/unit/hosting_off.c
tests_unit_t_req_CFLAGS = $(UNIT_CFLAGS) $(FCGI_CFLAGS) -I$(srcdir)/src/fcgi \
	-I$(srcdir)/src/streamd
tests_unit_t_req_LDADD = $(UNIT_LDADD) $(FCGI_LIBS)
check_PROGRAMS += tests/unit/t_payload
TESTS += tests/unit/t_payload
tests_unit_t_payload_CFLAGS = $(UNIT_CFLAGS)
tests_unit_t_payload_LDADD = $(UNIT_LDADD)

EXTRA_DIST += tests/README.md tests/unit/README.md tests/unit/tap.h tests/fuzz tests/api tests/fake tests/routes tests/schema tests/pg tests/bench \
	tests/install-deps tests/packages.txt
EXTRA_DIST += tests/smoke
EXTRA_DIST += tests/js/README.md tests/js/package.json tests/js/package-lock.json \
	tests/js/run.mjs tests/js/sio_smoke.mjs tests/js/sio_upgrade.mjs

# Black-box tests: the whole stack (lighttpd + cwebui-fcgi) on SQLite and
# on a private PostgreSQL, started and stopped by the harness.
check-local: all
	CWEBUI_BUILDDIR=$(abs_builddir) CWEBUI_SRCDIR=$(abs_srcdir) \
		$(SHELL) $(srcdir)/tests/api/run

# make run: the whole stack in the foreground on the embedded default.
run: all
	CWEBUI_BUILDDIR=$(abs_builddir) $(SHELL) $(srcdir)/fcgi-conf/run-stack

# make bench: throughput and memory against baselines measured in the run.
bench: all tests/bench/fcgi_echo
	CWEBUI_BUILDDIR=$(abs_builddir) $(SHELL) $(srcdir)/tests/bench/run

# make fuzz: libFuzzer targets for the protocol codecs, built with clang,
# each run for FUZZ_SECONDS (default 60). Not part of make check.
fuzz:
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} CWEBUI_SRCDIR=$(abs_srcdir) \
		CWEBUI_FUZZDIR=$(abs_builddir)/tests/fuzz \
		$(SHELL) $(srcdir)/tests/fuzz/run

.PHONY: run bench fuzz

EXTRA_PROGRAMS = tests/bench/fcgi_echo
tests_bench_fcgi_echo_CFLAGS = $(AM_CFLAGS) $(FCGI_CFLAGS)
tests_bench_fcgi_echo_LDADD = $(FCGI_LIBS)
CLEANFILES += tests/bench/fcgi_echo

# make check-faults: the fault tests (tests/faults: workers killed, the
# database restarted or locked, slow and hostile clients ...) on both
# engines; the figures go to faults-report.txt. Run after make check.
check-faults: all
	CWEBUI_BUILDDIR=$(abs_builddir) CWEBUI_SRCDIR=$(abs_srcdir) \
		$(SHELL) $(srcdir)/tests/faults/run
.PHONY: check-faults
EXTRA_DIST += tests/faults
CLEANFILES += faults-report.txt

# make check-unit: the C unit tests alone (the Debian package build runs
# them; the black-box tests need servers a build chroot does not have).
check-unit: all
	$(MAKE) $(AM_MAKEFLAGS) $(check_PROGRAMS)
	$(MAKE) $(AM_MAKEFLAGS) check-TESTS

# make check-package: builds the Debian package in a throwaway clone,
# lints, installs, starts and tests it, then purges it (as root; see
# tests/pkg/README.md).
check-package:
	CWEBUI_SRCDIR=$(abs_srcdir) $(SHELL) $(srcdir)/tests/pkg/run

.PHONY: check-unit check-package
EXTRA_DIST += tests/pkg

# make soak: an hour (SOAK_SECONDS) of mixed load with the memory of every
# process sampled; not part of make check (tests/soak/README.md).
soak: all
	CWEBUI_BUILDDIR=$(abs_builddir) $(SHELL) $(srcdir)/tests/soak/run

# make check-valgrind: the black-box suite (SQLite) with cwebui-fcgi and
# cwebui-streamd under valgrind memcheck (tests/valgrind/run); needs a
# build without --enable-sanitizers.
check-valgrind: all
	CWEBUI_BUILDDIR=$(abs_builddir) $(SHELL) $(srcdir)/tests/valgrind/run

.PHONY: soak check-valgrind
EXTRA_DIST += tests/soak tests/valgrind
