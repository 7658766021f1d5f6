#!/bin/sh
# run.sh — run every benchmark (hub and client store) against an already built tree and print
# one Markdown report (machine, date, tables). Builds nothing.
#
#   tests/bench/run.sh [BUILDDIR [CHATS]]      BUILDDIR defaults to .
#
# Build without sanitizers first, or the figures measure the sanitizers.
set -eu

builddir=${1:-.}
chats=${2:-100000}
HANDOFFD=$(cd "$builddir" && pwd)/handoffd
export HANDOFFD

for prog in "$HANDOFFD" "$builddir/tests/bench/bench_hub_list" \
	"$builddir/tests/bench/bench_hub_fanout" "$builddir/tests/bench/bench_store"; do
	if [ ! -x "$prog" ]; then
		echo "run.sh: $prog is not built (make handoffd \$(EXTRA_PROGRAMS))" >&2
		exit 1
	fi
done

echo "# Benchmarks"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
	"$(awk '/^MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "- handoffd: $HANDOFFD"
echo
echo "## Queue pages (bench_hub_list)"
# cmocka's progress lines go to stdout too; keep the report to the tables.
"$builddir/tests/bench/bench_hub_list" "$chats" | grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]'
echo
echo "## Event fan-out (bench_hub_fanout)"
"$builddir/tests/bench/bench_hub_fanout" | grep -Ev '^\[(=+| RUN +| +OK +| +PASSED +)\]'
echo
echo "## Client store (bench_store)"
"$builddir/tests/bench/bench_store"
