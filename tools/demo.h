/* SPDX-License-Identifier: MIT */
/* `synack demo`: classic TCP scenarios replayed in the simulator, drawn as ladders. */
#ifndef SYNACK_TOOLS_DEMO_H
#define SYNACK_TOOLS_DEMO_H

/* Runs the demo with its command-line arguments (after "demo"); returns the exit code. */
int demo_main(int argc, char **argv);

#endif
