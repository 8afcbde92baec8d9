#include "unit.h"
Suite *cli_snapshot_suite(void) { return suite_create("cli_snapshot"); }
