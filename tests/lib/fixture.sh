# Starting and stopping `pwfixture serve` in the shell tests. Sourced; needs
# $PW_FIXTURE and $dir (the test's temporary folder). Every fixture started
# is recorded in $pids, for the test's exit trap to kill.
pids=${pids-}

# start NAME ARGS...: runs the fixture in the background and waits at most 10 s
# for its port file; sets $pid and $addr (the port file's line).
start() {
    name=$1
    shift
    "$PW_FIXTURE" serve -port-file "$dir/$name.port" "$@" 2>"$dir/$name.log" &
    pid=$!
    pids="$pids $pid"
    n=0
    until [ -s "$dir/$name.port" ]; do
        n=$((n + 1))
        if [ $n -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
            echo "FAIL: the $name fixture did not start:"
            cat "$dir/$name.log"
            exit 1
        fi
        sleep 0.1
    done
    addr=$(cat "$dir/$name.port")
}

# stop SIGNAL: signals the fixture $pid and waits for it, at most 5 s before
# a SIGKILL; sets $rc to its exit status.
stop() {
    kill -"$1" "$pid"
    (
        n=0
        while kill -0 "$pid" 2>/dev/null; do
            [ $n -ge 50 ] && { kill -KILL "$pid"; exit; }
            sleep 0.1
            n=$((n + 1))
        done
    ) &
    watchdog=$!
    wait "$pid"
    rc=$?
    wait "$watchdog"
}
