#!/bin/sh
# Helm post-renderer: Helm's manifests on stdin, the same with profwatchd
# added on stdout (kustomization.yaml).
set -eu
dir=$(cd "$(dirname "$0")" && pwd)
cat >"$dir/helm-output.yaml"
exec kubectl kustomize "$dir"
