/**
 * Static checks of the image: Dockerfile, run.sh, and a clean `npm ci && npm run build` of the
 * add-on folder alone (the Supervisor's build context).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ADDON_PORTS } from '../../src/config.js';
import { ADDON_DIR, REPO_ROOT } from './supervisor-rules.js';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile → instructions, with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const out: Instruction[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (pending === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (pending !== '' && trimmed.startsWith('#')) continue;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1)} `;
      continue;
    }
    const full = (pending + trimmed).trim();
    pending = '';
    if (full === '') continue;
    const m = /^(\S+)\s*(.*)$/.exec(full);
    if (m) out.push({ keyword: (m[1] ?? '').toUpperCase(), args: m[2] ?? '' });
  }
  return out;
}

const dockerfile = parseDockerfile(readFileSync(path.join(ADDON_DIR, 'Dockerfile'), 'utf8'));
const runSh = path.join(ADDON_DIR, 'run.sh');

describe('Dockerfile', () => {
  test('pins its base image through ARG BUILD_FROM and uses it in every stage', () => {
    const arg = dockerfile.find((i) => i.keyword === 'ARG' && i.args.startsWith('BUILD_FROM='));
    assert.ok(arg, 'ARG BUILD_FROM=<image>:<tag> is required');
    assert.ok(dockerfile.indexOf(arg) < dockerfile.findIndex((i) => i.keyword === 'FROM'), 'ARG BUILD_FROM must come before FROM');
    const image = arg.args.slice('BUILD_FROM='.length);
    assert.match(image, /^ghcr\.io\/home-assistant\/base:\d+\.\d+/, `base image "${image}" must be ghcr.io/home-assistant/base:<version>`);
    assert.doesNotMatch(image, /:latest$|^[^:]+$/, 'the base image tag must be pinned, not latest');
    const froms = dockerfile.filter((i) => i.keyword === 'FROM');
    assert.ok(froms.length >= 2, 'multi-stage build expected (builder + runtime)');
    for (const from of froms) assert.match(from.args, /^\$\{BUILD_FROM\}/, `FROM ${from.args}`);
  });

  test('builds with npm ci + npm run build and installs production dependencies only at runtime', () => {
    const runs = dockerfile.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    assert.ok(
      runs.some((r) => /apk add --no-cache nodejs/.test(r)),
      'apk add --no-cache nodejs',
    );
    assert.ok(
      runs.some((r) => /npm ci(?!.*--omit=dev)/.test(r)),
      'builder: npm ci',
    );
    assert.ok(
      runs.some((r) => /npm run build/.test(r)),
      'builder: npm run build',
    );
    assert.ok(
      runs.some((r) => /npm ci .*--omit=dev/.test(r)),
      'runtime: npm ci --omit=dev',
    );
    const lastFrom = dockerfile.map((i) => i.keyword).lastIndexOf('FROM');
    const runtime = dockerfile.slice(lastFrom);
    assert.ok(
      runtime.some((i) => i.keyword === 'COPY' && /--from=\S+\s+\/app\/dist/.test(i.args)),
      'runtime copies dist from the builder',
    );
  });

  test('every COPY source exists inside the add-on folder', () => {
    for (const copy of dockerfile.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')) {
      if (/--from=/.test(copy.args)) continue;
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      assert.ok(parts.length >= 2, `COPY ${copy.args}`);
      for (const source of parts.slice(0, -1)) {
        const resolved = path.resolve(ADDON_DIR, source);
        assert.ok(resolved.startsWith(ADDON_DIR), `COPY source ${source} leaves the build context`);
        assert.ok(existsSync(resolved), `COPY source ${source} does not exist in a9-v720/`);
      }
    }
  });

  test('.dockerignore keeps node_modules and dist out of the context', () => {
    const ignore = readFileSync(path.join(ADDON_DIR, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    assert.ok(ignore.includes('node_modules'), '.dockerignore lists node_modules');
    assert.ok(ignore.includes('dist'), '.dockerignore lists dist');
  });

  test('starts /run.sh and carries the Home Assistant labels', () => {
    assert.ok(
      dockerfile.some((i) => i.keyword === 'COPY' && /^run\.sh\s+\/$/.test(i.args)),
      'COPY run.sh /',
    );
    const cmd = dockerfile.filter((i) => i.keyword === 'CMD').at(-1);
    assert.ok(cmd, 'CMD is required');
    assert.deepEqual(JSON.parse(cmd.args), ['/run.sh']);
    assert.ok(!dockerfile.some((i) => i.keyword === 'ENTRYPOINT'), 'keep the base image ENTRYPOINT (s6-overlay /init)');
    const labels = dockerfile
      .filter((i) => i.keyword === 'LABEL')
      .map((i) => i.args)
      .join(' ');
    assert.match(labels, /io\.hass\.type="app"/);
    assert.match(labels, /io\.hass\.version="\$\{BUILD_VERSION\}"/);
    assert.match(labels, /io\.hass\.arch="\$\{BUILD_ARCH\}"/);
    assert.match(labels, /org\.opencontainers\.image\.\w+=/);
    const args = dockerfile.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=')[0]);
    assert.ok(
      args.includes('BUILD_VERSION') && args.includes('BUILD_ARCH'),
      `ARG BUILD_VERSION and ARG BUILD_ARCH, got ARG ${args.join(', ')}`,
    );
  });
});

describe('HEALTHCHECK (replaces config.yaml watchdog)', () => {
  const checks = dockerfile.filter((i) => i.keyword === 'HEALTHCHECK');
  const parsed = /^((?:--[a-z-]+=\S+\s+)*)CMD\s+(\[.*\])$/.exec(checks[0]?.args ?? '');

  test('exactly one, in the runtime stage, in exec form (no shell in between)', () => {
    assert.equal(checks.length, 1, 'one HEALTHCHECK');
    const lastFrom = dockerfile.map((i) => i.keyword).lastIndexOf('FROM');
    assert.ok(dockerfile.indexOf(checks[0]!) > lastFrom, 'the HEALTHCHECK belongs to the runtime stage');
    assert.ok(parsed, `HEALTHCHECK [options] CMD ["…"], got ${checks[0]?.args}`);
  });

  test("runs the compiled health check on the add-on's fixed container ports, within Docker's timeout", () => {
    const options = new Map(
      (parsed?.[1] ?? '')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((option) => option.slice(2).split('=') as [string, string]),
    );
    const seconds = (name: string): number => Number(/^(\d+)s$/.exec(options.get(name) ?? '')?.[1]);
    assert.ok(seconds('interval') >= 10 && seconds('interval') <= 60, `--interval ${options.get('interval')}`);
    assert.ok(seconds('start-period') >= 30, `--start-period ${options.get('start-period')}: time to start before failures count`);
    assert.ok(Number(options.get('retries')) >= 2, `--retries ${options.get('retries')}: one slow answer is no reason to restart`);
    const command = JSON.parse(parsed?.[2] ?? '[]') as string[];
    assert.deepEqual(command.slice(0, 6), [
      'node',
      '/app/dist/healthcheck.js',
      '--tcp',
      String(ADDON_PORTS.tcp),
      '--web',
      String(ADDON_PORTS.web),
    ]);
    const probeTimeoutMs = Number(command[command.indexOf('--timeout-ms') + 1]);
    assert.ok(
      command.includes('--timeout-ms') && probeTimeoutMs < seconds('timeout') * 1000,
      `the probes (${probeTimeoutMs} ms) end before Docker's --timeout`,
    );
    assert.ok(existsSync(path.join(ADDON_DIR, 'src', 'healthcheck.ts')), 'src/healthcheck.ts (compiled to dist/healthcheck.js)');
  });
});

describe('run.sh', () => {
  test('uses bashio, logs, and execs node so SIGTERM reaches it', () => {
    const text = readFileSync(runSh, 'utf8');
    assert.equal(text.split('\n')[0], '#!/usr/bin/with-contenv bashio');
    assert.match(text, /bashio::log\.info/);
    // Node flags may stand between (bench/support.ts starts benchmark servers with the same ones).
    assert.match(text, /^exec node (?:--[a-z-]+=\S+ )*\/app\/dist\/main\.js\s*$/m);
  });

  test('is executable on disk and in git', () => {
    assert.ok((statSync(runSh).mode & 0o111) !== 0, 'run.sh must be executable (chmod +x)');
    let entry: string;
    try {
      entry = execFileSync('git', ['ls-files', '-s', 'a9-v720/run.sh'], { cwd: REPO_ROOT, encoding: 'utf8' });
    } catch {
      entry = '';
    }
    if (entry === '') {
      assert.fail('run.sh is not tracked by git (or git is unavailable)');
    }
    assert.match(entry, /^100755 /, 'git must record run.sh as executable: git update-index --chmod=+x a9-v720/run.sh');
  });

  test('passes shellcheck', (t) => {
    const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      t.skip('shellcheck is not installed here (CI installs it): run.sh was NOT linted');
      return;
    }
    const result = spawnSync('shellcheck', ['-s', 'bash', runSh], { encoding: 'utf8' });
    assert.equal(result.status, 0, `shellcheck:\n${result.stdout}${result.stderr}`);
  });
});

/** COPY instructions of the builder stage (everything before the last FROM), local sources only. */
function builderCopies(): { sources: string[]; dest: string }[] {
  const lastFrom = dockerfile.map((i) => i.keyword).lastIndexOf('FROM');
  return dockerfile
    .slice(0, lastFrom)
    .filter((i) => i.keyword === 'COPY' && !/--from=/.test(i.args))
    .map((i) => {
      const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      return { sources: parts.slice(0, -1), dest: parts.at(-1) ?? '.' };
    });
}

