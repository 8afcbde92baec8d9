// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: command-line tool for hv.  Only process glue lives here; the
 * program is hvctl_main() (cli/commands.c), which the unit tests drive.
 */
#include <stdio.h>

#include "hvctl.h"

int main(int argc, char **argv)
{
	return hvctl_main(argc, argv, stdout, stderr);
}
