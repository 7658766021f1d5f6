#!/bin/sh
# ingest_cost.sh — the hub's instructions per ingested item, counted by
# callgrind (valgrind), so the figure does not depend on the machine's load
# (doc/performance.md, "Ingest: instruction counts"). Builds nothing.
#
#   tests/bench/ingest_cost.sh [BUILDDIR [CONVERSATIONS [POSTS]]]
#
# backfill: bench_bridge's backfill of CONVERSATIONS (default 2000) Botpress
#   conversations of 2 messages, with the hub under callgrind.
# single: POSTS (default 2000) single POST /v1/ingest/messages into one chat,
#   one at a time on one connection (curl), as bench_console's feeders send
#   them, after one that opens the chat.
# Each prints the hub's instructions in all and in its ingest handler, per
# conversation or per POST. Needs valgrind, callgrind_annotate and curl.
# CONVERSATIONS 0 skips the backfill (bench_bridge need not be built).
# With INGEST_COST_KEEP=DIR the callgrind files are kept there
# (backfill.cg, single.cg), to see where the instructions went:
#   callgrind_annotate --inclusive=yes DIR/single.cg
set -eu

builddir=$(cd "${1:-.}" && pwd)
convs=${2:-2000}
posts=${3:-2000}
work=$(mktemp -d /tmp/ingest-cost-XXXXXX)
trap 'rm -rf "$work"' EXIT

# Instructions of the whole hub, and inclusive of function $2, in file $1.
counts()
{
	callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
		awk -v fn="$2" '/PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
			index($0, ":" fn " [") { gsub(",", "", $1); f = $1 }
			END { print total, f }'
}

# The hub bench_bridge starts runs under callgrind; its other uses (agent
# add, grant) run as they are.
cat >"$work/hub" <<EOF
#!/bin/sh
case "\$1" in
--listen) exec valgrind --tool=callgrind -q --callgrind-out-file="$work/backfill.cg" "$builddir/handoffd" "\$@" ;;
*) exec "$builddir/handoffd" "\$@" ;;
esac
EOF
chmod +x "$work/hub"
if [ "$convs" -gt 0 ]; then
	HANDOFFD="$work/hub" HANDOFF_BRIDGE="$builddir/handoff-bridge" \
		BOTPRESS_SIM="$builddir/tests/sim/botpress_sim" \
		"$builddir/tests/bench/bench_bridge" 0 "$convs" >"$work/backfill.log" 2>&1
	counts "$work/backfill.cg" handle_ingest_batch | awk -v n="$convs" \
		'{ printf "backfill: %d conversations: hub %.0f instructions a conversation, %.0f in handle_ingest_batch\n", n, $1 / n, $2 / n }'
fi

db="$work/single.db"
token=$("$builddir/handoffd" agent add Feeder --role ingest --db "$db" 2>/dev/null)
valgrind --tool=callgrind -q --callgrind-out-file="$work/single.cg" "$builddir/handoffd" \
	--listen 127.0.0.1:0 --db "$db" --rate 0 --ingest-rate 0 2>"$work/single.log" &
hub=$!
port=
while [ -z "$port" ]; do
	sleep 0.2
	port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/single.log")
done
url="http://127.0.0.1:$port/v1/ingest/messages"
chat=$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	-d '{"external_id":"feed-1","role":"user","text":"hello"}' "$url" |
	sed 's/^{"chat":{"id":"\([^"]*\)".*/\1/')
# One curl, one connection: each request a "next" of its config file.
i=0
while [ "$i" -lt "$posts" ]; do
	[ "$i" -eq 0 ] || echo next
	printf 'url = "%s"\nheader = "Authorization: Bearer %s"\nheader = "Content-Type: application/json"\n' \
		"$url" "$token"
	printf 'data = "{\\"chat_id\\":\\"%s\\",\\"role\\":\\"user\\",\\"text\\":\\"line %d of the feed, a customer typing\\"}"\n' \
		"$chat" "$i"
	printf 'output = "/dev/null"\n'
	i=$((i + 1))
done >"$work/single.curl"
curl -s -K "$work/single.curl"
kill -TERM "$hub"
wait "$hub" || true
counts "$work/single.cg" handle_ingest | awk -v n="$((posts + 1))" \
	'{ printf "single: %d POSTs: hub %.0f instructions a POST, %.0f in handle_ingest\n", n, $1 / n, $2 / n }'
if [ -n "${INGEST_COST_KEEP:-}" ]; then
	mkdir -p "$INGEST_COST_KEEP"
	cp "$work"/*.cg "$INGEST_COST_KEEP"/
fi
