import { mutationGroup } from './group.mjs';

// Pairing without the vendor app, pure parts: the helper download's checks and Python literals,
// and the simulated access-point camera's decisions. The socket side is left to the e2e tests.
export default mutationGroup(
  'pairing',
  ['src/web/pairing-helper-file.ts', 'src/simulator/ap-exchange.ts'],
  ['test/pairing/pairing-helper-file.test.ts', 'test/pairing/ap-exchange.test.ts'],
);
