"""Counted checks for the packaging tests: each check that fails prints its
message, and summary() gives the line that ends a test and its exit status
(1 when any failed, or when none ran)."""

failures = []
_checked = [0]


def check(cond, msg):
    _checked[0] += 1
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg)
    return cond


def summary(what):
    print(f"{what}; {_checked[0]} checks, {len(failures)} failed")
    return 1 if failures or _checked[0] == 0 else 0
