# Checks for the shell tests. Sourced. Each check is counted; a failing one
# prints its description, and finish says how many ran and fails the script
# when any failed or none ran.
checked=0
failed=0

ok() { # ok DESCRIPTION COMMAND...: counts a check, prints it when it fails
    desc=$1
    shift
    checked=$((checked + 1))
    if ! "$@" >/dev/null 2>&1; then
        failed=$((failed + 1))
        echo "FAIL: $desc"
    fi
}

# json FILE PYTHON-EXPRESSION: evaluates the expression with d = the document.
json() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

gt() { [ "$1" -gt "$2" ]; }

finish() { # finish NAME: the summary line, and the script's status
    echo "$1: $checked checks, $failed failed"
    [ "$checked" -gt 0 ] && [ "$failed" -eq 0 ]
}
