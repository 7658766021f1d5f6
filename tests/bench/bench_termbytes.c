/*
 * bench_termbytes.c — what the bytes a program writes to its terminal are
 * (see bench_console.h): each escape sequence, control character or run
 * of text is counted whole in one class, so the classes add up to the
 * total that tmux's pipe-pane counted.
 */
#include <stdio.h>
#include <string.h>

#include "bench_console.h"

static const char *const class_names[TB_COUNT] = {
	[TB_TEXT] = "text (characters drawn, REP)",
	[TB_CURSOR] = "cursor movement (CUP, CR/LF, save/restore)",
	[TB_SGR] = "colours and attributes (SGR)",
	[TB_CLEAR] = "clears (EL, ED, ECH)",
	[TB_SCROLL] = "scrolling (region, SU/SD, IL/DL, RI)",
	[TB_OTHER] = "other (modes, charsets, ICH/DCH, OSC)",
};

/* The class of a CSI sequence by its final byte. */
static enum tb_class csi_class(unsigned char final)
{
	switch (final) {
	case 'm':
		return TB_SGR;
	case 'H': case 'f': case 'A': case 'B': case 'C': case 'D': case 'E': case 'F':
	case 'G': case 'd': case 'e': case 'a': case '`':
		return TB_CURSOR;
	case 'K': case 'J': case 'X':
		return TB_CLEAR;
	case 'S': case 'T': case 'r': case 'L': case 'M':
		return TB_SCROLL;
	case 'b':
		return TB_TEXT;
	default:
		return TB_OTHER;
	}
}

/* The class of ESC followed by c (not '[' or ']'). */
static enum tb_class esc_class(unsigned char c)
{
	switch (c) {
	case '7': case '8': case 'E':
		return TB_CURSOR;
	case 'M': case 'D':
		return TB_SCROLL;
	default:
		return TB_OTHER;
	}
}

enum { ST_GROUND, ST_ESC, ST_ESC_INTER, ST_CSI, ST_OSC, ST_OSC_ESC };

void termbytes_feed(struct termbytes *tb, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = p[i];
		tb->seq++;
		switch (tb->state) {
		case ST_GROUND:
			tb->seq = 1;
			if (c == 0x1b) {
				tb->state = ST_ESC;
				continue;
			}
			if (c == '\r' || c == '\n' || c == '\b' || c == '\t')
				tb->n[TB_CURSOR]++;
			else if (c < 0x20 || c == 0x7f)
				tb->n[TB_OTHER]++;
			else
				tb->n[TB_TEXT]++;
			continue;
		case ST_ESC:
			if (c == '[') {
				tb->state = ST_CSI;
			} else if (c == ']') {
				tb->state = ST_OSC;
			} else if (c >= 0x20 && c <= 0x2f) {
				tb->state = ST_ESC_INTER; /* ESC ( B: a charset */
			} else {
				tb->n[esc_class(c)] += tb->seq;
				tb->state = ST_GROUND;
			}
			continue;
		case ST_ESC_INTER:
			if (c >= 0x30) {
				tb->n[TB_OTHER] += tb->seq;
				tb->state = ST_GROUND;
			}
			continue;
		case ST_CSI:
			if (c >= 0x40 && c <= 0x7e) {
				tb->n[csi_class(c)] += tb->seq;
				tb->state = ST_GROUND;
			}
			continue;
		case ST_OSC:
			if (c == 0x07) {
				tb->n[TB_OTHER] += tb->seq;
				tb->state = ST_GROUND;
			} else if (c == 0x1b) {
				tb->state = ST_OSC_ESC;
			}
			continue;
		case ST_OSC_ESC:
			tb->n[TB_OTHER] += tb->seq;
			tb->state = ST_GROUND;
			continue;
		}
	}
}

bool termbytes_file(struct termbytes *tb, const char *path)
{
	unsigned char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		termbytes_feed(tb, buf, n);
	fclose(f);
	return true;
}

static unsigned long long total(const struct termbytes *tb)
{
	unsigned long long t = 0;
	for (int k = 0; k < TB_COUNT; k++)
		t += tb->n[k];
	return t;
}

void termbytes_table(const struct termbytes *con, double con_msgs, const struct termbytes *wee,
		     double wee_msgs)
{
	printf("| bytes per message | console | WeeChat |\n|---|---:|---:|\n");
	for (int k = 0; k < TB_COUNT; k++) {
		printf("| %s | %.0f |", class_names[k], (double)con->n[k] / con_msgs);
		if (wee)
			printf(" %.0f |\n", (double)wee->n[k] / wee_msgs);
		else
			printf(" skipped |\n");
	}
	printf("| **all** | **%.0f** |", (double)total(con) / con_msgs);
	if (wee)
		printf(" **%.0f** |\n", (double)total(wee) / wee_msgs);
	else
		printf(" skipped |\n");
}
