/*
 * demo_hub.h — `handoff --demo` (demo_hub.c).
 */
#ifndef HANDOFF_CLI_DEMO_HUB_H
#define HANDOFF_CLI_DEMO_HUB_H

#include "cli.h"

/* Start a private demo hub, run the console on it, stop it; the exit
 * status. `given` supplies the theme. */
int cli_demo(struct cli *cli, const struct config_args *given);

#endif
