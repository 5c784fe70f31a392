/**
 * Errors shared by camera/, media/, web/ and ha/ (so none of them imports another for its errors).
 * StatusError and its kin are the web's own (like koa's `err.status`/`err.expose`); the camera
 * errors say only what happened to the camera, and the web's one error middleware
 * (web/error-responder.ts) decides which HTTP status that is. Routes only throw.
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

/** An error about one camera; its message is safe to show to a client. */
export abstract class CameraError extends Error {
  /** Extra fields for a client (e.g. a human reason beside the message). */
  readonly details: Readonly<Record<string, string>> | undefined;

  constructor(
    readonly cameraId: string,
    message: string,
    details?: Readonly<Record<string, string>>,
  ) {
    super(message);
    this.details = details;
  }
}

/** The camera is not known, or known but offline. */
export class CameraUnavailableError extends CameraError {
  override readonly name = 'CameraUnavailableError';

  constructor(
    cameraId: string,
    readonly reason: 'unknown' | 'offline',
  ) {
    super(cameraId, reason === 'unknown' ? `camera ${cameraId} is not known` : `camera ${cameraId} is offline`);
  }
}

/** The camera did not answer (an echo, a frame) in time. */
export class CameraTimeoutError extends CameraError {
  override readonly name = 'CameraTimeoutError';

  constructor(cameraId: string, what: string, details?: Readonly<Record<string, string>>) {
    super(cameraId, `camera ${cameraId}: ${what}`, details);
  }
}

/** The add-on cannot start (a port taken, a data file it cannot write): one line the user can act on. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
