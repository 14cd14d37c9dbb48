/* connlimit.c: per-address connection counts (see connlimit.h): a chained hash table under one
 * mutex; an entry lives while its address holds a connection.
 */
#include "http/connlimit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 1024

typedef struct entry {
  struct entry *next;
  conn_key k;
  int n;
} entry;

struct connlimit {
  pthread_mutex_t mu;
  int cap;
  bool exempt_loopback;
  bool has_proxy;
  conn_key proxy;
  entry *b[BUCKETS];
};

static void key_of(const struct sockaddr *sa, conn_key *k, bool *loopback) {
  memset(k, 0, sizeof *k);
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
    k->b[10] = k->b[11] = 0xff;
    memcpy(k->b + 12, &in->sin_addr, 4);
    *loopback = k->b[12] == 127;
    return;
  }
  const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
  memcpy(k->b, &in6->sin6_addr, 16);
  if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
    *loopback = k->b[12] == 127;
    return;
  }
  *loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
  memset(k->b + 8, 0, 8); /* a /64 counts as one client */
}

connlimit *connlimit_new(int cap, bool exempt_loopback, const char *proxy) {
  connlimit *cl = calloc(1, sizeof *cl);
  if (!cl) return NULL;
  pthread_mutex_init(&cl->mu, NULL);
  cl->cap = cap;
  cl->exempt_loopback = exempt_loopback;
  if (proxy && *proxy) {
    struct sockaddr_in in = {.sin_family = AF_INET};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6};
    bool lo;
    if (inet_pton(AF_INET, proxy, &in.sin_addr) == 1) {
      key_of((const struct sockaddr *)&in, &cl->proxy, &lo);
    } else if (inet_pton(AF_INET6, proxy, &in6.sin6_addr) == 1) {
      /* the proxy's exact address, not its /64 */
      memcpy(cl->proxy.b, &in6.sin6_addr, 16);
      if (!IN6_IS_ADDR_V4MAPPED(&in6.sin6_addr)) memset(cl->proxy.b + 8, 0, 8);
    } else {
      connlimit_free(cl);
      return NULL;
    }
    cl->has_proxy = true;
  }
  return cl;
}

void connlimit_free(connlimit *cl) {
  if (!cl) return;
  for (int i = 0; i < BUCKETS; i++) {
    entry *e = cl->b[i];
    while (e) {
      entry *next = e->next;
      free(e);
      e = next;
    }
  }
  pthread_mutex_destroy(&cl->mu);
  free(cl);
}

bool connlimit_key(const connlimit *cl, const struct sockaddr *sa, conn_key *k) {
  if (!sa || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6)) return false;
  bool loopback = false;
  key_of(sa, k, &loopback);
  if (loopback && cl->exempt_loopback) return false;
  if (cl->has_proxy && memcmp(k->b, cl->proxy.b, 16) == 0) return false;
  return true;
}

static unsigned hash(const conn_key *k) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (int i = 0; i < 16; i++) h = (h ^ k->b[i]) * 16777619u;
  return h % BUCKETS;
}

static entry **find(connlimit *cl, const conn_key *k) {
  entry **p = &cl->b[hash(k)];
  while (*p && memcmp((*p)->k.b, k->b, 16) != 0) p = &(*p)->next;
  return p;
}

bool connlimit_allows(connlimit *cl, const conn_key *k) {
  if (cl->cap <= 0) return true;
  pthread_mutex_lock(&cl->mu);
  entry *e = *find(cl, k);
  bool ok = !e || e->n < cl->cap;
  pthread_mutex_unlock(&cl->mu);
  return ok;
}

bool connlimit_add(connlimit *cl, const conn_key *k) {
  bool ok = true;
  pthread_mutex_lock(&cl->mu);
  entry **p = find(cl, k);
  if (!*p) {
    entry *e = calloc(1, sizeof *e);
    if (e) {
      e->k = *k;
      *p = e;
    }
  }
  if (*p)
    (*p)->n++;
  else
    ok = false;
  pthread_mutex_unlock(&cl->mu);
  return ok;
}

void connlimit_del(connlimit *cl, const conn_key *k) {
  pthread_mutex_lock(&cl->mu);
  entry **p = find(cl, k);
  if (*p && --(*p)->n <= 0) {
    entry *e = *p;
    *p = e->next;
    free(e);
  }
  pthread_mutex_unlock(&cl->mu);
}

int connlimit_count(connlimit *cl, const conn_key *k) {
  pthread_mutex_lock(&cl->mu);
  entry *e = *find(cl, k);
  int n = e ? e->n : 0;
  pthread_mutex_unlock(&cl->mu);
  return n;
}
