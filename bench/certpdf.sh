#!/usr/bin/env bash
# certpdf.sh: builds bench/certpdf.c against build/'s libraries and measures the printed
# certificate: a cold render (a process that renders one certificate) against pdftotext of the same
# file (hyperfine, medians), and warm renders in one thread. Results: BENCHMARKS.md ("Certificate PDF").
# Usage: bench/certpdf.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
ninja -C build >/dev/null
out=$(mktemp -d /tmp/hv-bench-certpdf.XXXXXX)
trap 'rm -rf "$out"' EXIT
cc -std=c17 -O2 -D_GNU_SOURCE -Isrc -o "$out/certpdf" bench/certpdf.c build/libhvcore.a build/libhvutil.a \
  $(pkg-config --cflags --libs cairo pangocairo libqrencode) -lm
rounds=${1:-15}
"$out/certpdf" "$out/c.pdf" "$rounds" 20
hyperfine -N --warmup 3 --runs 30 --export-json "$out/h.json" \
  "$out/certpdf $out/cold.pdf 0" "pdftotext $out/c.pdf $out/c.txt" >/dev/null
python3 - "$out/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
render, ref = r[0]["median"] * 1e3, r[1]["median"] * 1e3
print(f"cold_render_median_ms {render:.1f}\npdftotext_median_ms {ref:.1f}\ncold_render/pdftotext {render/ref:.2f}")
PY
