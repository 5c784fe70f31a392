import { mutationGroup } from './group.mjs';

// The live camera entities' decisions (issue 20, item 1): what to create, delete, adopt or mark
// deleted, and the state file's parser. The Core API client and the lifecycle part are left to
// their tests against the Supervisor + HA Core stand-in (too slow to run per mutant).
export default mutationGroup('live', ['src/ha/live-entities-plan.ts'], ['test/ha/live-entities-plan.test.ts']);
