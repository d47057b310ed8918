/* SPDX-License-Identifier: MIT */
/* `synack sim`: a scenario composed from command-line flags, drawn as a ladder. */
#ifndef SYNACK_TOOLS_SIM_H
#define SYNACK_TOOLS_SIM_H

/* Runs the command with its arguments (after "sim"); returns the exit code (2: bad
 * arguments, 1: a check failed). */
int sim_main(int argc, char **argv);

#endif
