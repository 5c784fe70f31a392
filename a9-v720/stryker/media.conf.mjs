import { mutationGroup } from './group.mjs';

// media-hub.ts (timers, camera lifecycle) is left to its behaviour tests; these are the codecs
// and the per-viewer write path.
export default mutationGroup(
  'media',
  [
    'src/media/alaw.ts',
    'src/media/wav.ts',
    'src/media/mjpeg.ts',
    'src/media/latest-wins-writer.ts',
    'src/media/live-response.ts',
    'src/media/wav-stream.ts',
  ],
  ['test/media/wav.test.ts', 'test/media/latest-wins-writer.test.ts', 'test/media/live-response.test.ts', 'test/media/mjpeg.test.ts'],
);
