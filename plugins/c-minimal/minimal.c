/*
 * A minimal awsuse plugin in C: one profile with fixed keys, and optionally variables after
 * every switch. It needs nothing but a C compiler:
 *
 *   cc -shared -fPIC -I plugins/include -o cmin.so plugins/c-minimal/minimal.c
 *
 * The tests build variants with -D switches:
 *   PLUGIN_NAME="\"other\""  another name, so that variants can sit side by side
 *   WITH_AFTER_SWITCH         declare after_switch, setting CMIN_TAG to a hostile value
 *   GARBAGE                   profiles answers bytes that are not UTF-8
 *   AS_VERSION_2              export awsuse_plugin_v2 instead, as a plugin built for a
 *                             future interface would
 *   NO_ENTRY                  export no entry symbol at all
 */
#include <stdlib.h>
#include <string.h>

#include "awsuse_plugin_v1.h"

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "cmin"
#endif

/* Copies `len` bytes into a fresh buffer owned by this plugin until free_buffer. */
static int32_t answer(awsuse_buffer_t *out, const char *bytes, size_t len, int32_t status) {
    out->ptr = malloc(len);
    if (out->ptr == NULL) {
        out->len = 0;
        return AWSUSE_STATUS_ERROR;
    }
    memcpy(out->ptr, bytes, len);
    out->len = len;
    return status;
}

static int same(awsuse_str_t input, const char *text) {
    return input.len == strlen(text) && memcmp(input.ptr, text, input.len) == 0;
}

/* Fields end with NUL, so the literals carry explicit \0 and their size minus the final one. */
static const char PROFILES[] =
    "name=c-dev\0region=eu-west-2\0description=fixed keys from C\0";
static const char CREDENTIALS[] =
    "access_key_id=AKIACMINIMAL0000001\0secret_access_key=c-minimal-secret\0";
static const char AFTER[] =
    "set=CMIN_TAG=it's \"$(touch pwned)\" `id`; $HOME \\ * ?\n\tnext line %s {a,b} ~ #!\0"
    "unset=CMIN_OLD\0";

static int32_t profiles(awsuse_str_t input, awsuse_buffer_t *out) {
    (void)input;
#ifdef GARBAGE
    static const char junk[] = "name=\xff\xfe garbage without an end";
    (void)PROFILES;
    return answer(out, junk, sizeof junk - 1, AWSUSE_STATUS_OK);
#else
    return answer(out, PROFILES, sizeof PROFILES - 1, AWSUSE_STATUS_OK);
#endif
}

static int32_t credentials(awsuse_str_t input, awsuse_buffer_t *out) {
    if (!same(input, "c-dev")) {
        return AWSUSE_STATUS_NOT_FOUND;
    }
    return answer(out, CREDENTIALS, sizeof CREDENTIALS - 1, AWSUSE_STATUS_OK);
}

static int32_t after_switch(awsuse_str_t input, awsuse_buffer_t *out) {
    (void)input;
    return answer(out, AFTER, sizeof AFTER - 1, AWSUSE_STATUS_OK);
}

static void free_buffer(uint8_t *ptr, size_t len) {
    (void)len;
    free(ptr);
}

static const char NAME[] = PLUGIN_NAME;
static const char VERSION[] = "0.1.0";

static const awsuse_plugin_v1_t DESCRIPTOR = {
    .size = sizeof(awsuse_plugin_v1_t),
#ifdef AS_VERSION_2
    .version = 2,
#else
    .version = AWSUSE_PLUGIN_VERSION,
#endif
    .name = {(const uint8_t *)NAME, sizeof NAME - 1},
    .plugin_version = {(const uint8_t *)VERSION, sizeof VERSION - 1},
#ifdef WITH_AFTER_SWITCH
    .hooks = AWSUSE_HOOK_PROFILES | AWSUSE_HOOK_CREDENTIALS | AWSUSE_HOOK_AFTER_SWITCH,
    .after_switch = after_switch,
#else
    .hooks = AWSUSE_HOOK_PROFILES | AWSUSE_HOOK_CREDENTIALS,
    .after_switch = NULL,
#endif
    .profiles = profiles,
    .credentials = credentials,
    .mfa_code = NULL,
    .free_buffer = free_buffer,
};

#if defined(AS_VERSION_2)
const awsuse_plugin_v1_t *awsuse_plugin_v2(void) { return &DESCRIPTOR; }
#elif defined(NO_ENTRY)
const awsuse_plugin_v1_t *some_other_function(void) { return &DESCRIPTOR; }
#else
const awsuse_plugin_v1_t *awsuse_plugin_v1(void) { return &DESCRIPTOR; }
#endif

#ifndef WITH_AFTER_SWITCH
/* Keeps the compiler quiet about the unused hook in builds without it. */
const void *awsuse_cmin_unused(void) { return (const void *)after_switch; }
#endif
