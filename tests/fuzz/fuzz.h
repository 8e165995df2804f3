/*
 * fuzz: what the libFuzzer targets in tests/fuzz share.
 *
 * Each target is one fuzz-NAME.c that feeds one parser and checks what the
 * parser promises; a broken promise is a crash (FUZZ_ASSERT traps), so
 * libFuzzer keeps the input. Everything a target allocates is freed before
 * it returns: LeakSanitizer runs after every input.
 *
 * Lines are handed to per-line parsers as heap copies of exactly their
 * length, without a NUL, so a parser that reads past the length it was
 * given is caught by AddressSanitizer.
 */
#ifndef SITREP_FUZZ_H
#define SITREP_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "snapshot.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(x) do {						\
	if (!(x)) {							\
		fprintf(stderr, "%s:%d: broken promise: %s\n",		\
		    __FILE__, __LINE__, #x);				\
		__builtin_trap();					\
	}								\
} while (0)

/* A parser's promise on its cause: none when it returns 0, one when it fails. */
#define FUZZ_ASSERT_CAUSE(rc, cause) FUZZ_ASSERT((rc) == 0 ? (cause) == NULL : (cause) != NULL)

/* The nonce of the probe target's cycles (and of its seeds and dictionary). */
#define FUZZ_NONCE "5f1e0c2d9a8b7e64"

/* Calls fn on each line (without its '\n'), copied to a buffer of exactly its length. */
static inline void
fuzz_each_line(const uint8_t *data, size_t size,
    void (*fn)(const char *line, size_t len, void *arg), void *arg)
{
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *copy = malloc(len ? len : 1);
		if (copy == NULL)
			abort();
		memcpy(copy, p, len);
		fn(copy, len, arg);
		free(copy);
		p = nl ? nl + 1 : end;
	}
}

/* The input as a NUL-terminated string (cut at its first NUL byte). */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	return xstrndup((const char *)data, size);
}

/* The first line of the input, at most max bytes, NUL-terminated. */
static inline char *
fuzz_first_line(const uint8_t *data, size_t size, size_t max)
{
	const char *nl = memchr(data, '\n', size);
	size_t len = nl ? (size_t)(nl - (const char *)data) : size;
	return xstrndup((const char *)data, len < max ? len : max);
}

/* Containers that per-line parsers merge into. */
struct fuzz_list {
	struct container *cs;
	size_t n;
};

/* A deep copy of the fixture (the per-line parsers change what they merge into). */
static inline struct fuzz_list
fuzz_list_copy(const struct container *fixture, size_t n)
{
	struct fuzz_list l = { xcalloc(n ? n : 1, sizeof *l.cs), n };
	for (size_t i = 0; i < n; i++)
		container_copy(&l.cs[i], &fixture[i]);
	return l;
}

/*
 * The fixed containers that inspect and stats lines are merged into:
 * tests/data/probe/docker-ps.jsonl and a podman-shaped line with a short
 * id. Freed with fuzz_containers_free().
 */
