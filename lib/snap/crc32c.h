/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as iSCSI, ext4
 * and SSE4.2's crc32 instruction compute it.  Pure C plus one optional
 * SSE4.2 path chosen at run time, so the unit tests and the fuzzer
 * compile it directly.
 */
#ifndef LIBHV_CRC32C_H
#define LIBHV_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continue a CRC: start with crc = 0; hv_crc32c(hv_crc32c(0, a), b) is
 * the CRC of a followed by b.  "123456789" gives 0xE3069283.
 */
__attribute__((visibility("hidden")))
uint32_t hv_crc32c(uint32_t crc, const void *buf, size_t len);

/* The two implementations, for the tests: slicing-by-8 and SSE4.2. */
__attribute__((visibility("hidden")))
uint32_t hv_crc32c_sw(uint32_t crc, const void *buf, size_t len);
/* Only when hv_crc32c_hw_available(); else it falls back to software. */
__attribute__((visibility("hidden")))
uint32_t hv_crc32c_hw(uint32_t crc, const void *buf, size_t len);
__attribute__((visibility("hidden")))
int hv_crc32c_hw_available(void);

#endif /* LIBHV_CRC32C_H */
