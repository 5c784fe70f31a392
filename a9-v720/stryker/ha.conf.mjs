import { mutationGroup } from './group.mjs';

// The pure HA layer: topic scheme, entity tables, discovery and state payloads. Its unit tests
// only; bridge.test.ts and supervisor.test.ts need a real mosquitto and are too slow to run per mutant.
export default mutationGroup(
  'ha',
  ['src/ha/topics.ts', 'src/ha/discovery.ts', 'src/ha/entities.ts', 'src/ha/state-publisher.ts'],
  ['test/ha/discovery.test.ts', 'test/ha/discovery-payloads.test.ts', 'test/ha/topics.test.ts', 'test/ha/state-publisher.test.ts'],
);
