/**
 * The per-install key LAN clients must add to media URLs (`?key=…`): with it a URL can be pasted
 * into HA's MJPEG integration or go2rtc; without it a LAN host gets 403, so a device on the LAN
 * cannot watch the cameras just by guessing an id. Kept in `<dataDir>/media.key`, created on the
 * first start with an exclusive create (two starts at once cannot write two keys). Delete the file
 * and restart to change the key.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.js';
import { StartupError } from '../errors.js';
import { errorMessage } from '../util/error-message.js';

const KEY_PATTERN = /^[0-9a-f]{32}$/;

export class MediaKey {
  private constructor(readonly value: string) {}

  static load(dataDir: string, logger: Logger): MediaKey {
    const file = path.join(dataDir, 'media.key');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const text = readFileSync(file, 'utf8').trim();
        if (KEY_PATTERN.test(text)) return new MediaKey(text);
        throw new StartupError(`${file} does not hold a media key (32 hex digits); delete it and restart to create a new one`);
      } catch (error) {
        if (error instanceof StartupError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EISDIR') throw new StartupError(`${file} is a directory; remove it so the add-on can create its media key there`);
        if (code !== 'ENOENT') throw new StartupError(`cannot read the media key ${file}: ${errorMessage(error)}`);
      }
      const key = randomBytes(16).toString('hex');
      try {
        writeFileSync(file, `${key}\n`, { flag: 'wx', mode: 0o600 });
        logger.info({ file }, `created the media key for LAN media URLs in ${file}`);
        return new MediaKey(key);
      } catch (error) {
        // Another start created it between our read and our create: read that one.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new StartupError(`cannot create the media key ${file}: ${errorMessage(error)}`);
        }
      }
    }
    throw new StartupError(`cannot read or create the media key ${file}`);
  }

  static fromValue(value: string): MediaKey {
    return new MediaKey(value);
  }

  /** Constant-time comparison with what a client presented. */
  matches(presented: unknown): boolean {
    if (typeof presented !== 'string' || presented.length !== this.value.length) return false;
    return timingSafeEqual(Buffer.from(presented), Buffer.from(this.value));
  }
}
