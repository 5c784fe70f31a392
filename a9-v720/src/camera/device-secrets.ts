/**
 * The per-device `pwd` handed out in the HTTP bootstrap and echoed back as `token` at TCP
 * registration. Derived from one random secret kept in the data dir, so it is stable across
 * restarts without storing a password per camera.
 *
 * Why it is bound to the address that asked: the protocol has no real authentication. The
 * bootstrap answers anyone who names an id, so a pwd per id alone would hand a stranger the
 * very token the real camera presents. Bound to (id, requesting IP), the pwd a stranger gets is
 * worthless from any other address, and `tokenOk` at registration means "this connection comes
 * from the address that bootstrapped with us". Identity itself rests on the TCP session: a
 * healthy session is never replaced from another address, whatever token is shown (see the
 * control server); the token only tells a camera that bootstrapped here from one that kept a pwd
 * from the vendor cloud or another install, which must still be accepted.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { StartupError } from '../errors.js';
import { errorMessage } from '../util/error-message.js';

export class DeviceSecrets {
  private constructor(private readonly secret: Buffer) {}

  static load(dataDir: string, logger: Logger): DeviceSecrets {
    const file = path.join(dataDir, 'secret.key');
    try {
      const hex = readFileSync(file, 'utf8').trim();
      if (/^[0-9a-f]{64}$/.test(hex)) return new DeviceSecrets(Buffer.from(hex, 'hex'));
      logger.warn({ file }, `device secret file ${file} is malformed; creating a new one (cameras get new pwds)`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EISDIR')
        throw new StartupError(`${file} is a directory; remove or rename it so the add-on can keep its device secret there`);
      if (code !== 'ENOENT') {
        logger.warn({ file, err: errorMessage(error) }, `cannot read device secret file ${file}; creating a new one`);
      }
    }
    const secret = randomBytes(32);
    try {
      mkdirSync(dataDir, { recursive: true });
      writeFileAtomic(file, secret.toString('hex') + '\n');
    } catch (error) {
      throw new StartupError(`cannot write the device secret ${file}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`);
    }
    return new DeviceSecrets(secret);
  }

  static fromSecret(secret: Buffer): DeviceSecrets {
    return new DeviceSecrets(secret);
  }

  /** 8 lowercase hex chars, like the vendor cloud's pwd, for `deviceId` asking from `ip`. */
  pwdFor(deviceId: string, ip: string): string {
    return createHmac('sha256', this.secret).update(`${deviceId}\n${ip}`).digest('hex').slice(0, 8);
  }
}
