/* fcgi_echo.c: the benchmark's baseline FastCGI responder. It answers
 * every request with the bytes of BENCH_BODY_FILE, from CWEBUI_WORKERS
 * pre-forked processes on CWEBUI_LISTEN: the least any FastCGI backend
 * behind the same web server can cost. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

static char body[1 << 20];
static size_t body_len;

int
main(void)
{
	const char *sock = getenv("CWEBUI_LISTEN");
	const char *file = getenv("BENCH_BODY_FILE");
	int n = atoi(getenv("CWEBUI_WORKERS") ? getenv("CWEBUI_WORKERS") : "2");
	FCGX_Request r;
	FILE *f;
	int fd, i;

	if (sock == NULL || file == NULL || (f = fopen(file, "rb")) == NULL)
		return 2;
	body_len = fread(body, 1, sizeof(body), f);
	fclose(f);
	FCGX_Init();
	if ((fd = FCGX_OpenSocket(sock, 128)) < 0)
		return 1;
	chmod(sock, 0660);
	for (i = 1; i < n; i++)
		if (fork() == 0)
			break;
	FCGX_InitRequest(&r, fd, 0);
	while (FCGX_Accept_r(&r) == 0) {
		FCGX_FPrintF(r.out, "Status: 200 OK\r\nContent-Type: "
		    "application/json\r\nContent-Length: %lu\r\n\r\n", (unsigned long)body_len);
		FCGX_PutStr(body, (int)body_len, r.out);
		FCGX_Finish_r(&r);
	}
	return 0;
}
