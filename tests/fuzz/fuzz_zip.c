/* fuzz_zip: the zip reader a flare goes through (pw_zip_open_mem, which
 * shares every check with pw_zip_open on a file): the end records, ZIP64,
 * the central directory, names, local headers, stored and deflated data and
 * the CRC-32 of each entry.
 *
 * Checked: a refusal has a code and a message; an opened archive has at most
 * PW_ZIP_MAX_ENTRIES entries, each with a name that pw_zip_find finds (at its
 * own index or an earlier one of the same name); pw_zip_read either gives
 * exactly the entry's declared size, never over the cap, or fails cleanly, and
 * reading the same entry twice gives the same bytes. */
#include "fuzz.h"
#include "profwatch/zip.h"

/* Decompressed bytes per entry: bounds the memory one input can take. */
#define FUZZ_MAX_ENTRY (1u << 20)
/* Entries read per input, so that an archive of many tiny entries stays fast. */
#define FUZZ_MAX_READS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_zip_t *z = NULL;
    pw_err_t err = {0};
    (void)pw_zip_is(data, size);
    int rc = pw_zip_open_mem(data, size, "fuzz.zip", &z, &err);
    if (rc != 0) {
        fuzz_check_error(rc, &err, "pw_zip_open_mem");
        FUZZ_CHECK(z == NULL, "failed open returned an archive");
        return 0;
    }
    FUZZ_CHECK(z != NULL, "open succeeded without an archive");
    size_t n = pw_zip_count(z);
    FUZZ_CHECK(n <= PW_ZIP_MAX_ENTRIES, "%zu entries", n);
    FUZZ_CHECK(pw_zip_entry(z, n) == NULL, "an entry past the end");
    for (size_t i = 0; i < n; i++) {
        const pw_zip_entry_t *e = pw_zip_entry(z, i);
        FUZZ_CHECK(e != NULL && e->name != NULL, "entry %zu has no name", i);
        long at = pw_zip_find(z, e->name);
        FUZZ_CHECK(at >= 0 && (size_t)at <= i &&
                       strcmp(pw_zip_entry(z, (size_t)at)->name, e->name) == 0,
                   "\"%s\" (entry %zu) found at %ld", e->name, i, at);
        if (i >= FUZZ_MAX_READS)
            continue;
        uint8_t *out = NULL, *again = NULL;
        size_t len = 0, len2 = 0;
        memset(&err, 0, sizeof(err));
        rc = pw_zip_read(z, i, FUZZ_MAX_ENTRY, &out, &len, &err);
        if (rc != 0) {
            fuzz_check_error(rc, &err, "pw_zip_read");
            FUZZ_CHECK(out == NULL, "failed read returned data");
            continue;
        }
        FUZZ_CHECK(len == e->size && len <= FUZZ_MAX_ENTRY, "\"%s\": read %zu bytes of %llu",
                   e->name, len, (unsigned long long)e->size);
        rc = pw_zip_read(z, i, FUZZ_MAX_ENTRY, &again, &len2, &err);
        FUZZ_CHECK(rc == 0 && len2 == len && memcmp(out, again, len) == 0,
                   "\"%s\" read differently the second time", e->name);
        free(out);
        free(again);
    }
    pw_zip_close(z);
    return 0;
}
