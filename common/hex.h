/* The hex digit of the project's one hex decoder (common/hex.c), for the
 * few places that read hex one digit at a time (JSON \u escapes). */
#ifndef PETREL_COMMON_HEX_H
#define PETREL_COMMON_HEX_H

/* 0..15, or -1 for a character that is not a hex digit. */
int petrel_hex_digit(char c);

#endif
