/*
 * terminal: whether the terminal can draw sitrep's screens.
 */
#ifndef SITREP_TERMINAL_H
#define SITREP_TERMINAL_H

/* 0 if the terminal (TERM, on stdout) can move the cursor; else -1 and why. */
int terminal_usable(char **why);

#endif
