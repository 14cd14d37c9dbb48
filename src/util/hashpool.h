/* hashpool.h: a small fixed pool of threads for slow CPU work (password hashing), fed by a
 * bounded queue, so that argon2 never runs on a request thread or while a database
 * connection is held.
 * Owns: its threads and its queue (not the jobs' memory: the submitter keeps that alive
 * until `done` has run).
 * Never: blocks a submitter: a full queue is refused at once (the caller answers 503).
 */
#ifndef HOCVUSO_HASHPOOL_H
#define HOCVUSO_HASHPOOL_H

typedef struct hashpool hashpool;
typedef void (*hashpool_fn)(void *arg);

/* `threads` workers (0: one per online CPU), at most `queue` jobs waiting. NULL on failure. */
hashpool *hashpool_new(int threads, int queue);
/* Lets the queued jobs finish, then stops the threads. */
void hashpool_free(hashpool *p);
/* Queues work(arg) then done(arg), both on a pool thread. 0, or -1 when the queue is full or
 * the pool is stopping. */
int hashpool_submit(hashpool *p, hashpool_fn work, hashpool_fn done, void *arg);
/* Jobs waiting plus running, for /metrics and tests. */
int hashpool_pending(hashpool *p);

#endif
