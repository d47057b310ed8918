/* SPDX-License-Identifier: MIT */
/* How the tools draw text ladders: Unicode box drawing or ASCII. */
#ifndef SYNACK_TOOLS_CHARSET_H
#define SYNACK_TOOLS_CHARSET_H

#include <stdbool.h>

enum tool_charset { CHARSET_AUTO, CHARSET_ASCII, CHARSET_UNICODE };

/* SYNACK_LADDER_UNICODE or 0: Unicode when asked (--unicode), ASCII when asked (--ascii);
 * by default Unicode only when fd (where the ladder goes) is a terminal whose locale
 * encodes UTF-8, so that pipes, files and other terminals get plain ASCII. */
unsigned tool_ladder_charset(enum tool_charset c, int fd);

/* Sets *c from "--ascii" or "--unicode"; false if arg is neither. */
bool tool_charset_flag(const char *arg, enum tool_charset *c);

#endif
