/*
 * bp_client.h — the Botpress simulator from a cmocka test: its defaults,
 * its API headers and error bodies, on top of the platform-neutral
 * sim_client.h. The binary is $BOTPRESS_SIM (make check sets it).
 *
 * The Botpress tests name the neutral helpers bpsim_...: the aliases below
 * keep them, so each platform's tests read in its own words.
 */
#ifndef HANDOFF_SIM_BP_CLIENT_H
#define HANDOFF_SIM_BP_CLIENT_H

#include "sim_client.h"

#define BPSIM_TOKEN "sim-token"
#define BPSIM_BOT "bot-sim"
#define BPSIM_SIGNATURE_HEADER "x-bp-signature"

#define bpsim simc
#define bpsim_reply simc_reply
#define bpsim_start(s, ...) simc_start((s), "BOTPRESS_SIM", __VA_ARGS__)
#define bpsim_stop simc_stop
#define bpsim_reply_free simc_reply_free
#define bpsim_raw simc_raw
#define bpsim_ctl simc_ctl
#define bpsim_urlencode simc_urlencode
#define bpsim_now_ms simc_now_ms
#define hookrx_start(h) hookrx_listen((h), BPSIM_SIGNATURE_HEADER)

/* An API request with the token, x-bot-id and Content-Type. */
struct simc_reply bpsim_api(struct simc *s, const char *method, const char *path,
			    const char *body);

/* The error "type" of an API error body, "" when none. */
const char *bpsim_error_type(const struct simc_reply *r);

#endif
