import { mutationGroup } from './group.mjs';

// Pairing without the vendor app, pure parts: the helper download's checks and Python literals,
// and the simulated access-point camera's decisions. The socket side is left to the e2e tests.
// The literal test runs python3 once per test file run: on a busy machine that outlasts the
// default 4 s timeout, and a killed mutant would be reported as a timeout instead.
export default {
  ...mutationGroup(
    'pairing',
    ['src/web/pairing-helper-file.ts', 'src/simulator/ap-exchange.ts'],
    ['test/pairing/pairing-helper-file.test.ts', 'test/pairing/ap-exchange.test.ts'],
  ),
  timeoutMS: 20_000,
};
