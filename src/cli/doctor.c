/* doctor.c: placeholder */
#include "cli.h"

int
cmd_doctor(int argc, char **argv)
{
	return 1;
}
