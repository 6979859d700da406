// SPDX-License-Identifier: Apache-2.0
// Configuration shared by the fake NVML (libnvidia-ml.so.1) and fake CUDA driver
// (libcuda.so.1) used by the host-detection tests. Everything is read from the environment
// at call time, so one built library serves every test:
//
//   FAKE_NVIDIA_DRIVER  driver version string, used verbatim when set (even if empty);
//                       default "535.104.05".
//   FAKE_NVIDIA_CUDA    CUDA driver version as an int (12020 = 12.2); default 12020. A value
//                       that is not a plain decimal int falls back to the default.
//   FAKE_NVIDIA_GPUS    ';'-separated GPUs, each "CC|NAME|MEMORY_BYTES|PCI_BUS_ID|DEVICE_ID_HEX":
//                         CC             "major.minor", 1-2 digits each ("8.6", "10.0")
//                         NAME           1..FAKE_NAME_MAX-1 bytes, no '|' or ';'
//                         MEMORY_BYTES   decimal, fits in unsigned long long
//                         PCI_BUS_ID     "DDDDDDDD:BB:DD.F" or "DDDD:BB:DD.F" (hex; device
//                                        <= 0x1f, function <= 7)
//                         DEVICE_ID_HEX  PCI device (product) id, 1-4 hex digits, optional 0x
//                       Unset: one RTX 3090 (FAKE_DEFAULT_GPUS). Empty: no GPUs. Malformed
//                       entries (including empty ones) are skipped; entries past the first
//                       FAKE_MAX_GPUS valid ones are ignored.
//   FAKE_NVML_MODE      read by fake_nvml.c; FAKE_CUDA_MODE read by fake_cuda.c (see there).
//
// Header-only, static inline functions only: each library includes it once.
#ifndef ENVSETUP_TESTS_FAKES_CONFIG_H
#define ENVSETUP_TESTS_FAKES_CONFIG_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

// Marks the functions a fake library exports; everything else is hidden
// (the libraries are built with -fvisibility=hidden).
#define FAKE_EXPORT __attribute__((visibility("default")))

#define FAKE_MAX_GPUS 16
#define FAKE_NAME_MAX 96  // name buffer size, NUL included (NVML_DEVICE_NAME_V2_BUFFER_SIZE)

#define FAKE_DEFAULT_DRIVER "535.104.05"
#define FAKE_DEFAULT_CUDA 12020
#define FAKE_DEFAULT_GPUS "8.6|NVIDIA GeForce RTX 3090|25769803776|00000000:01:00.0|2204"

typedef struct {
  int cc_major;
  int cc_minor;
  char name[FAKE_NAME_MAX];
  unsigned long long memory_bytes;
  unsigned int pci_domain;
  unsigned int pci_bus;
  unsigned int pci_device;    // slot on the bus: the "00" of 01:00.0
  unsigned int pci_function;  // the ".0"
  unsigned int device_id;     // PCI product id, e.g. 0x2204
} fake_gpu;

typedef struct {
  unsigned int count;
  fake_gpu gpus[FAKE_MAX_GPUS];
} fake_gpu_list;

// A byte range [begin, end) of the environment value being parsed.
typedef struct {
  const char* begin;
  const char* end;
} fake_span;

static inline size_t fake_span_len(fake_span s) { return (size_t)(s.end - s.begin); }

static inline int fake_is_digit(char c) { return c >= '0' && c <= '9'; }

// Value of one hex digit, or -1.
static inline int fake_hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses exactly `s` as 1..max_digits decimal digits into *out. Returns 1 on success, 0 otherwise.
static inline int fake_parse_dec(fake_span s, size_t max_digits, unsigned long long* out) {
  size_t n = fake_span_len(s);
  if (n == 0 || n > max_digits) return 0;
  unsigned long long value = 0;
  for (const char* p = s.begin; p != s.end; ++p) {
    if (!fake_is_digit(*p)) return 0;
    unsigned int digit = (unsigned int)(*p - '0');
    if (value > (~0ULL - digit) / 10) return 0;  // would overflow
    value = value * 10 + digit;
  }
  *out = value;
  return 1;
}

// Parses exactly `s` as 1..max_digits hex digits (no prefix) into *out. Returns 1 on success.
static inline int fake_parse_hex(fake_span s, size_t max_digits, unsigned int* out) {
  size_t n = fake_span_len(s);
  if (n == 0 || n > max_digits) return 0;
  unsigned int value = 0;
  for (const char* p = s.begin; p != s.end; ++p) {
    int digit = fake_hex_value(*p);
    if (digit < 0) return 0;
    value = value * 16u + (unsigned int)digit;  // max_digits <= 8 keeps this in range
  }
  *out = value;
  return 1;
}

// Finds `c` in `s`; returns its position or s.end.
static inline const char* fake_find(fake_span s, char c) {
  const char* p = s.begin;
  while (p != s.end && *p != c) ++p;
  return p;
}

// "8.6" -> 8, 6.
static inline int fake_parse_cc(fake_span s, int* major, int* minor) {
  const char* dot = fake_find(s, '.');
  if (dot == s.end) return 0;
  unsigned long long ma = 0;
  unsigned long long mi = 0;
  if (!fake_parse_dec((fake_span){s.begin, dot}, 2, &ma)) return 0;
  if (!fake_parse_dec((fake_span){dot + 1, s.end}, 2, &mi)) return 0;
  *major = (int)ma;
  *minor = (int)mi;
  return 1;
}

