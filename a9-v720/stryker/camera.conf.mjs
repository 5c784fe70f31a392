import { mutationGroup } from './group.mjs';

// The camera side's pure parts: what cameras are told about us, the user's camera name and the
// motion settings. Sessions, servers and the registry are left to their behaviour tests.
export default mutationGroup(
  'camera',
  ['src/camera/camera-facing.ts', 'src/camera/camera-name.ts', 'src/camera/motion-settings.ts'],
  ['test/camera/camera-facing.test.ts', 'test/camera/camera-name.test.ts', 'test/camera/motion-settings.test.ts'],
);
