// A second baseline, in C with libmaxminddb (Debian's libmaxminddb-dev): the naive baseline's work (bench/naive.mjs)
// done the way a C programmer would, to tell how fast this machine is today independently of Node.js.
// Groups version 2 lines by src_country, src_city, action for records with a public endpoint.
// Build: cc -O2 -o reference bench/reference.c -lmaxminddb. Run: reference IPV4.mmdb IPV6.mmdb FILE
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define SLOTS (1u << 20)

struct group { char *key; long records, packets, bytes; };
static struct group groups[SLOTS];
static long group_count;

static struct group *group_of(const char *key, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)key[i]) * 16777619u;
  for (uint32_t i = h & (SLOTS - 1);; i = (i + 1) & (SLOTS - 1)) {
    struct group *g = &groups[i];
    if (g->key == NULL) {
      g->key = strndup(key, n);
      group_count++;
      return g;
    }
    if (strncmp(g->key, key, n) == 0 && g->key[n] == 0) return g;
  }
}

// Globally reachable, as far as the common cases go: not private, loopback, link-local, CGNAT, multicast,
// documentation or reserved (IPv4); global unicast 2000::/3 but not documentation (IPv6).
static int public_v4(uint32_t a) {
  return !((a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 || (a >> 22) == (100u << 2 | 1) ||
           (a >> 16) == (169u << 8 | 254) || (a >> 20) == (172u << 4 | 1) || (a >> 16) == (192u << 8 | 168) ||
           (a >> 8) == (192u << 16 | 2) || (a >> 8) == (198u << 16 | 51 << 8 | 100) ||
           (a >> 8) == (203u << 16 | 113) || (a >> 17) == (198u << 7 | 9) || (a >> 28) >= 14);
}

static int parse(const char *text, struct sockaddr_storage *ss) {
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    return public_v4(ntohl(v4->sin_addr.s_addr));
  }
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    const uint8_t *b = v6->sin6_addr.s6_addr;
    return (b[0] & 0xe0) == 0x20 && !(b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8);
  }
  return -1;
}

static size_t text_of(MMDB_lookup_result_s *r, const char *field, char *out, size_t room) {
  MMDB_entry_data_s d;
  if (r == NULL || MMDB_get_value(&r->entry, &d, field, NULL) != MMDB_SUCCESS || !d.has_data ||
      d.type != MMDB_DATA_TYPE_UTF8_STRING || d.data_size >= room) {
    out[0] = '-';
    return 1;
  }
  memcpy(out, d.utf8_string, d.data_size);
  return d.data_size;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s IPV4.mmdb IPV6.mmdb FILE\n", argv[0]);
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  MMDB_s v4db, v6db;
  if (MMDB_open(argv[1], MMDB_MODE_MMAP, &v4db) != MMDB_SUCCESS || MMDB_open(argv[2], MMDB_MODE_MMAP, &v6db) != MMDB_SUCCESS) {
    fprintf(stderr, "cannot open the databases\n");
    return 2;
  }
  FILE *in = fopen(argv[3], "r");
  if (in == NULL) {
    perror(argv[3]);
    return 2;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  long records = 0;
  while ((len = getline(&line, &cap, in)) > 0) {
    if (line[len - 1] == '\n') line[--len] = 0;
    char *f[15];
    int n = 0;
    for (char *p = line, *tok; n < 15 && (tok = strsep(&p, " ")) != NULL;) f[n++] = tok;
    if (n != 14) continue;
    records++;
    struct sockaddr_storage src, dst;
    int src_public = parse(f[3], &src) == 1;
    if (!src_public && parse(f[4], &dst) != 1) continue;
    char key[512];
    size_t k = 0;
    MMDB_lookup_result_s r, *found = NULL;
    if (src_public) {
      int err;
      r = MMDB_lookup_sockaddr(src.ss_family == AF_INET ? &v4db : &v6db, (struct sockaddr *)&src, &err);
      if (err == MMDB_SUCCESS && r.found_entry) found = &r;
    }
    k += text_of(found, "country_code", key + k, 8);
    key[k++] = '\t';
    k += text_of(found, "city", key + k, 400);
    key[k++] = '\t';
    size_t a = strlen(f[12]);
    if (a > 16) continue;
    memcpy(key + k, f[12], a);
    k += a;
    struct group *g = group_of(key, k);
    g->records++;
    g->packets += atol(f[8]);
    g->bytes += atol(f[9]);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("{\"records\":%ld,\"groups\":%ld,\"seconds\":%.3f,\"recordsPerSecond\":%.0f,\"peakMiB\":%.0f}\n", records,
         group_count, seconds, records / seconds, ru.ru_maxrss / 1024.0);
  return 0;
}
