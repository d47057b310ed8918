/* SPDX-License-Identifier: MIT */
/* `synack http`: dispatch and the bits of HTTP/1.1 parsing both sides share. */
#include "http.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

size_t http_header_end(const char *buf, size_t len)
{
    for (size_t i = 3; i < len; i++)
        if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' && buf[i] == '\n')
            return i + 1;
    return 0;
}

int http_header_value(const char *head, size_t len, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    const char *p = head, *end = head + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        if ((size_t)(eol - p) > nl && !strncasecmp(p, name, nl) && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            size_t vl = (size_t)(eol - v);
            while (vl > 0 && isspace((unsigned char)v[vl - 1]))
                vl--;
            if (vl >= size) vl = size - 1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return 0;
        }
        p = eol + 1;
    }
    return -1;
}

int http_main(int argc, char **argv)
{
    if (argc >= 1 && !strcmp(argv[0], "get")) return http_get_main(argc - 1, argv + 1);
    if (argc >= 1 && !strcmp(argv[0], "serve")) return http_serve_main(argc - 1, argv + 1);
    FILE *out = argc >= 1 && !strcmp(argv[0], "--help") ? stdout : stderr;
    fprintf(out, "usage: synack http get URL -o FILE [OPTIONS]\n"
                 "       synack http serve DIR --port P [OPTIONS]\n"
                 "(synack http get --help, synack http serve --help)\n");
    return out == stdout ? 0 : 2;
}
