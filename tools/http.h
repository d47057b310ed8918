/* SPDX-License-Identifier: MIT */
/* `synack http get` and `synack http serve`: HTTP/1.1 over synack on a TUN device. */
#ifndef SYNACK_TOOLS_HTTP_H
#define SYNACK_TOOLS_HTTP_H

#include <stddef.h>

/* Runs with the arguments after "http"; returns the exit code. */
int http_main(int argc, char **argv);
int http_get_main(int argc, char **argv);
int http_serve_main(int argc, char **argv);

/* Finds the end of the header block ("\r\n\r\n") in buf; returns its length including the
 * blank line, or 0 if not complete. */
size_t http_header_end(const char *buf, size_t len);

/* Value of header `name` (case-insensitive) in the header block, copied into out; returns
 * 0 if found. */
int http_header_value(const char *head, size_t len, const char *name, char *out, size_t size);

#endif
