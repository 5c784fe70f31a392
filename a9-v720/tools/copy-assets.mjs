// tsc compiles TypeScript only: copy the dashboard's static files and the simulator's
// JPEG frames next to the compiled code, where the modules look for them.
import { cpSync, existsSync } from 'node:fs';

for (const [from, to] of [
  ['src/web/public', 'dist/web/public'],
  ['src/simulator/frames', 'dist/simulator/frames'],
]) {
  if (!existsSync(from)) throw new Error(`missing ${from}`);
  cpSync(from, to, { recursive: true });
}
