/* SPDX-License-Identifier: MIT */
/* `synack cat`: netcat over synack on a TUN device. */
#ifndef SYNACK_TOOLS_CAT_H
#define SYNACK_TOOLS_CAT_H

/* Runs with the arguments after "cat"; returns the exit code. */
int cat_main(int argc, char **argv);

#endif
