/*
 * bridge_check.h — `handoff-bridge --check` (bridge_check.c).
 */
#ifndef HANDOFF_BRIDGE_CHECK_H
#define HANDOFF_BRIDGE_CHECK_H

#include <stdbool.h>

#include "bridge.h"

/* Run the loop until both sides answered; print one line each. True when
 * the platform took the credentials and the hub token is an ingest one. */
bool bridge_check(struct bridge *b);

#endif
