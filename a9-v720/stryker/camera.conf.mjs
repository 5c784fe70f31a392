import { mutationGroup } from './group.mjs';

// The camera side's pure parts: the camera registry (state and its events, clock injected), what
// cameras are told about us, the user's camera name and the motion settings; with them the
// rate-limited log its servers use against junk from the LAN. Sessions and servers are left to
// their behaviour tests.
export default mutationGroup(
  'camera',
  [
    'src/camera/camera-facing.ts',
    'src/camera/camera-name.ts',
    'src/camera/motion-settings.ts',
    'src/camera/registry.ts',
    'src/util/rate-limited-log.ts',
  ],
  [
    'test/camera/camera-facing.test.ts',
    'test/camera/camera-name.test.ts',
    'test/camera/motion-settings.test.ts',
    'test/camera/registry-rules.test.ts',
    'test/camera/registry.test.ts',
    'test/core/rate-limited-log.test.ts',
  ],
);
