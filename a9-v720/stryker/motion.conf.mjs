import { mutationGroup } from './group.mjs';

// Motion detection: the pure analyser against its unit tests, the decoder wrapper and the
// monitor (one hub consumer per camera) against theirs, which decode real JPEGs with sharp.
export default mutationGroup(
  'motion',
  ['src/media/motion/motion-analyser.ts', 'src/media/motion/grey-image.ts', 'src/media/motion/motion-monitor.ts'],
  [
    'test/media/motion-analyser-exact.test.ts',
    'test/media/motion-analyser.test.ts',
    'test/media/motion-jpeg.test.ts',
    'test/media/motion-monitor-rules.test.ts',
    'test/media/motion-monitor.test.ts',
    'test/media/grey-image.test.ts',
  ],
);
