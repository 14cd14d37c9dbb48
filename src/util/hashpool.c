/* hashpool.c: bounded job queue served by a fixed set of threads (see hashpool.h).
 * Owns: the ring of queued jobs and the worker threads.
 * Never: grows the queue or blocks the submitter.
 */
#include "util/hashpool.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Hashing is batch work: at a lower priority than the request threads, so that a burst of
 * log-ins (argon2 on every core) does not slow unrelated requests down. Linux: per thread. */
#define POOL_NICE 10

typedef struct job {
  hashpool_fn work, done;
  void *arg;
} job;

struct hashpool {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  job *ring;
  int cap, head, count, running;
  bool stopping;
  int nthreads;
  pthread_t *threads;
};

static void *worker(void *arg) {
  hashpool *p = arg;
  (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), POOL_NICE); /* best effort */
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->count && !p->stopping) pthread_cond_wait(&p->cv, &p->mu);
    if (!p->count && p->stopping) break;
    job j = p->ring[p->head];
    p->head = (p->head + 1) % p->cap;
    p->count--;
    p->running++;
    pthread_mutex_unlock(&p->mu);
    j.work(j.arg);
    if (j.done) j.done(j.arg);
    pthread_mutex_lock(&p->mu);
    p->running--;
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

hashpool *hashpool_new(int threads, int queue) {
  if (threads <= 0) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    threads = n > 0 ? (int)n : 1;
  }
  if (threads > 64) threads = 64;
  if (queue < 1) queue = 1;
  hashpool *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->ring = calloc((size_t)queue, sizeof *p->ring);
  p->threads = calloc((size_t)threads, sizeof *p->threads);
  p->cap = queue;
  if (!p->ring || !p->threads || pthread_mutex_init(&p->mu, NULL) != 0) goto fail;
  if (pthread_cond_init(&p->cv, NULL) != 0) {
    pthread_mutex_destroy(&p->mu);
    goto fail;
  }
  for (int i = 0; i < threads; i++) {
    if (pthread_create(&p->threads[i], NULL, worker, p) != 0) break;
    p->nthreads++;
  }
  if (p->nthreads == 0) {
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    goto fail;
  }
  return p;
fail:
  free(p->ring);
  free(p->threads);
  free(p);
  return NULL;
}

void hashpool_free(hashpool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  p->stopping = true;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  for (int i = 0; i < p->nthreads; i++) pthread_join(p->threads[i], NULL);
  pthread_cond_destroy(&p->cv);
  pthread_mutex_destroy(&p->mu);
  free(p->ring);
  free(p->threads);
  free(p);
}

int hashpool_submit(hashpool *p, hashpool_fn work, hashpool_fn done, void *arg) {
  if (!p || !work) return -1;
  int rc = -1;
  pthread_mutex_lock(&p->mu);
  if (!p->stopping && p->count < p->cap) {
    p->ring[(p->head + p->count) % p->cap] = (job){work, done, arg};
    p->count++;
    pthread_cond_signal(&p->cv);
    rc = 0;
  }
  pthread_mutex_unlock(&p->mu);
  return rc;
}

int hashpool_pending(hashpool *p) {
  if (!p) return 0;
  pthread_mutex_lock(&p->mu);
  int n = p->count + p->running;
  pthread_mutex_unlock(&p->mu);
  return n;
}
