/**
 * The architecture's arrows, checked on the source: protocol ← camera ← media ← web / ha ← app
 * (README, "Architecture"). A module may import only from its own layer and the layers below it,
 * so a new import that points the wrong way fails here instead of tangling the code quietly.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

type Layer = 'base' | 'protocol' | 'camera' | 'media' | 'ha' | 'web' | 'simulator' | 'config' | 'app';

/** What each layer may import besides itself. */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  // Errors, logging and small utilities: used by everyone, depend on nothing of ours.
  base: [],
  protocol: ['base'],
  camera: ['protocol', 'base'],
  media: ['camera', 'protocol', 'base'],
  // The bridge reads its slice of the options; the options never reach into the bridge.
  ha: ['media', 'camera', 'protocol', 'base', 'config'],
  web: ['media', 'camera', 'protocol', 'base'],
  // The simulator's profile table is checked against the profile names the command line accepts.
  simulator: ['media', 'protocol', 'base', 'config'],
  // The production path: reading the options never loads the simulator.
  config: ['camera', 'base'],
  app: ['config', 'web', 'ha', 'simulator', 'media', 'camera', 'protocol', 'base'],
};

/** The layer of a file, from its path below src/. */
function layerOf(relative: string): Layer {
  const [first] = relative.split('/');
  if (first === 'util' || relative === 'errors.ts' || relative === 'log.ts' || relative === 'log-format.ts') return 'base';
  if (first === 'protocol' || first === 'camera' || first === 'media' || first === 'ha' || first === 'web' || first === 'simulator')
    return first;
  if (relative === 'config.ts') return 'config';
  if (relative === 'app.ts' || relative === 'main.ts' || relative === 'demo.ts' || relative === 'healthcheck.ts') return 'app';
  throw new Error(`src/${relative} belongs to no layer: add it to layerOf`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Relative module specifiers of static imports, re-exports and dynamic imports. */
function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)'(\.{1,2}\/[^']+)'/gm)) found.push(match[1]!);
  return found;
}

test('the layer table names every source directory', () => {
  assert.equal(layerOf('util/net.ts'), 'base');
  assert.equal(layerOf('errors.ts'), 'base');
  assert.equal(layerOf('media/motion/grey-image.ts'), 'media');
  assert.equal(layerOf('main.ts'), 'app');
  assert.throws(() => layerOf('stray.ts'), /src\/stray\.ts belongs to no layer/);
  assert.deepEqual(
    importsOf(`import a from './x.js';\nexport { b } from '../y/z.js';\nconst c = await import('./lazy.js');\nimport './side-effect.js';`),
    ['./x.js', '../y/z.js', './lazy.js', './side-effect.js'],
  );
});

test('every import points down the layers (protocol ← camera ← media ← web / ha ← app)', () => {
  const wrongWay: string[] = [];
  let checked = 0;
  for (const file of sourceFiles(SRC)) {
    const from = path.relative(SRC, file);
    const layer = layerOf(from);
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), specifier)).replace(/\.js$/, '.ts');
      const targetLayer = layerOf(target);
      checked++;
      if (targetLayer !== layer && !ALLOWED[layer].includes(targetLayer))
        wrongWay.push(`src/${from} (${layer}) imports src/${target} (${targetLayer})`);
    }
  }
  assert.ok(checked > 200, `only ${checked} imports found: the scan is broken`);
  assert.deepEqual(wrongWay, []);
});
