/* Tests for the /proc reader and process discovery, on a fake /proc tree built in a temporary
 * folder from the samples in tests/data/smaps. The fake tree lets every case happen on demand: a
 * kernel without smaps_rollup, a process that exits during the read, an
 * unreadable file, stale and broken pid files. (The live test, on real
 * processes, is tests/live/smaps_live.c.) */
#include <sys/stat.h>
#include <unistd.h>

#include "profwatch/discover.h"
#include "profwatch/procfs.h"
#include "pw_test.h"

#define KB 1024ull

static char root[512], proc[600], run[600];

static void put(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

static void put_str(const char *path, const char *s)
{
    put(path, s, strlen(s));
}

static void copy_sample(const char *sample, const char *dst)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/smaps/%s", PW_TEST_DATA, sample);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        exit(1);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    put(dst, buf, n);
}

/* One fake process: stat, statm, an exe link, and the given samples. */
static void fake(int pid, const char *comm, char state, int ppid, const char *exe,
                 const char *rollup, const char *smaps, const char *statm)
{
    char dir[700], path[800], text[256];
    snprintf(dir, sizeof(dir), "%s/%d", proc, pid);
    mkdir(dir, 0755);
    snprintf(path, sizeof(path), "%s/stat", dir);
    snprintf(text, sizeof(text), "%d (%s) %c %d %d %d 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %d 0 0\n",
             pid, comm, state, ppid, pid, pid, 1000 + pid);
    put_str(path, text);
    snprintf(path, sizeof(path), "%s/statm", dir);
    put_str(path, statm != NULL ? statm : "2000 500 300 5 0 123 0\n");
    if (exe != NULL) {
        snprintf(path, sizeof(path), "%s/exe", dir);
        if (symlink(exe, path) != 0)
            exit(1);
    }
    if (rollup != NULL) {
        snprintf(path, sizeof(path), "%s/smaps_rollup", dir);
        copy_sample(rollup, path);
    }
    if (smaps != NULL) {
        snprintf(path, sizeof(path), "%s/smaps", dir);
        copy_sample(smaps, path);
    }
}

static void build_tree(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof(root), "%s/pw-procfs-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(root) == NULL)
        exit(1);
    snprintf(proc, sizeof(proc), "%s/proc", root);
    snprintf(run, sizeof(run), "%s/run", root);
    mkdir(proc, 0755);
    mkdir(run, 0755);
    char path[800];
    fake(1, "init", 'S', 0, "/sbin/init", NULL, NULL, NULL);
    fake(4242, "agent", 'S', 1, "/opt/datadog-agent/bin/agent/agent", "rollup-linux-6.txt",
         "smaps-agent.txt", NULL);
    /* A child of the agent, on a kernel without smaps_rollup. */
    fake(4243, "helper", 'S', 4242, "/opt/datadog-agent/embedded/bin/helper", NULL,
         "smaps-linux-4.2.txt", NULL);
    fake(4250, "trace-agent", 'S', 1, "/opt/datadog-agent/embedded/bin/trace-agent (deleted)",
         "rollup-linux-4.19.txt", "smaps-agent.txt", NULL);
    fake(4260, "bash", 'S', 1, "/usr/bin/bash", "rollup-bad-unit.txt", NULL, NULL);
    fake(4270, "defunct", 'Z', 1, NULL, NULL, NULL, "0 0 0 0 0 0 0\n");
    /* A child of trace-agent whose smaps_rollup cannot be read. */
    fake(4280, "worker", 'S', 4250, "/usr/bin/worker", NULL, NULL, NULL);
    snprintf(path, sizeof(path), "%s/4280/smaps_rollup", proc);
    mkdir(path, 0755);
    /* Gone by the end of its smaps read: statm says no memory any more. */
    fake(4290, "leaving", 'S', 1, "/usr/bin/leaving", NULL, "smaps-agent.txt", "0 0 0 0 0 0 0\n");
    fake(4300, "empty", 'S', 1, "/usr/bin/empty", NULL, NULL, NULL);
    snprintf(path, sizeof(path), "%s/4300/smaps_rollup", proc);
    put_str(path, "");
    /* A kernel thread, told by its PF_KTHREAD flag; and, as in a container's
     * pid namespace, a real process whose parent is pid 2. */
    fake(4310, "kworker/0:1", 'I', 2, NULL, NULL, NULL, "0 0 0 0 0 0 0\n");
    snprintf(path, sizeof(path), "%s/4310/stat", proc);
    put_str(path, "4310 (kworker/0:1) I 2 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 5310 0 0\n");
    fake(4320, "app", 'S', 2, "/usr/bin/app", "rollup-linux-4.19.txt", NULL, NULL);
    snprintf(path, sizeof(path), "%s/not-a-pid", proc);
    mkdir(path, 0755);

    snprintf(path, sizeof(path), "%s/agent.pid", run);
    put_str(path, "4242\n");
    snprintf(path, sizeof(path), "%s/trace-agent.pid", run);
    put_str(path, "4250");
    snprintf(path, sizeof(path), "%s/process-agent.pid", run);
    put_str(path, "4260\n");
    snprintf(path, sizeof(path), "%s/stale.pid", run);
    put_str(path, "999999\n");
    snprintf(path, sizeof(path), "%s/junk.pid", run);
    put_str(path, "hello\n");
}

