#!/usr/bin/env bash
# The paper figures in docs/figures/: each preset's sweep through the runner,
# then its figures as SVG, its run table as CSV and its link. Resumable: a
# stopped sweep picks up from its JSON. Usage: npm run figures [-- preset-id …]
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A FIGS=(
  [he-heads-length]="length: field:softmax.zeroSum"
  [mahankali-eta-n]="field:lsa.etaEff field:test.model field:lsa.etaRatio"
  [precond-kappa]="field:test.model field:lsa.gammaRelError"
  [task-diversity-lsa]="field:test.model field:shift.test.model"
  [task-diversity-softmax]="field:test.model field:shift.test.model"
  [optimizer-study-lsa]="field:test.model field:convergence.stepsToTarget field:lsa.gammaRelError"
  [optimizer-study-he]="field:test.model field:convergence.stepsToTarget field:softmax.zeroSum"
  [optimizer-study-precond]="field:test.model field:convergence.stepsToTarget field:lsa.gammaRelError"
)
ids=("$@")
[ ${#ids[@]} -gt 0 ] || ids=(he-heads-length mahankali-eta-n precond-kappa task-diversity-lsa task-diversity-softmax optimizer-study-lsa optimizer-study-he optimizer-study-precond)
for id in "${ids[@]}"; do
  dir="docs/figures/$id"
  mkdir -p "$dir"
  start=$(date +%s)
  npm run -s lab -- sweep --preset "$id" --out "$dir/sweep.json" --csv "$dir/runs.csv"
  echo "$id: $(( $(date +%s) - start )) s" >&2
  node -e 'const f=require("./'"$dir"'/sweep.json"); process.stdout.write("?"+f.share+"\n")' > "$dir/link.txt"
  for fig in ${FIGS[$id]}; do
    kind=${fig%%:*}; metric=${fig#*:}
    name=$([ -n "$metric" ] && echo "${metric//./-}" || echo "length")
    npm run -s lab -- figure "$dir/sweep.json" --svg "$dir/$name.svg" --kind "$kind" ${metric:+--metric "$metric"}
  done
  # Optimizer studies: each optimizer at its best learning rate, and their loss curves.
  case "$id" in optimizer-study-*) npm run -s lab -- tune "$dir/sweep.json" --md "$dir/tuned.md" --svg "$dir/losses.svg" > /dev/null ;; esac
done