// "00000000:01:00.0" or "0000:01:00.0" -> domain, bus, device, function.
static inline int fake_parse_bus_id(fake_span s, fake_gpu* gpu) {
  const char* c1 = fake_find(s, ':');
  if (c1 == s.end) return 0;
  const char* c2 = fake_find((fake_span){c1 + 1, s.end}, ':');
  if (c2 == s.end) return 0;
  const char* dot = fake_find((fake_span){c2 + 1, s.end}, '.');
  if (dot == s.end) return 0;
  fake_span domain = {s.begin, c1};
  if (fake_span_len(domain) != 4 && fake_span_len(domain) != 8) return 0;
  unsigned int d = 0;
  unsigned int b = 0;
  unsigned int dev = 0;
  unsigned int fn = 0;
  if (!fake_parse_hex(domain, 8, &d)) return 0;
  if (fake_span_len((fake_span){c1 + 1, c2}) != 2 || !fake_parse_hex((fake_span){c1 + 1, c2}, 2, &b))
    return 0;
  if (fake_span_len((fake_span){c2 + 1, dot}) != 2 ||
      !fake_parse_hex((fake_span){c2 + 1, dot}, 2, &dev) || dev > 0x1f)
    return 0;
  if (fake_span_len((fake_span){dot + 1, s.end}) != 1 ||
      !fake_parse_hex((fake_span){dot + 1, s.end}, 1, &fn) || fn > 7)
    return 0;
  gpu->pci_domain = d;
  gpu->pci_bus = b;
  gpu->pci_device = dev;
  gpu->pci_function = fn;
  return 1;
}

// One "CC|NAME|MEMORY_BYTES|PCI_BUS_ID|DEVICE_ID_HEX" entry. Returns 1 and fills *gpu if it is
// well formed, 0 otherwise (*gpu is then unspecified).
static inline int fake_parse_gpu(fake_span entry, fake_gpu* gpu) {
  fake_span field[5];
  const char* p = entry.begin;
  for (int i = 0; i < 5; ++i) {
    const char* bar = fake_find((fake_span){p, entry.end}, '|');
    if (i < 4 && bar == entry.end) return 0;  // too few fields
    if (i == 4 && bar != entry.end) return 0;  // too many fields
    field[i] = (fake_span){p, bar};
    p = bar + (bar != entry.end);
  }
  if (!fake_parse_cc(field[0], &gpu->cc_major, &gpu->cc_minor)) return 0;

  size_t name_len = fake_span_len(field[1]);
  if (name_len == 0 || name_len >= FAKE_NAME_MAX) return 0;
  memcpy(gpu->name, field[1].begin, name_len);
  gpu->name[name_len] = '\0';

  if (!fake_parse_dec(field[2], 20, &gpu->memory_bytes)) return 0;
  if (!fake_parse_bus_id(field[3], gpu)) return 0;

  fake_span id = field[4];
  if (fake_span_len(id) > 2 && id.begin[0] == '0' && (id.begin[1] == 'x' || id.begin[1] == 'X'))
    id.begin += 2;
  if (!fake_parse_hex(id, 4, &gpu->device_id)) return 0;
  return 1;
}

// Reads FAKE_NVIDIA_GPUS (see the contract at the top) into *out.
static inline void fake_gpus(fake_gpu_list* out) {
  const char* text = getenv("FAKE_NVIDIA_GPUS");
  if (text == NULL) text = FAKE_DEFAULT_GPUS;
  out->count = 0;
  const char* end = text + strlen(text);
  const char* p = text;
  while (p != end && out->count < FAKE_MAX_GPUS) {
    const char* semi = fake_find((fake_span){p, end}, ';');
    if (fake_parse_gpu((fake_span){p, semi}, &out->gpus[out->count])) ++out->count;
    p = semi + (semi != end);
  }
}

// FAKE_NVIDIA_DRIVER, or the default when unset. Never NULL.
static inline const char* fake_driver_version(void) {
  const char* v = getenv("FAKE_NVIDIA_DRIVER");
  return v != NULL ? v : FAKE_DEFAULT_DRIVER;
}

// FAKE_NVIDIA_CUDA as an int (optional leading '-'), or the default when unset or malformed.
static inline int fake_cuda_version(void) {
  const char* v = getenv("FAKE_NVIDIA_CUDA");
  if (v == NULL) return FAKE_DEFAULT_CUDA;
  int negative = v[0] == '-';
  unsigned long long magnitude = 0;
  fake_span digits = {v + negative, v + strlen(v)};
  if (!fake_parse_dec(digits, 9, &magnitude)) return FAKE_DEFAULT_CUDA;  // 9 digits fit in int
  return negative ? -(int)magnitude : (int)magnitude;
}

// Whether environment variable `var` is set to exactly `mode`. An unset variable, or a value
// no library recognises, therefore behaves as "ok".
static inline int fake_mode_is(const char* var, const char* mode) {
  const char* v = getenv(var);
  return v != NULL && strcmp(v, mode) == 0;
}

// Copies NUL-terminated `src` into dst[0..cap), truncating and always NUL-terminating when
// cap > 0. Returns 1 if the whole string fit, 0 if it was truncated (or cap == 0).
static inline int fake_copy_string(char* dst, size_t cap, const char* src) {
  if (cap == 0) return 0;
  size_t len = strlen(src);
  size_t n = len < cap ? len : cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
  return n == len;
}

#endif  // ENVSETUP_TESTS_FAKES_CONFIG_H