static void remove_tree(void)
{
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
}

static void test_rollup_and_fallback(void)
{
    pw_procfs_opts_t o = {.root = proc};
    pw_procfs_t *fs = pw_procfs_create(&o);
    pw_smaps_rollup_t r;
    pw_err_t err = {0};
    int src = -1;
    CHECK_INT(pw_procfs_read_rollup(fs, 4242, 0, &r, &src, &err), 0);
    CHECK_INT(src, PW_PROCFS_FROM_ROLLUP);
    CHECK_INT(r.v[PW_SMAPS_PSS], 203417 * KB);
    CHECK(PW_SMAPS_HAS(&r, PW_SMAPS_PSS_ANON));
    /* No smaps_rollup: the sum of smaps, without the PSS split. */
    CHECK_INT(pw_procfs_read_rollup(fs, 4243, 0, &r, &src, &err), 0);
    CHECK_INT(src, PW_PROCFS_FROM_SMAPS);
    CHECK_INT(r.v[PW_SMAPS_PSS], (140 + 120 + 36) * KB);
    CHECK(!PW_SMAPS_HAS(&r, PW_SMAPS_PSS_ANON));
    /* The identity check: the right start time passes, another one fails. */
    CHECK_INT(pw_procfs_read_rollup(fs, 4242, 1000 + 4242, &r, &src, &err), 0);
    CHECK_INT(pw_procfs_read_rollup(fs, 4242, 77, &r, &src, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "the pid was reused");
    pw_procfs_destroy(fs);

    /* no_rollup forces the fallback where smaps_rollup exists. */
    o.no_rollup = 1;
    fs = pw_procfs_create(&o);
    CHECK_INT(pw_procfs_read_rollup(fs, 4242, 0, &r, &src, &err), 0);
    CHECK_INT(src, PW_PROCFS_FROM_SMAPS);
    CHECK_INT(r.v[PW_SMAPS_PSS], 117110 * KB);
    pw_procfs_destroy(fs);
}

static void test_read_errors(void)
{
    pw_procfs_opts_t o = {.root = proc};
    pw_procfs_t *fs = pw_procfs_create(&o);
    pw_smaps_rollup_t r;
    pw_err_t err = {0};
    CHECK_INT(pw_procfs_read_rollup(fs, 5555, 0, &r, NULL, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "process 5555 is not running (no ");
    CHECK_INT(pw_procfs_read_rollup(fs, 4260, 0, &r, NULL, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "/4260/smaps_rollup: line 3: Pss: expected a size");
    CHECK_INT(pw_procfs_read_rollup(fs, 4280, 0, &r, NULL, &err), PW_EIO);
    CHECK_CONTAINS(err.msg, "/4280/smaps_rollup: Is a directory");
    CHECK_INT(pw_procfs_read_rollup(fs, 4290, 0, &r, NULL, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "process 4290 exited while");
    CHECK_CONTAINS(err.msg, "/4290/smaps was being read; its figures are dropped");
    CHECK_INT(pw_procfs_read_rollup(fs, 4300, 0, &r, NULL, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "process 4300 has no memory map any more");
    pw_smaps_t *s = pw_smaps_create(0);
    CHECK_INT(pw_procfs_read_smaps(fs, 4290, 0, s, &err), PW_ENOENT);
    CHECK_INT(pw_smaps_finish(s)->n_mappings, 0); /* nothing kept from the cut read */
    pw_smaps_destroy(s);
    pw_procfs_destroy(fs);

    /* A file over the cap is refused, not cut. */
    pw_procfs_opts_t small = {.root = proc, .max_bytes = 4096};
    fs = pw_procfs_create(&small);
    s = pw_smaps_create(0);
    CHECK_INT(pw_procfs_read_smaps(fs, 4242, 0, s, &err), PW_ETOOBIG);
    CHECK_CONTAINS(err.msg, "/4242/smaps is larger than");
    pw_smaps_destroy(s);
    pw_procfs_destroy(fs);
}

static void test_tree(void)
{
    pw_procfs_opts_t o = {.root = proc};
    pw_procfs_t *fs = pw_procfs_create(&o);
    pw_proctab_t tab = {0};
    pw_err_t err = {0};
    CHECK_INT(pw_proctab_scan(&tab, fs, &err), 0);
    CHECK_INT(tab.n, 11);
    CHECK_INT(tab.procs[0].pid, 1);
    const pw_procstat_t *st = pw_proctab_find(&tab, 4280);
    CHECK(st != NULL && st->ppid == 4250 && strcmp(st->comm, "worker") == 0);
    CHECK(pw_proctab_find(&tab, 4241) == NULL);

    int pids[16];
    uint64_t starts[16];
    CHECK_INT(pw_proctab_tree(&tab, 4242, pids, starts, 16), 2);
    CHECK_INT(pids[0], 4242);
    CHECK_INT(pids[1], 4243);
    CHECK_INT(starts[1], 1000 + 4243);
    CHECK_INT(pw_proctab_tree(&tab, 1, pids, NULL, 16), 9); /* not 4310 and 4320 */
    CHECK_INT(pw_proctab_tree(&tab, 1, pids, NULL, 3), 3);
    CHECK_INT(pw_proctab_tree(&tab, 5555, pids, NULL, 16), 0);

    /* The agent's tree: the root from smaps_rollup, the child from smaps. */
    pw_smaps_t *s = pw_smaps_create(0);
    pw_procfs_tree_t t;
    CHECK_INT(pw_proctab_tree(&tab, 4242, pids, starts, 16), 2);
    CHECK_INT(pw_procfs_read_tree(fs, pids, starts, 2, s, &t, &err), 0);
    CHECK_INT(t.n_read, 2);
    CHECK_INT(t.n_failed, 0);
    CHECK_INT(t.from_smaps, 1);
    CHECK_INT(t.rollup.v[PW_SMAPS_PSS], (203417 + 296) * KB);
    CHECK(!PW_SMAPS_HAS(&t.rollup, PW_SMAPS_PSS_ANON)); /* the child cannot say */
    const pw_smaps_result_t *res = pw_smaps_finish(s);
    CHECK_INT(res->n_mappings, 15 + 3);
    CHECK_INT(res->total.n_inputs, 2);

    /* trace-agent's child cannot be read: the total is marked a floor. */
    pw_smaps_reset(s);
    CHECK_INT(pw_proctab_tree(&tab, 4250, pids, starts, 16), 2);
    CHECK_INT(pw_procfs_read_tree(fs, pids, starts, 2, s, &t, &err), 0);
    CHECK_INT(t.n_read, 1);
    CHECK_INT(t.n_failed, 1);
    CHECK_INT(t.failed_pid, 4280);
    CHECK_CONTAINS(t.failure.msg, "Is a directory");
    CHECK_INT(t.rollup.v[PW_SMAPS_PSS], 80512 * KB);
    CHECK_INT(pw_smaps_finish(s)->total.n_inputs, 1);

    /* A child that is gone is left out without making the total a floor. */
    int gone[2] = {4242, 4290};
    CHECK_INT(pw_procfs_read_tree(fs, gone, NULL, 2, NULL, &t, &err), 0);
    CHECK_INT(t.n_read, 1);
    CHECK_INT(t.n_gone, 1);
    CHECK_INT(t.n_failed, 0);
    /* The root failing fails the tree. */
    int bad[2] = {4260, 4242};
    CHECK_INT(pw_procfs_read_tree(fs, bad, NULL, 2, NULL, &t, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "4260/smaps_rollup");
    pw_smaps_destroy(s);
    pw_proctab_free(&tab);
    pw_procfs_destroy(fs);
}

typedef struct {
    int n;
    char last[512];
} notes_t;

static void on_note(void *ud, const char *msg)
{
    notes_t *n = ud;
    n->n++;
    snprintf(n->last, sizeof(n->last), "%s", msg);
}

static void test_discovery(void)
{
    pw_procfs_opts_t o = {.root = proc};
    pw_procfs_t *fs = pw_procfs_create(&o);
    pw_proctab_t tab = {0};
    pw_proc_list_t ts = {0};
    pw_err_t err = {0};
    CHECK_INT(pw_proctab_scan(&tab, fs, &err), 0);

    notes_t notes = {0};
    pw_discover_opts_t d = {"/opt/datadog-agent/", run, on_note, &notes};
    CHECK_INT(pw_discover_agent(fs, &tab, &d, &ts, &err), 0);
    /* helper (4243) is under the prefix but inside agent's tree: dropped. */
    CHECK_INT(ts.n, 3);
    if (ts.n == 3) {
        CHECK_STR(ts.v[0].name, "agent");
        CHECK_INT(ts.v[0].pid, 4242);
        CHECK_STR(ts.v[0].how, "exe+pidfile");
        CHECK_STR(ts.v[0].exe, "/opt/datadog-agent/bin/agent/agent");
        CHECK_STR(ts.v[1].name, "process-agent");
        CHECK_INT(ts.v[1].pid, 4260);
        CHECK_STR(ts.v[1].how, "pidfile");
        CHECK_STR(ts.v[2].name, "trace-agent"); /* without " (deleted)" */
        CHECK_INT(ts.v[2].pid, 4250);
        CHECK_INT(ts.v[2].starttime, 1000 + 4250);
    }
    CHECK_INT(notes.n, 2); /* stale.pid and junk.pid, in directory order */
    pw_proc_list_free(&ts);

    /* Without a run path, only executables count. */
    d.run_path = "/nonexistent/run";
    CHECK_INT(pw_discover_agent(fs, &tab, &d, &ts, &err), 0);
    CHECK_INT(ts.n, 2);
    pw_proc_list_free(&ts);
    d.agent_prefix = "/opt/other/";
    CHECK_INT(pw_discover_agent(fs, &tab, &d, &ts, &err), 0);
    CHECK_INT(ts.n, 0);

    CHECK_INT(pw_discover_name(fs, &tab, "trace-agent", &ts, &err), 0);
    CHECK_INT(ts.n, 1);
    CHECK_INT(pw_discover_name(fs, &tab, "nope", &ts, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "no running process is named \"nope\"");
    CHECK_INT(pw_discover_pid(fs, &tab, 4280, &ts, &err), 0);
    CHECK_INT(ts.n, 2);
    CHECK_STR(ts.v[1].name, "worker");
    CHECK_INT(pw_discover_pid(fs, &tab, 4270, &ts, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "process 4270 (defunct) has no memory to read: it is a zombie");
    CHECK_INT(pw_discover_pid(fs, &tab, 4310, &ts, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "process 4310 (kworker/0:1) has no memory to read: it is a kernel "
                            "thread");
    CHECK_INT(pw_discover_pid(fs, &tab, 4320, &ts, &err), 0);
    CHECK_STR(ts.v[ts.n - 1].name, "app");
    ts.n--;
    CHECK_INT(pw_discover_pid(fs, &tab, 5555, &ts, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "no process 5555");

    char path[800];
    snprintf(path, sizeof(path), "%s/agent.pid", run);
    CHECK_INT(pw_discover_pidfile(fs, &tab, path, &ts, &err), 0);
    CHECK_STR(ts.v[ts.n - 1].name, "agent");
    snprintf(path, sizeof(path), "%s/stale.pid", run);
    CHECK_INT(pw_discover_pidfile(fs, &tab, path, &ts, &err), PW_ENOENT);
    CHECK_CONTAINS(err.msg, "stale.pid names process 999999, which is not running");
    snprintf(path, sizeof(path), "%s/junk.pid", run);
    CHECK_INT(pw_discover_pidfile(fs, &tab, path, &ts, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "junk.pid: expected a process id, found \"h\" at byte 1");
    snprintf(path, sizeof(path), "%s/missing.pid", run);
    CHECK_INT(pw_discover_pidfile(fs, &tab, path, &ts, &err), PW_ENOENT);

    /* trace-agent, worker (inside trace-agent's tree) and agent: the prune
     * keeps the roots once each. */
    CHECK_INT(ts.n, 3);
    pw_proc_list_prune(&ts, &tab);
    CHECK_INT(ts.n, 2);
    CHECK_STR(ts.v[0].name, "agent");
    CHECK_STR(ts.v[1].name, "trace-agent");
    pw_proc_list_free(&ts);
    pw_proctab_free(&tab);
    pw_procfs_destroy(fs);
}

/* The harness runs the list in order: the first builds the tree, the last
 * removes it. */
PW_TESTS(T(build_tree), T(test_rollup_and_fallback), T(test_read_errors), T(test_tree),
         T(test_discovery), T(remove_tree))
