#!/usr/bin/env node
'use strict';
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
