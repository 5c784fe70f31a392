/**
 * The one rule for a camera's device id, used wherever an id comes in from outside: HTTP
 * bootstrap, TCP registration, UDP probe, web API and MQTT command topics. Real ids are 12
 * alphanumeric characters (`0800c00128F8`, `56000b00054B`); the bounds leave room for other
 * firmware without letting a sender pick ids that are long, or unsafe in a topic, path or log.
 */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9]{4,32}$/;

export function isDeviceId(value: unknown): value is string {
  return typeof value === 'string' && DEVICE_ID_PATTERN.test(value);
}

/** For error messages: what an id must look like. */
export const DEVICE_ID_RULE = '4 to 32 letters and digits';
