import { mutationGroup } from './group.mjs';

// The setup view's pure diagnosis: DNS answers, port mapping and camera journeys → rows and
// problems in plain words. The monitor, the DNS lookups and the journey book are left to their
// behaviour tests (real sockets, a fake DNS server, the simulator).
export default mutationGroup('setup', ['src/camera/setup/diagnosis.ts'], ['test/camera/setup-diagnosis.test.ts']);
