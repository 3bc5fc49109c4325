/* Unit tests for the /proc/PID/stat, statm and pid-file parsers. */
#include "profwatch/procstat.h"
#include "pw_test.h"

static void test_stat(void)
{
    pw_procstat_t st;
    pw_err_t err = {0};
    const char *agent = "1234 (agent) S 1 1234 1234 0 -1 4194560 88123 0 12 0 5421 1203 0 0 20 0 "
                        "38 0 7390021 2411937792 61234 18446744073709551615 1 1 0 0 0 0 0 0 "
                        "2143420159 0 0 0 17 1 0 0 0 0 0\n";
    CHECK_INT(pw_procstat_parse(agent, strlen(agent), &st, &err), 0);
    CHECK_INT(st.pid, 1234);
    CHECK_INT(st.ppid, 1);
    CHECK_INT(st.state, 'S');
    CHECK_INT(st.starttime, 7390021);
    CHECK_STR(st.comm, "agent");
    CHECK(!(st.flags & PW_PF_KTHREAD));
    const char *kthread = "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 24 0 0\n";
    CHECK_INT(pw_procstat_parse(kthread, strlen(kthread), &st, &err), 0);
    CHECK(st.flags & PW_PF_KTHREAD);
    CHECK_INT(st.ppid, 0);

    /* A process may call itself anything, parentheses and spaces included. */
    const char *odd = "77 (a) (b c)) Z 76 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42 0 0\n";
    CHECK_INT(pw_procstat_parse(odd, strlen(odd), &st, &err), 0);
    CHECK_STR(st.comm, "a) (b c)");
    CHECK_INT(st.state, 'Z');
    CHECK_INT(st.ppid, 76);
    CHECK_INT(st.starttime, 42);

    const char *bad[] = {
        "",
        "x (a) S 1",
        "12 a S 1 2 3",
        "12 (a S 1 2 3",
        "12 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0\n", /* stops before starttime */
        "12 (a) S one 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42\n",
        "0 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 42\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err.msg[0] = '\0';
        CHECK_INT(pw_procstat_parse(bad[i], strlen(bad[i]), &st, &err), PW_EINVAL);
        CHECK(err.msg[0] != '\0');
    }
    err.msg[0] = '\0';
    const char *cut = "12 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0\n";
    pw_procstat_parse(cut, strlen(cut), &st, &err);
    CHECK_CONTAINS(err.msg, "field 20 is missing");
}

static void test_statm(void)
{
    uint64_t pages = 1;
    pw_err_t err = {0};
    CHECK_INT(pw_procstat_parse_statm("765 440 412 5 0 123 0\n", 22, &pages, &err), 0);
    CHECK_INT(pages, 765);
    CHECK_INT(pw_procstat_parse_statm("0 0 0 0 0 0 0\n", 14, &pages, &err), 0);
    CHECK_INT(pages, 0);
    CHECK_INT(pw_procstat_parse_statm("", 0, &pages, &err), PW_EINVAL);
    CHECK_INT(pw_procstat_parse_statm("12x 0", 5, &pages, &err), PW_EINVAL);
}

static void test_pidfile(void)
{
    int pid = 0;
    pw_err_t err = {0};
    CHECK_INT(pw_pidfile_parse("4242\n", 5, &pid, &err), 0);
    CHECK_INT(pid, 4242);
    CHECK_INT(pw_pidfile_parse("  17  \n\n", 8, &pid, &err), 0);
    CHECK_INT(pid, 17);
    CHECK_INT(pw_pidfile_parse("", 0, &pid, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "empty");
    CHECK_INT(pw_pidfile_parse(" \n", 2, &pid, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "empty");
    CHECK_INT(pw_pidfile_parse("abc", 3, &pid, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "expected a process id, found \"a\" at byte 1");
    CHECK_INT(pw_pidfile_parse("12 13\n", 6, &pid, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "unexpected text after the process id, at byte 4");
    CHECK_INT(pw_pidfile_parse("0\n", 2, &pid, &err), PW_EINVAL);
    CHECK_CONTAINS(err.msg, "not a valid process id");
    CHECK_INT(pw_pidfile_parse("99999999\n", 9, &pid, &err), PW_EINVAL);
    CHECK_INT(pw_pidfile_parse("-5\n", 3, &pid, &err), PW_EINVAL);
    CHECK_INT(pid, 17); /* untouched by failures */
}

PW_TESTS(T(test_stat), T(test_statm), T(test_pidfile))
