// Loaded with `node --import tsx --import ./test/support/import-recorder.mjs …`: registers a
// module resolve hook that appends the URL of every module the process resolves (static and
// dynamic imports, the entry point) to the file named by A9_IMPORT_LOG, one per line.
import { register } from 'node:module';
import process from 'node:process';
import { URL } from 'node:url';

const logFile = process.env['A9_IMPORT_LOG'];
if (!logFile) throw new Error('import-recorder: set A9_IMPORT_LOG to the file to record resolved modules in');
register(new URL('./import-recorder-hooks.mjs', import.meta.url), { data: { logFile } });
