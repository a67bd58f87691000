#!/usr/bin/env -S node --max-semi-space-size=64
'use strict';
// The V8 flag: a simulation builds its whole circuit (tens of MB for a 10,000-node deck) in one burst, and with
// Node's default 16 MB young generation the collector copied all of it twice, about half the run's time on such
// decks. 64 MB semi-spaces leave one or two collections per run (npm run bench runs with the same flag).
// `spicesim run deck | head`: once the reader has gone, further output is dropped quietly (no EPIPE stack
// trace) and the run goes on, so the rawfile and CSV files asked for are still written.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  });
}
require('../dist/cli.js')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
