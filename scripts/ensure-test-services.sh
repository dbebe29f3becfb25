#!/usr/bin/env bash
# Installs the real peers the tests talk to on loopback, where missing (Debian packages):
# git (the git server on a real repository) and prometheus + promtool (the metrics server's
# Prometheus backend; the tests load history with `promtool tsdb create-blocks-from openmetrics`
# and run their own server on a free port). Idempotent and quiet when everything is there.
set -euo pipefail
need=()
command -v git >/dev/null 2>&1 || need+=(git)
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  need+=(prometheus)
fi
if [ ${#need[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "the tests need ${need[*]} (prometheus with promtool, 2.24 or later) on PATH; install them and re-run" >&2
    exit 1
  fi
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "installing ${need[*]} (Debian packages) for the tests"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
