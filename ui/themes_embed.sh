#!/bin/sh
# themes_embed.sh SRCDIR FILE... — the built-in themes as C strings, so the
# console finds them without an install (make demo runs it from the tree).
# FILEs are relative to SRCDIR.
srcdir=$1
shift
echo "/* Generated from the files in themes/ by ui/themes_embed.sh: do not edit. */"
echo "#include <stddef.h>"
echo "#include <string.h>"
echo "#include \"theme.h\""
echo "static const struct { const char *name, *text; } builtins[] = {"
for f in "$@"; do
	name=$(basename "$f" .theme)
	printf '\t{"%s",\n' "$name"
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t "/' -e 's/$/\\n"/' "$srcdir/$f"
	printf '\t},\n'
done
echo "};"
echo "const char *const theme_builtin_names[] = {"
for f in "$@"; do printf '\t"%s",\n' "$(basename "$f" .theme)"; done
echo "	NULL,"
echo "};"
cat <<'C'
const char *theme_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof builtins / sizeof *builtins; i++)
		if (strcmp(builtins[i].name, name) == 0)
			return builtins[i].text;
	return NULL;
}
C
