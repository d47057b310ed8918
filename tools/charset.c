/* SPDX-License-Identifier: MIT */
#include "charset.h"

#include <langinfo.h>
#include <locale.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "synack/ladder.h"

unsigned tool_ladder_charset(enum tool_charset c, int fd)
{
    if (c != CHARSET_AUTO) return c == CHARSET_UNICODE ? SYNACK_LADDER_UNICODE : 0;
    if (!isatty(fd)) return 0;
    /* The character type only: numbers keep their C formatting. */
    if (!setlocale(LC_CTYPE, "")) return 0;
    const char *cs = nl_langinfo(CODESET);
    return cs && (!strcasecmp(cs, "UTF-8") || !strcasecmp(cs, "utf8")) ? SYNACK_LADDER_UNICODE : 0;
}

bool tool_charset_flag(const char *arg, enum tool_charset *c)
{
    if (!strcmp(arg, "--ascii"))
        *c = CHARSET_ASCII;
    else if (!strcmp(arg, "--unicode"))
        *c = CHARSET_UNICODE;
    else
        return false;
    return true;
}
