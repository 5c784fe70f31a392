// Module customization hooks (they run on Node's loader thread): see import-recorder.mjs.
import { appendFileSync } from 'node:fs';

let logFile = '';

export function initialize(data) {
  logFile = data.logFile;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  // Synchronous, so the file is complete whenever the process ends.
  appendFileSync(logFile, `${result.url}\n`);
  return result;
}
