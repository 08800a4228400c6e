#!/bin/sh
# The parse step of two builds, alternately, one process each: `bench/parse-before-after.sh BEFORE AFTER [PAIRS]`.
# BEFORE and AFTER are checkouts built with `npx tsc -p tsconfig.json` (an older tree gets today's
# bench/parse.ts copied in first). Prints one line per run: pair, side, µs per canonical and typed parse.
before=${1:?before: a built checkout}
after=${2:?after: a built checkout}
pairs=${3:-8}
pair=1
while [ "$pair" -le "$pairs" ]; do
  for side in before after; do
    if [ "$side" = before ]; then dir=$before; else dir=$after; fi
    node -e "import('$dir/dist/bench/parse.js').then((m) => m.benchParse(15, () => {})).then((o) => {
      const canonical = /canonical[^|]*\|[^|]*\|\s*([\d.]+)/.exec(o)[1];
      const typed = /typed variants[^|]*\|[^|]*\|\s*([^|]+)\|/.exec(o)[1].trim();
      console.log('$pair $side canonical=' + canonical + ' typed=' + typed);
    })"
  done
  pair=$((pair + 1))
done
