/*
 * bench_fill.h — fill a hub database with many chats, fast, through the
 * hub's own state layer (the same calls as ingest), for the benchmarks.
 */
#ifndef HANDOFF_BENCH_FILL_H
#define HANDOFF_BENCH_FILL_H

/*
 * Create the database at `path` with an ingest account, three agents
 * ("Agent 0".."Agent 2") and `n` chats of one customer message each: every
 * 10th chat waiting, every 10th (offset 5) held by one of the agents, every
 * 5th with an open ticket, three channels. `agent_token` (TOKEN_STRLEN + 1
 * bytes) receives Agent 0's token. Fails the calling cmocka test on error.
 */
void bench_fill(const char *path, int n, char *agent_token);

/*
 * Then give the first `n` chats of bench_fill threads as long as real ones:
 * chat i gets i % 7 more messages (customer and bot in turn, 4 a chat on
 * average), every 50th an agent's note, and chat i with i % 10000 == 1234
 * the rare word "Zanzibar".
 */
void bench_fill_threads(const char *path, int n);

#endif
