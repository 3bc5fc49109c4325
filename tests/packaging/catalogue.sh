#!/bin/sh
# The Datadog catalogue lists every metric and service check the code can emit,
# the README shows each, and the rows are well formed (catalogue.py).
set -eu
src=${PW_SOURCE:-$(cd "$(dirname "$0")/../.." && pwd)}
exec python3 "$src/tests/packaging/catalogue.py" "$src"
