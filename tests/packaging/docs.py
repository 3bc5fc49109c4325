#!/usr/bin/env python3
"""The man pages, the bash completion and --help against the code.

Each option in the CLI's option tables (daemon/cli/cmd_*.c) and in
profwatchd's (daemon/watch/main.c) must be in the man page, and each CLI
option in the completion of its command; each command of daemon/cli/main.c
must be in `profwatch --help`, the man page and the completion. Every
`--help` exits 0 with a usage line. The completion is then run in bash (with
bash-completion's two helpers stubbed) on a few command lines.

Usage: docs.py SOURCE_DIR BIN_DIR
"""
import os
import re
import subprocess
import sys

from checks import check, summary


def read(*parts):
    with open(os.path.join(*parts)) as f:
        return f.read()


def man_options(text):
    """Long options a roff page spells, \\-\\-name or \\-name."""
    return set(re.findall(r"--([a-z][a-z0-9-]*)", text.replace("\\-", "-")))


def completion_cases(text):
    """{command: set of options} from the completion's case arms."""
    out = {}
    for m in re.finditer(r"^\s+([a-z| ]+)\) opts=\"([^\"]*)\"", text, re.M):
        for cmd in m.group(1).split("|"):
            out[cmd.strip()] = set(re.findall(r"--([a-z][a-z0-9-]*)", m.group(2)))
    return out


def main():
    src, bindir = sys.argv[1], sys.argv[2]
    cli = os.path.join(src, "daemon/cli")
    man1 = read(src, "packaging/man/profwatch.1")
    man8 = read(src, "packaging/man/profwatchd.8")
    comp = read(src, "packaging/completion/profwatch")
    man1_opts = man_options(man1)
    cases = completion_cases(comp)

    # The commands.
    main_c = read(cli, "main.c")
    commands = re.findall(r'\{"([a-z]+)", pw_cmd_[a-z_]+\}', main_c)
    check(len(commands) >= 6, f"daemon/cli/main.c: found commands {commands}")
    helptext = subprocess.run([os.path.join(bindir, "profwatch"), "--help"],
                              capture_output=True, text=True, timeout=10)
    check(helptext.returncode == 0, "profwatch --help: exit 0")
    comp_cmds = set(re.search(r'local commands="([^"]*)"', comp).group(1).split())
    for cmd in commands:
        check(re.search(rf"^  {cmd} ", helptext.stdout, re.M) is not None,
              f"profwatch --help does not list the command {cmd}")
        check(f'.SS "{cmd} ' in man1, f"profwatch.1 has no section for the command {cmd}")
        check(cmd in comp_cmds, f"the completion does not offer the command {cmd}")
        check(cmd in cases, f"the completion has no options for {cmd}")
        r = subprocess.run([os.path.join(bindir, "profwatch"), cmd, "--help"],
                           capture_output=True, text=True, timeout=10)
        check(r.returncode == 0 and f"Usage: profwatch {cmd}" in r.stdout,
              f"profwatch {cmd} --help: exit {r.returncode}, usage line")

    # The options of each command, from its table.
    for path in sorted(os.listdir(cli)):
        if not path.startswith("cmd_"):
            continue
        text = read(cli, path)
        opts = set(re.findall(r'\{"([a-z][a-z0-9-]*)", (?:NULL|"[a-z_]+"), [^,]+, PW_ARG_', text))
        cmds = re.findall(r'"Usage: profwatch ([a-z]+)', text)
        check(opts and cmds, f"{path}: no option table or usage found")
        for cmd in cmds:
            for opt in sorted(opts - {"help"}):
                if opt == "top" and cmd in ("top", "diff"):
                    continue  # `go tool pprof -top` spelling, ignored
                check(opt in man1_opts, f"profwatch.1 does not document {cmd} --{opt}")
                check(opt in cases.get(cmd, set()),
                      f"the completion does not offer {cmd} --{opt}")
            extra = cases.get(cmd, set()) - opts
            check(not extra, f"the completion offers {cmd} options the code lacks: {sorted(extra)}")

    # profwatchd.
    daemon = read(src, "daemon/watch/main.c")
    dopts = set(re.findall(r'\{"([a-z][a-z0-9-]*)", (?:no|required|optional)_argument', daemon))
    check(len(dopts) >= 5, f"daemon/watch/main.c: found options {sorted(dopts)}")
    man8_opts = man_options(man8)
    for opt in sorted(dopts):
        check(opt in man8_opts, f"profwatchd.8 does not document --{opt}")
    r = subprocess.run([os.path.join(bindir, "profwatchd"), "--help"], capture_output=True,
                       text=True, timeout=10)
    check(r.returncode == 0 and r.stdout.startswith("Usage: profwatchd"), "profwatchd --help")
    for opt in sorted(dopts):
        check(f"--{opt}" in r.stdout, f"profwatchd --help does not show --{opt}")
    # Paths the man page states are the daemon's real defaults.
    config_c = read(src, "daemon/io/config.c")
    for key in ("reports_dir", "state_dir", "status_socket"):
        m = re.search(rf'\{{"{key}", PW_CT_STRING, offsetof\([^)]*\),\s*"([^"]+)"', config_c)
        if check(m is not None, f"config.c: no default for {key}"):
            check(m.group(1) in man8, f"profwatchd.8 does not give the default {key} {m.group(1)}")

    # The completion, run.
    script = r"""
_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]};
                     words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
_filedir() { COMPREPLY+=(FILES); }
. "$1"
run() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _profwatch;
        echo "${COMPREPLY[*]}"; }
run profwatch sm
run profwatch top --sa
run profwatch smaps --gate idle_
run profwatch diff --sample-index inuse_s
run profwatch analyze --fail
run profwatch flame --base ""
run profwatch status --
"""
    r = subprocess.run(["bash", "-c", script, "bash",
                        os.path.join(src, "packaging/completion/profwatch")],
                       capture_output=True, text=True, timeout=10)
    got = r.stdout.splitlines()
    want = ["smaps", "--sample-index", "idle_all_features", "inuse_space", "--fail-on-verdict",
            "FILES", "--socket --config --json --help"]
    check(r.returncode == 0 and not r.stderr, f"the completion ran with errors: {r.stderr}")
    for i, w in enumerate(want):
        check(i < len(got) and got[i] == w,
              f"completion case {i}: got {got[i] if i < len(got) else None!r}, want {w!r}")

    return summary(f"docs: {len(commands)} commands")


if __name__ == "__main__":
    sys.exit(main())
