/**
 * Headless Debian Chromium, driven by playwright-core, for the dashboard's browser tests and the
 * dashboard wall benchmark: one place for the binary's path and the flags that keep it quiet
 * (no sync, updates, background or QUIC traffic: only our 127.0.0.1 server is ever contacted).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const QUIET_HEADLESS_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium with the quiet flags plus `extraArgs`; a clear error when it is not installed. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the dashboard browser tests need Debian's chromium (apt-get install chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: [...QUIET_HEADLESS_ARGS, ...extraArgs] });
}