describe('clean build of the add-on folder alone', () => {
  test('the builder stage copies every local file the build script runs', () => {
    const pkg = JSON.parse(readFileSync(path.join(ADDON_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const build = pkg.scripts['build'] ?? '';
    const copied = builderCopies().flatMap((c) => c.sources.map((s) => path.normalize(s)));
    for (const file of build.match(/[\w./-]+\.(?:mjs|cjs|js|ts|json)\b/g) ?? []) {
      const normal = path.normalize(file);
      assert.ok(
        copied.some((source) => normal === source || normal.startsWith(`${source}/`)),
        `the build script uses ${file}, but the Dockerfile builder stage does not COPY it`,
      );
    }
  });

  test('the image ships the pairing helper the panel hands out: copied by the build, checked by the builder stage', () => {
    const copyAssets = readFileSync(path.join(ADDON_DIR, 'tools', 'copy-assets.mjs'), 'utf8');
    assert.match(copyAssets, /\['src\/pairing\/a9-pair\.py', 'dist\/pairing\/a9-pair\.py'\]/, 'tools/copy-assets.mjs copies the helper');
    assert.ok(existsSync(path.join(ADDON_DIR, 'src', 'pairing', 'a9-pair.py')), 'src/pairing/a9-pair.py exists');
    const lastFrom = dockerfile.map((i) => i.keyword).lastIndexOf('FROM');
    const builderRuns = dockerfile
      .slice(0, lastFrom)
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args);
    assert.ok(
      builderRuns.some((r) => /npm run build/.test(r) && /test -f dist\/pairing\/a9-pair\.py/.test(r)),
      'the builder stage fails when dist/pairing/a9-pair.py is missing',
    );
    assert.ok(
      builderCopies().some((c) => c.sources.includes('src') || c.sources.includes('src/')),
      'the builder stage copies src/ (with src/pairing/)',
    );
  });

  test('npm ci && npm run build on exactly what the builder stage copies produces dist/', { timeout: 300_000 }, () => {
    // Only the files the Dockerfile's builder stage copies out of a9-v720/ (the build context):
    // a file the build needs but the Dockerfile forgets fails here, not on a user's machine.
    const work = mkdtempSync(path.join(tmpdir(), 'a9-v720-build-'));
    try {
      const skip = new Set(['node_modules', 'dist', '.data', 'test-artifacts']);
      for (const { sources, dest } of builderCopies()) {
        for (const source of sources) {
          const from = path.join(ADDON_DIR, source);
          const intoDir = dest.endsWith('/') || dest === '.' || sources.length > 1;
          const to = path.join(work, intoDir ? path.join(dest, path.basename(source)) : dest);
          cpSync(from, to, {
            recursive: true,
            filter: (file) =>
              !path
                .relative(ADDON_DIR, file)
                .split(path.sep)
                .some((part) => skip.has(part)),
          });
        }
      }
      const run = (args: string[]): void => {
        const result = spawnSync('npm', args, {
          cwd: work,
          encoding: 'utf8',
          timeout: 240_000,
          env: { ...process.env, npm_config_update_notifier: 'false' },
        });
        assert.equal(
          result.status,
          0,
          `npm ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`,
        );
      };
      run(['ci', '--prefer-offline', '--no-audit', '--no-fund']);
      run(['run', 'build']);
      assert.ok(existsSync(path.join(work, 'dist', 'main.js')), 'dist/main.js was not produced');
      assert.ok(
        existsSync(path.join(work, 'dist', 'web', 'public', 'index.html')),
        'the build did not copy the dashboard files to dist/web/public',
      );
      assert.ok(
        existsSync(path.join(work, 'dist', 'simulator', 'frames')),
        'the build did not copy the simulator frames to dist/simulator/frames',
      );
      // The HEALTHCHECK's script runs as compiled, with plain node: against nothing, it says unhealthy.
      const health = spawnSync(
        process.execPath,
        [path.join(work, 'dist', 'healthcheck.js'), '--tcp', '1', '--web', '1', '--timeout-ms', '500'],
        {
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      assert.equal(health.status, 1, `dist/healthcheck.js: ${health.stdout}${health.stderr}`);
      assert.match(health.stdout, /^unhealthy: camera control port 1: ECONNREFUSED; web server port 1: ECONNREFUSED$/m);
      assert.equal(
        readFileSync(path.join(work, 'dist', 'pairing', 'a9-pair.py'), 'utf8'),
        readFileSync(path.join(ADDON_DIR, 'src', 'pairing', 'a9-pair.py'), 'utf8'),
        'the build did not copy the pairing helper to dist/pairing/a9-pair.py (POST /api/pairing-helper serves it)',
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
