#!/bin/sh
# test_layers.sh — the walls between the layers hold (doc/architecture.md,
# "Folders and layers"). make check runs it with $CC and each layer's
# include flags in the environment (tests/build/local.mk).
#
# For each layer, a header it may use must compile and a header of a layer
# it may not use must not: the second half is the wall, the first proves the
# check can tell. Then no console file may reach the outbox except through
# the session: outbox.h must not be among any ui/ file's dependencies.
set -u

: "${CC:?}" "${LAYER_CORE:?}" "${LAYER_CLIENT:?}" "${LAYER_HUB:?}" "${LAYER_UI:?}"
: "${LAYER_BRIDGE:?}"
: "${UI_DEP_FLAGS:?}" "${top_srcdir:?}"

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

compiles() { # FLAGS HEADER
	printf '#include "%s"\n' "$2" > "$tmp/probe.c"
	# shellcheck disable=SC2086
	$CC $1 -fsyntax-only -c "$tmp/probe.c" -o /dev/null 2>/dev/null
}

check() { # LAYER FLAGS HEADER may|may-not
	if compiles "$2" "$3"; then got=may; else got=may-not; fi
	if [ "$got" = "$4" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: the $1 layer $4 include $3, but the build says it $got"
	fi
}

check core   "$LAYER_CORE"   model.h   may
check core   "$LAYER_CORE"   httpc.h   may-not
check core   "$LAYER_CORE"   db.h      may-not
check client "$LAYER_CLIENT" store.h   may
check client "$LAYER_CLIENT" db.h      may-not
check client "$LAYER_CLIENT" console.h may-not
check hub    "$LAYER_HUB"    db.h      may
check hub    "$LAYER_HUB"    store.h   may-not
check hub    "$LAYER_HUB"    session.h may-not
check hub    "$LAYER_HUB"    console.h may-not
check ui     "$LAYER_UI"     session.h may
check bridge "$LAYER_BRIDGE" httpc.h   may
check bridge "$LAYER_BRIDGE" db.h      may-not
check bridge "$LAYER_BRIDGE" console.h may-not
check ui     "$LAYER_UI"     db.h      may-not

# The console's files, with everything they include: never outbox.h.
for f in "$top_srcdir"/ui/*.c; do
	# shellcheck disable=SC2086
	if ! deps=$($CC $UI_DEP_FLAGS -MM "$f" 2>"$tmp/err"); then
		fail=$((fail + 1))
		echo "FAIL: cannot list what $f includes:"
		cat "$tmp/err"
	elif printf '%s\n' "$deps" | grep -q 'outbox\.h'; then
		fail=$((fail + 1))
		echo "FAIL: $f reaches outbox.h; the console goes through session.h"
	else
		pass=$((pass + 1))
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
