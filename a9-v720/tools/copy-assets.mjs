// tsc compiles TypeScript only: copy the dashboard's static files, the simulator's JPEG frames
// and the pairing helper (served by POST /api/pairing-helper) next to the compiled code, where
// the modules look for them.
import { cpSync, existsSync } from 'node:fs';

for (const [from, to] of [
  ['src/web/public', 'dist/web/public'],
  ['src/simulator/frames', 'dist/simulator/frames'],
  ['src/pairing/a9-pair.py', 'dist/pairing/a9-pair.py'],
]) {
  if (!existsSync(from)) throw new Error(`missing ${from}`);
  cpSync(from, to, { recursive: true });
}
