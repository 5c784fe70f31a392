/**
 * Errors that say what they mean for a client, shared by camera/, media/, web/ and ha/ (so none
 * of them imports another for its errors). Like koa's `err.status`/`err.expose`: the web's one
 * error middleware turns them into responses; routes only throw.
 */

/** An error with the HTTP status it stands for; its message is safe to show (`expose`). */
export abstract class StatusError extends Error {
  abstract readonly status: number;
  readonly expose: boolean = true;
  /** Extra fields for the JSON error body (e.g. a human reason beside the message). */
  readonly details: Readonly<Record<string, string>> | undefined;

  constructor(message: string, details?: Readonly<Record<string, string>>) {
    super(message);
    this.details = details;
  }
}

/** A request the client must change: bad JSON, a value outside what is allowed. */
export class BadRequestError extends StatusError {
  override readonly name = 'BadRequestError';
  readonly status = 400;
}

/** The camera is not known (404) or known but offline (503). */
export class CameraUnavailableError extends StatusError {
  override readonly name = 'CameraUnavailableError';
  readonly status: 404 | 503;

  constructor(
    readonly cameraId: string,
    readonly reason: 'unknown' | 'offline',
  ) {
    super(reason === 'unknown' ? `camera ${cameraId} is not known` : `camera ${cameraId} is offline`);
    this.status = reason === 'unknown' ? 404 : 503;
  }
}

/** The camera did not answer (an echo, a frame) in time. */
export class CameraTimeoutError extends StatusError {
  override readonly name = 'CameraTimeoutError';
  readonly status = 504;

  constructor(
    readonly cameraId: string,
    what: string,
    details?: Readonly<Record<string, string>>,
  ) {
    super(`camera ${cameraId}: ${what}`, details);
  }
}
