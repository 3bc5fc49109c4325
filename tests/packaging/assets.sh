#!/bin/sh
# The Datadog monitors and dashboard (datadog_assets.py), the Kubernetes
# example (kubernetes.py) and the docs against the code (docs.py).
set -u
src=${PW_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
case ${1:?usage: assets.sh datadog|kubernetes|docs} in
datadog) exec python3 "$src/tests/packaging/datadog_assets.py" "$src" ;;
kubernetes) exec python3 "$src/tests/packaging/kubernetes.py" "$src" "$PW_BIN/profwatchd" ;;
docs) exec python3 "$src/tests/packaging/docs.py" "$src" "$PW_BIN" ;;
*) echo "assets.sh: unknown check $1" >&2; exit 2 ;;
esac
