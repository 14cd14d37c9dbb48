/* rand.h: uniform random numbers without a system call each (the quizzes' draws).
 * A ChaCha20 stream per thread (libsodium's deterministic generator), keyed once from the system and
 * re-keyed from its own output every block of 64 numbers: randombytes_uniform asks the kernel for
 * every number, and a synchronised start of a class draws tens of numbers for each of thousands of
 * learners. Not for keys or tokens (those take randombytes_buf).
 */
#ifndef HOCVUSO_RAND_H
#define HOCVUSO_RAND_H

#include <stdint.h>

/* Uniform in [0, n) without modulo bias; 0 when n < 2. */
uint32_t rand_uniform(uint32_t n);

#endif
