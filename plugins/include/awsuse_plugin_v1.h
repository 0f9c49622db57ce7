/*
 * awsuse plugin interface, version 1. See plugins/ABI.md for the rules behind each field.
 *
 * A plugin is a shared library that exports one function, awsuse_plugin_v1, returning a
 * pointer to a descriptor that stays valid while the library is loaded.
 */
#ifndef AWSUSE_PLUGIN_V1_H
#define AWSUSE_PLUGIN_V1_H

#include <stddef.h>
#include <stdint.h>

#define AWSUSE_PLUGIN_VERSION 1

/* Status codes every hook returns. */
#define AWSUSE_STATUS_OK 0        /* *out holds the answer (NUL-ended key=value fields) */
#define AWSUSE_STATUS_NOT_FOUND 1 /* no answer for this input; *out may stay empty      */
#define AWSUSE_STATUS_ERROR 2     /* *out holds a UTF-8 message for the user             */

/* Bits of awsuse_plugin_v1_t.hooks. */
#define AWSUSE_HOOK_PROFILES 1u
#define AWSUSE_HOOK_CREDENTIALS 2u
#define AWSUSE_HOOK_MFA_CODE 4u
#define AWSUSE_HOOK_AFTER_SWITCH 8u

/* A borrowed UTF-8 string: not NUL-terminated, valid for the duration of the call. */
typedef struct {
    const uint8_t *ptr;
    size_t len;
} awsuse_str_t;

/* A buffer the plugin allocates; the host passes it back to free_buffer when done. */
typedef struct {
    uint8_t *ptr;
    size_t len;
} awsuse_buffer_t;

typedef int32_t (*awsuse_hook_t)(awsuse_str_t input, awsuse_buffer_t *out);
typedef void (*awsuse_free_t)(uint8_t *ptr, size_t len);

typedef struct {
    uint32_t size;    /* sizeof(awsuse_plugin_v1_t) */
    uint32_t version; /* AWSUSE_PLUGIN_VERSION */
    awsuse_str_t name;           /* [A-Za-z0-9_-]{1,64} */
    awsuse_str_t plugin_version; /* free text */
    uint32_t hooks;              /* AWSUSE_HOOK_* bits */
    awsuse_hook_t profiles;      /* input: empty */
    awsuse_hook_t credentials;   /* input: profile name */
    awsuse_hook_t mfa_code;      /* input: mfa_serial */
    awsuse_hook_t after_switch;  /* input: profile name */
    awsuse_free_t free_buffer;
} awsuse_plugin_v1_t;

const awsuse_plugin_v1_t *awsuse_plugin_v1(void);

#endif
