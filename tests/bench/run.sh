#!/bin/sh
# run.sh — run every benchmark (hub and client store) against an already built tree and print
# one Markdown report (machine, date, tables). Builds nothing.
#
#   tests/bench/run.sh [BUILDDIR [CHATS]]      BUILDDIR defaults to .
#
# Build without sanitizers first, or the figures measure the sanitizers.
# BENCH_RUNS (default 3) and BENCH_IDLE (seconds, default 60) shape the
# console benchmark, BENCH_SOAK_SECONDS (default 600) the hub soak, BENCH_KEY_CHATS (default 20) the console key one; WeeChat and ngircd, its reference, are installed with
# apt-get when missing and this runs as root, else their rows are skipped.
set -eu

builddir=${1:-.}
chats=${2:-100000}
HANDOFFD=$(cd "$builddir" && pwd)/handoffd
HANDOFF_BIN=$(cd "$builddir" && pwd)/handoff
AGENTS_SIM=$(cd "$builddir" && pwd)/tests/sim/agents_sim
export HANDOFFD HANDOFF_BIN AGENTS_SIM

for prog in "$HANDOFFD" "$HANDOFF_BIN" "$builddir/tests/bench/bench_hub_list" \
	"$builddir/tests/bench/bench_hub_fanout" "$builddir/tests/bench/bench_hub_wal" \
	"$builddir/tests/bench/bench_hub_soak" "$builddir/tests/bench/bench_replicas" \
	"$builddir/tests/bench/bench_pg_access" \
	"$builddir/tests/integration/with_pg" \
	"$builddir/tests/bench/bench_store" \
	"$builddir/tests/bench/bench_console" "$builddir/tests/bench/bench_console_keys" \
	"$builddir/tests/bench/bench_bridge" "$builddir/handoff-bridge" \
	"$builddir/tests/sim/botpress_sim" "$builddir/tests/sim/threads_sim" \
	"$builddir/tests/sim/chats_sim" "$builddir/tests/sim/conversations_sim"; do
	if [ ! -x "$prog" ]; then
		echo "run.sh: $prog is not built (make handoffd \$(EXTRA_PROGRAMS))" >&2
		exit 1
	fi
done

# The reference for the console: not in bootstrap, so CI stays lean.
if ! command -v weechat >/dev/null 2>&1 ||
	{ ! command -v ngircd >/dev/null 2>&1 && ! [ -x /usr/sbin/ngircd ]; }; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "run.sh: installing weechat-curses and ngircd for the comparison" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			weechat-curses ngircd >/dev/null 2>&1 ||
			echo "run.sh: could not install them; the WeeChat rows are skipped" >&2
	else
		echo "run.sh: weechat-curses or ngircd missing (install them as root);" \
			"the WeeChat rows are skipped" >&2
	fi
fi

echo "# Benchmarks"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
	"$(awk '/^MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "- handoffd: $HANDOFFD"
echo
echo "## Queue pages (bench_hub_list)"
# One fill for both queue-page runs: the side-by-side one reuses it.
BENCH_DB=$(mktemp -d /tmp/handoff-bench-XXXXXX)/list.db
export BENCH_DB
# cmocka's progress lines go to stdout too; keep the report to the tables.
"$builddir/tests/bench/bench_hub_list" "$chats" | grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]'
echo
echo "## Queue pages, SQLite and PostgreSQL side by side (with_pg -- bench_hub_list, durable)"
(cd "$builddir" && HANDOFF_PG_DURABLE=1 tests/integration/with_pg -- tests/bench/bench_hub_list "$chats") |
	grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]'
rm -rf "$(dirname "$BENCH_DB")"
unset BENCH_DB
echo
echo "## Message search over about 1,000,000 messages (bench_hub_list 232000 search)"
"$builddir/tests/bench/bench_hub_list" 232000 search | grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]'
echo
echo "## Event fan-out (bench_hub_fanout)"
"$builddir/tests/bench/bench_hub_fanout" | grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]'
echo
echo "## Write-ahead log (bench_hub_wal)"
"$builddir/tests/bench/bench_hub_wal" | grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]'
echo
echo "## Replicas on PostgreSQL (bench_replicas, durable)"
(cd "$builddir" && HANDOFF_PG_DURABLE=1 tests/integration/with_pg -- tests/bench/bench_replicas) |
	grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]'
echo
echo "## Worker threads or libpq-async (bench_pg_access, durable)"
(cd "$builddir" && HANDOFF_PG_DURABLE=1 tests/integration/with_pg -- tests/bench/bench_pg_access) |
	grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]'
echo
echo "## Soak (bench_hub_soak)"
"$builddir/tests/bench/bench_hub_soak" "${BENCH_SOAK_SECONDS:-600}" |
	grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]'
echo
echo "## Client store (bench_store)"
"$builddir/tests/bench/bench_store"
echo
echo "## Console (bench_console)"
"$builddir/tests/bench/bench_console" "${BENCH_RUNS:-3}" "${BENCH_IDLE:-60}" "$chats" |
	grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]'
echo
echo "## Console key → hub applied (bench_console_keys)"
"$builddir/tests/bench/bench_console_keys" "${BENCH_KEY_CHATS:-20}" |
	grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]|^added '
echo
echo "## Bridge: platform -> hub, reply -> platform, backfill (bench_bridge)"
# The bridge and every platform's simulator, as make check names them.
abs=$(cd "$builddir" && pwd)
HANDOFF_BRIDGE=$abs/handoff-bridge BOTPRESS_SIM=$abs/tests/sim/botpress_sim \
	THREADS_SIM=$abs/tests/sim/threads_sim CHATS_SIM=$abs/tests/sim/chats_sim \
	CONVERSATIONS_SIM=$abs/tests/sim/conversations_sim
export HANDOFF_BRIDGE BOTPRESS_SIM THREADS_SIM CHATS_SIM CONVERSATIONS_SIM
"$builddir/tests/bench/bench_bridge" "${BENCH_BRIDGE_SAMPLES:-200}" "${BENCH_BRIDGE_BACKFILL:-1000}" |
	grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]|^added '
