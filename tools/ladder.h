/* SPDX-License-Identifier: MIT */
/* `synack ladder`: a ladder diagram (text, SVG) of one TCP connection in a capture. */
#ifndef SYNACK_TOOLS_LADDER_H
#define SYNACK_TOOLS_LADDER_H

/* Runs the command with its arguments (after "ladder"); returns the exit code. */
int ladder_main(int argc, char **argv);

#endif
