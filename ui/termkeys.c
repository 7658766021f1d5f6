/*
 * termkeys.c — key sequences terminfo may lack (see termkeys.h).
 */
#include <curses.h>
#include <stddef.h>

#include "termkeys.h"

/* VT220-style "CSI n ~" (xterm, tmux, screen, rxvt, the Linux console),
 * the SS3 and CSI forms of the cursor keys (application and normal
 * cursor mode), rxvt's and the Linux console's F1..F5. */
static const struct {
	const char *seq;
	int key;
} seqs[] = {
	{"\033[1~", KEY_HOME},  {"\033[7~", KEY_HOME},  {"\033[H", KEY_HOME},
	{"\033OH", KEY_HOME},   {"\033[4~", KEY_END},   {"\033[8~", KEY_END},
	{"\033[F", KEY_END},    {"\033OF", KEY_END},    {"\033[2~", KEY_IC},
	{"\033[3~", KEY_DC},    {"\033[5~", KEY_PPAGE}, {"\033[6~", KEY_NPAGE},
	{"\033[A", KEY_UP},     {"\033OA", KEY_UP},     {"\033[B", KEY_DOWN},
	{"\033OB", KEY_DOWN},   {"\033[C", KEY_RIGHT},  {"\033OC", KEY_RIGHT},
	{"\033[D", KEY_LEFT},   {"\033OD", KEY_LEFT},   {"\033[Z", KEY_BTAB},
	{"\033OP", KEY_F(1)},   {"\033OQ", KEY_F(2)},   {"\033OR", KEY_F(3)},
	{"\033OS", KEY_F(4)},   {"\033[11~", KEY_F(1)}, {"\033[12~", KEY_F(2)},
	{"\033[13~", KEY_F(3)}, {"\033[14~", KEY_F(4)}, {"\033[[A", KEY_F(1)},
	{"\033[[B", KEY_F(2)},  {"\033[[C", KEY_F(3)},  {"\033[[D", KEY_F(4)},
	{"\033[[E", KEY_F(5)},  {"\033[15~", KEY_F(5)}, {"\033[17~", KEY_F(6)},
	{"\033[18~", KEY_F(7)}, {"\033[19~", KEY_F(8)}, {"\033[20~", KEY_F(9)},
	{"\033[21~", KEY_F(10)}, {"\033[23~", KEY_F(11)}, {"\033[24~", KEY_F(12)},
};

int termkeys_define(void)
{
	int added = 0;

	/* key_defined: 0 when nothing decodes the sequence, -1 when it is a
	 * prefix of (or prefixed by) one that does; either way terminfo's
	 * own definitions are left as they are. */
	for (size_t i = 0; i < sizeof seqs / sizeof *seqs; i++)
		if (key_defined(seqs[i].seq) == 0 && define_key(seqs[i].seq, seqs[i].key) == OK)
			added++;
	return added;
}