static inline void
fuzz_ps_containers(struct container **out, size_t *n)
{
	static const char *const fixture[] = {
		"{\"Command\":\"\\\"/usr/local/bin/gate…\\\"\",\"CreatedAt\":\"2026-11-20 08:12:44 +0000 UTC\","
		"\"ID\":\"9c1f3a7be2d04c1e8f2a6b3d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f\","
		"\"Image\":\"registry.example/gateway:2.4.1\",\"Labels\":\"com.docker.compose.project=app,"
		"com.docker.compose.service=gateway\",\"LocalVolumes\":\"1\",\"Mounts\":\"app_gateway_data\","
		"\"Names\":\"gateway\",\"Networks\":\"app_default\",\"Ports\":\"127.0.0.1:18790->18790/tcp\","
		"\"RunningFor\":\"27 hours ago\",\"Size\":\"0B\",\"State\":\"running\",\"Status\":\"Up 27 hours (healthy)\"}",
		"{\"Command\":\"\\\"python -m bot\\\"\",\"CreatedAt\":\"2026-11-21 10:00:01 +0000 UTC\","
		"\"ID\":\"4b7e2c9d1a0f3e5b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7f9a1b3c5d7e9f1a3b\","
		"\"Image\":\"registry.example/telegram-bot:1.9.0\",\"Labels\":\"com.docker.compose.project=app\","
		"\"LocalVolumes\":\"1\",\"Mounts\":\"app_bot_data\",\"Names\":\"telegram-bot\","
		"\"Networks\":\"app_default\",\"Ports\":\"\",\"RunningFor\":\"13 hours ago\",\"Size\":\"0B\","
		"\"State\":\"restarting\",\"Status\":\"Restarting (1) 4 seconds ago\"}",
		"{\"Command\":\"\\\"/srv/model --port …\\\"\",\"CreatedAt\":\"2026-11-19 21:40:10 +0000 UTC\","
		"\"ID\":\"e0d1c2b3a4f5e6d7c8b9a0f1e2d3c4b5a6f7e8d9c0b1a2f3e4d5c6b7a8f9e0d1\","
		"\"Image\":\"registry.example/model-server:0.7\",\"Labels\":\"\",\"LocalVolumes\":\"0\","
		"\"Mounts\":\"\",\"Names\":\"model-server\",\"Networks\":\"app_default\","
		"\"Ports\":\"127.0.0.1:8000->8000/tcp\",\"RunningFor\":\"2 days ago\",\"Size\":\"0B\","
		"\"State\":\"running\",\"Status\":\"Up 2 days (unhealthy)\"}",
		"{\"Command\":\"\\\"/bin/sh -c 'backup…'\\\"\",\"CreatedAt\":\"2026-11-21 03:00:00 +0000 UTC\","
		"\"ID\":\"77aa88bb99cc00dd11ee22ff33aa44bb55cc66dd77ee88ff99aa00bb11cc22dd\","
		"\"Image\":\"alpine:3.20\",\"Labels\":\"\",\"LocalVolumes\":\"0\",\"Mounts\":\"\","
		"\"Names\":\"nightly-backup\",\"Networks\":\"bridge\",\"Ports\":\"\",\"RunningFor\":\"20 hours ago\","
		"\"Size\":\"0B\",\"State\":\"exited\",\"Status\":\"Exited (0) 20 hours ago\"}",
		"{\"Command\":\"\\\"migrate\\\"\",\"CreatedAt\":\"2026-11-21 09:59:00 +0000 UTC\","
		"\"ID\":\"12ab34cd56ef78ab90cd12ef34ab56cd78ef90ab12cd34ef56ab78cd90ef12ab\","
		"\"Image\":\"registry.example/migrate:1\",\"Labels\":\"\",\"LocalVolumes\":\"0\",\"Mounts\":\"\","
		"\"Names\":\"migrate\",\"Networks\":\"bridge\",\"Ports\":\"\",\"RunningFor\":\"14 hours ago\","
		"\"Size\":\"0B\",\"State\":\"exited\",\"Status\":\"Exited (137) 14 hours ago\"}",
		"{\"Command\":\"\\\"sleep 1\\\"\",\"CreatedAt\":\"2026-11-21 09:58:00 +0000 UTC\","
		"\"ID\":\"ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\",\"Image\":\"busybox\","
		"\"Labels\":\"\",\"LocalVolumes\":\"0\",\"Mounts\":\"\",\"Names\":\"paused-one\","
		"\"Networks\":\"bridge\",\"Ports\":\"\",\"RunningFor\":\"14 hours ago\",\"Size\":\"0B\","
		"\"State\":\"paused\",\"Status\":\"Up 14 hours (Paused)\"}",
		"{\"AutoRemove\":false,\"Command\":[\"sleep\",\"100000\"],\"Exited\":false,\"ExitCode\":0,"
		"\"Id\":\"833f365a0ed0\",\"Image\":\"localhost/fleet:latest\",\"Names\":[\"web\"],"
		"\"Restarts\":2,\"State\":\"running\",\"Status\":\"Up 3 minutes\"}",
	};
	size_t max = sizeof fixture / sizeof fixture[0];
	*out = xcalloc(max, sizeof **out);
	*n = 0;
	for (size_t i = 0; i < max; i++) {
		const char *line = fixture[i];
		if (probe_parse_docker_ps_line(line, strlen(line), &(*out)[*n], NULL) == 0)
			(*n)++;
	}
	if (*n != max) {
		fprintf(stderr, "fuzz: the ps fixture no longer parses (%zu of %zu)\n", *n, max);
		abort();
	}
}

static inline void
fuzz_containers_free(struct container *cs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		container_clear(&cs[i]);
	free(cs);
}

#endif
