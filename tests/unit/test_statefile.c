/* Tests for the state folder: bounded reads, and memory histories saved and
 * loaded by name, with their folders and files no more open than 0750/0640. */
#include <sys/stat.h>
#include <unistd.h>

#include "profwatch/statefile.h"
#include "pw_test.h"

static char root[512];

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof(root), "%s/pw-state-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(root) == NULL)
        exit(1);
}

static void test_read(void)
{
    char path[700];
    pw_err_t err = {0};
    snprintf(path, sizeof(path), "%s/a.txt", root);
    FILE *f = fopen(path, "w");
    fputs("two!\n", f);
    fclose(f);
    char *data;
    size_t len;
    CHECK_INT(pw_statefile_read(path, 100, &data, &len, &err), 0);
    CHECK_INT(len, 5);
    CHECK_STR(data, "two!\n");
    free(data);
    CHECK_INT(pw_statefile_read(path, 3, &data, &len, &err), PW_ETOOBIG);
    CHECK_CONTAINS(err.msg, "a.txt is 5 bytes, over the 3-byte limit");
    CHECK(data == NULL);
    CHECK_INT(pw_statefile_read(root, 100, &data, &len, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "is not a regular file");
    snprintf(path, sizeof(path), "%s/none", root);
    CHECK_INT(pw_statefile_read(path, 100, &data, &len, &err), PW_ENOENT);
}

static pw_history_t *sample(const char *name)
{
    pw_history_t *h = pw_history_create(16, 60, name);
    for (int i = 0; i < 40; i++)
        pw_history_add(h, 1714557600 + i * 60, 1000000 + (uint64_t)i);
    return h;
}

static void test_history_files(void)
{
    char dir[700], path[800], other[800], cmd[1800];
    struct stat st;
    pw_err_t err = {0};
    snprintf(dir, sizeof(dir), "%s/state", root);
    mode_t old = umask(027); /* a daemon's usual umask */
    pw_history_t *h = sample("trace-agent");
    CHECK_INT(pw_statefile_history_save(dir, h, &err), 0);
    CHECK_INT(pw_statefile_history_path(dir, "trace-agent", path, sizeof(path)), 0);
    CHECK_CONTAINS(path, "/state/memory/trace-agent.history");
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 07777, 0640);
    snprintf(other, sizeof(other), "%s/memory", dir);
    CHECK_INT(stat(other, &st), 0);
    CHECK_INT(st.st_mode & 07777, 0750);
    /* A stricter umask makes them stricter, never looser. */
    umask(077);
    pw_history_t *s = sample("system-probe");
    CHECK_INT(pw_statefile_history_save(dir, s, &err), 0);
    CHECK_INT(pw_statefile_history_path(dir, "system-probe", other, sizeof(other)), 0);
    CHECK_INT(stat(other, &st), 0);
    CHECK_INT(st.st_mode & 07777, 0600);
    umask(old);
    pw_history_destroy(s);
    /* Saved again: replaced whole, and no temporary file is left behind. */
    pw_history_add(h, 1714557600 + 41 * 60, 5);
    CHECK_INT(pw_statefile_history_save(dir, h, &err), 0);
    snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s/memory' | wc -l)\" -eq 2", dir);
    CHECK_INT(system(cmd), 0);

    pw_history_t *g = pw_history_create(16, 60, "");
    CHECK_INT(pw_statefile_history_load(dir, "trace-agent", g, &err), 0);
    CHECK_INT(g->n, h->n);
    CHECK_INT(g->pts[g->n - 1].min, 5);
    CHECK_INT(pw_statefile_history_load(dir, "agent", g, &err), PW_ENOENT);
    /* A file under one name that is about another process is refused. */
    CHECK_INT(pw_statefile_history_path(dir, "agent", other, sizeof(other)), 0);
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", path, other);
    CHECK_INT(system(cmd), 0);
    CHECK_INT(pw_statefile_history_load(dir, "agent", g, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "the history is about \"trace-agent\", not \"agent\"");
    CHECK_INT(g->n, 0);
    /* A state folder that is a file cannot hold histories. */
    snprintf(other, sizeof(other), "%s/a.txt", root);
    CHECK(pw_statefile_history_save(other, h, &err) != 0);
    pw_history_destroy(g);
    pw_history_destroy(h);
}

static void cleanup(void)
{
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    CHECK_INT(system(cmd), 0);
}

PW_TESTS(T(setup), T(test_read), T(test_history_files), T(cleanup))
