import { mutationGroup } from './group.mjs';

export default mutationGroup('protocol', ['src/protocol/**/*.ts'], ['test/protocol/*.test.ts']);
