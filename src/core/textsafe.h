/*
 * textsafe.h — make hostile text safe to put on a terminal.
 *
 * Message text is stored and sent exactly as the customer wrote it; it is
 * neutralised only when shown. Nothing that can move the cursor, change
 * colours, set the window title or reorder the line reaches the terminal:
 * it is shown *visibly* instead, so an agent sees that something odd was sent.
 */
#ifndef HANDOFF_TEXTSAFE_H
#define HANDOFF_TEXTSAFE_H

#include <stddef.h>

enum textsafe_flags {
	TEXTSAFE_KEEP_NEWLINES = 1 << 0, /* keep '\n' (thread view, `show`); else shown as "^J" */
};

/*
 * Return a newly allocated, NUL-terminated, valid UTF-8 copy of s[0..len)
 * where:
 *   - C0 controls and DEL become caret notation: ESC -> "^[", BEL -> "^G",
 *     DEL -> "^?" ('\n' kept with TEXTSAFE_KEEP_NEWLINES; '\t' becomes one space);
 *   - C1 controls U+0080..U+009F become "<U+009B>";
 *   - bidi and invisible format controls (U+061C, U+200B..U+200F,
 *     U+2028..U+202E (line/paragraph separators and bidi embeddings),
 *     U+2060..U+206F, U+FEFF) become "<U+202E>";
 *   - each byte of invalid UTF-8 becomes "\xNN" (two uppercase hex digits);
 *   - an embedded NUL becomes "^@".
 * Returns NULL only when out of memory.
 */
char *textsafe_dup(const char *s, size_t len, unsigned flags);

#endif
