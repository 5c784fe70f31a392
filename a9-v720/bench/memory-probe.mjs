/**
 * Loaded into the server process only by bench/memory.ts and bench/soak-mix.ts (`node --import`),
 * never by the add-on: on SIGUSR2 it writes the process's own memory figures (process.memoryUsage
 * and V8's heap spaces) to $BENCH_MEMORY_FILE, so a benchmark can read heapUsed, external and
 * arrayBuffers of unchanged server code without an endpoint of its own. A request file
 * ($BENCH_MEMORY_FILE.request, one word) asks for more first: "gc" (a full garbage collection, so
 * heapUsed is what is live) or "snapshot:<path>" (a V8 heap snapshot written to <path>).
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import v8 from 'node:v8';
import process from 'node:process';
import vm from 'node:vm';

const file = process.env.BENCH_MEMORY_FILE;

/** A full GC without --expose-gc on the command line (which would change what we measure). */
function collectGarbage() {
  v8.setFlagsFromString('--expose-gc');
  vm.runInNewContext('gc')();
}

if (file) {
  process.on('SIGUSR2', () => {
    const requestFile = `${file}.request`;
    const request = existsSync(requestFile) ? readFileSync(requestFile, 'utf8').trim() : '';
    rmSync(requestFile, { force: true });
    if (request === 'gc') collectGarbage();
    if (request.startsWith('snapshot:')) v8.writeHeapSnapshot(request.slice('snapshot:'.length));
    const spaces = Object.fromEntries(
      v8.getHeapSpaceStatistics().map((space) => [space.space_name, { size: space.space_size, used: space.space_used_size }]),
    );
    writeFileSync(`${file}.tmp`, JSON.stringify({ ...process.memoryUsage(), spaces, request }));
    renameSync(`${file}.tmp`, file);
  });
}
