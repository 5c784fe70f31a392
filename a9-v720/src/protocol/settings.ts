/**
 * The camera settings a user may change, described once (docs/protocol.md §4). Everything else is
 * derived from this table: the command type (`SettingCommand`), the web API's validation, the
 * Home Assistant entities, the dashboard's controls (served as JSON by /api/settings), the
 * simulator's echo and which forward echoes carry device state. Adding a setting is one row.
 * Pure data and types: no I/O.
 */

/** One allowed value of a setting and what people call it (HA select option, dashboard label). */
export interface SettingValue<V extends number = number> {
  readonly value: V;
  readonly label: string;
}

interface SettingBase {
  /** The 301 forward's content code. */
  readonly code: number;
  /** The JSON field in the command, the echo and the 301/4 base info. */
  readonly field: string;
  /** Stable key: HA entity key (`a9v720_<device>_<key>`, topics) and dashboard control. */
  readonly key: string;
  /** What the user sees, without the camera's name. */
  readonly name: string;
  /** Whether the camera reports the value in its base info (and so in the echo, as state). */
  readonly reported: boolean;
  /** Material Design icon for Home Assistant. */
  readonly icon?: string;
  /** HA device_class (e.g. `restart` for a button). */
  readonly deviceClass?: string;
  /**
   * Values a camera may report but that are never sent (their effect as a command is unknown).
   * They have a label for display; HA shows them as unknown, the API refuses them.
   */
  readonly reportedOnly?: readonly SettingValue[];
}

/** Two values: off, then on. HA shows a switch (OFF/ON), the dashboard a toggle. */
export interface SwitchSetting extends SettingBase {
  readonly platform: 'switch';
  readonly values: readonly [SettingValue<0>, SettingValue<1>];
}

/** A choice of values. HA shows a select whose options are the labels, the dashboard a menu. */
export interface SelectSetting extends SettingBase {
  readonly platform: 'select';
  readonly values: readonly SettingValue[];
}

/** An action with one value. HA shows a button (PRESS); the dashboard has its own button for it. */
export interface ButtonSetting extends SettingBase {
  readonly platform: 'button';
  readonly values: readonly [SettingValue];
}

export type SettingSpec = SwitchSetting | SelectSetting | ButtonSetting;

const OFF_ON = [
  { value: 0, label: 'off' },
  { value: 1, label: 'on' },
] as const;

export const CAMERA_SETTINGS = [
  {
    code: 202,
    field: 'IrLed',
    key: 'ir_led',
    name: 'IR LED',
    platform: 'switch',
    values: OFF_ON,
    // Some units report 2 = auto (docs/protocol.md §4); what sending it does is unknown.
    reportedOnly: [{ value: 2, label: 'auto' }],
    reported: true,
    icon: 'mdi:weather-night',
  },
  {
    code: 210,
    field: 'instLed',
    key: 'status_led',
    name: 'Status LED',
    platform: 'switch',
    values: OFF_ON,
    reported: true,
    icon: 'mdi:led-on',
  },
  {
    code: 216,
    field: 'mirrorFlip',
    key: 'orientation',
    name: 'Image orientation',
    platform: 'select',
    // 1 has no known meaning (docs/protocol.md §4); it is not offered.
    values: [
      { value: 0, label: 'normal' },
      { value: 2, label: 'mirror' },
      { value: 3, label: 'flip' },
      { value: 4, label: 'rotate 180' },
    ],
    reported: true,
    icon: 'mdi:flip-horizontal',
  },
  {
    code: 201,
    field: 'speedGrade',
    key: 'video_quality',
    name: 'Video quality',
    platform: 'select',
    // The vendor app sets it with "setDeviceVideoHD"; cameras report 1. Which grade is HD on
    // which model is not verified, so the labels say only the grade.
    values: [
      { value: 0, label: 'grade 0' },
      { value: 1, label: 'grade 1' },
    ],
    reported: true,
    icon: 'mdi:high-definition',
  },
  {
    code: 205,
    field: 'moveAlert',
    key: 'motion_alert',
    // The camera's own alarm, not the add-on's motion detection (motion_detection).
    name: 'Camera motion alarm',
    platform: 'switch',
    values: OFF_ON,
    reported: true,
    icon: 'mdi:motion-sensor',
  },
  {
    code: 299,
    field: 'reboot',
    key: 'restart',
    name: 'Restart',
    platform: 'button',
    values: [{ value: 1, label: 'restart' }],
    reported: false,
    deviceClass: 'restart',
  },
] as const satisfies readonly SettingSpec[];

type Row = (typeof CAMERA_SETTINGS)[number];
type CommandOf<R extends Row> = R extends Row
  ? { readonly code: R['code'] } & { readonly [F in R['field']]: R['values'][number]['value'] }
  : never;

/** A setting command as sent in a 301 forward, e.g. `{ code: 202, IrLed: 2 }`. */
export type SettingCommand = CommandOf<Row>;

/** The rows as plain specs (for code that walks the table without caring which row it is). */
export const SETTING_SPECS: readonly SettingSpec[] = CAMERA_SETTINGS;

/** The reboot row: its echo may never come (the camera drops the connection), which is success. */
export const REBOOT_CODE = 299 satisfies Row['code'];

const BY_CODE: ReadonlyMap<number, SettingSpec> = new Map(SETTING_SPECS.map((spec) => [spec.code, spec]));
const BY_FIELD: ReadonlyMap<string, SettingSpec> = new Map(SETTING_SPECS.map((spec) => [spec.field, spec]));

export function settingByCode(code: number): SettingSpec | undefined {
  return BY_CODE.get(code);
}

export function settingByField(field: string): SettingSpec | undefined {
  return BY_FIELD.get(field);
}

/**
 * The one constructor of commands: `value` must be one of the row's values. The table guarantees
 * the result matches `SettingCommand`; the cast is where the row-generic code meets that type.
 */
export function settingCommand(spec: SettingSpec, value: number): SettingCommand | undefined {
  if (!spec.values.some((allowed) => allowed.value === value)) return undefined;
  return { code: spec.code, [spec.field]: value } as unknown as SettingCommand;
}

/** Content codes whose forward echo carries device state worth merging into base info. */
export const STATE_REPORTING_CODES: ReadonlySet<number> = new Set(SETTING_SPECS.filter((spec) => spec.reported).map((spec) => spec.code));
