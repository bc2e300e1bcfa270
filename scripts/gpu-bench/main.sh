#!/usr/bin/env bash
# npm run bench:gpu [-- flags]: the GPU benchmark with this machine's Node;
# npm run bench:gpu -- pack: pack it for a GPU machine (pack.sh);
# npm run bench:gpu -- run [flags]: run the packed copy (run.sh).
set -euo pipefail
here=$(dirname "$0")
[ "${1:-}" = -- ] && shift
case "${1:-}" in
  pack) shift; exec bash "$here/pack.sh" "$@" ;;
  run) shift; exec bash "$here/run.sh" "$@" ;;
  *) cd "$here/../.." && exec node --import ./scripts/node-loader.mjs scripts/bench-gpu.ts "$@" ;;
esac
