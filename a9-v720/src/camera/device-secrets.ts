/**
 * The per-device `pwd` handed out in the HTTP bootstrap and echoed back as `token` at TCP
 * registration. Derived from one random secret kept in the data dir, so it is stable for a
 * device across restarts without storing a password per camera.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.js';
import { writeFileAtomic } from '../util/atomic-file.js';

export class DeviceSecrets {
  private constructor(private readonly secret: Buffer) {}

  static load(dataDir: string, logger: Logger): DeviceSecrets {
    const file = path.join(dataDir, 'secret.key');
    try {
      const hex = readFileSync(file, 'utf8').trim();
      if (/^[0-9a-f]{64}$/.test(hex)) return new DeviceSecrets(Buffer.from(hex, 'hex'));
      logger.warn({ file }, `device secret file ${file} is malformed; creating a new one (cameras get new pwds)`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger.warn({ file, err: (error as Error).message }, `cannot read device secret file ${file}; creating a new one`);
      }
    }
    const secret = randomBytes(32);
    mkdirSync(dataDir, { recursive: true });
    writeFileAtomic(file, secret.toString('hex') + '\n');
    return new DeviceSecrets(secret);
  }

  static fromSecret(secret: Buffer): DeviceSecrets {
    return new DeviceSecrets(secret);
  }

  /** 8 lowercase hex chars, like the vendor cloud's pwd. */
  pwdFor(deviceId: string): string {
    return createHmac('sha256', this.secret).update(deviceId).digest('hex').slice(0, 8);
  }
}
