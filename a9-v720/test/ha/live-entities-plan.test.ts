/** The live entities' decisions, without I/O (src/ha/live-entities-plan.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  afterAlreadyConfigured,
  afterCreated,
  afterDeleted,
  entityState,
  entryTitle,
  parseStateFile,
  planPass,
  requestEntry,
  STATE_FILE_VERSION,
  stateFileText,
  targetOf,
  type PassInput,
  type RememberedEntries,
} from '../../src/ha/live-entities-plan.js';

const T = targetOf('local-a9-v720', 'abcd');
const OLD = targetOf('old-host', 'abcd');
const cam = (id: string, title = id, online = true) => ({ id, title, online });
const pass = (input: Partial<PassInput>) =>
  planPass({ cameras: [], remembered: {}, target: T, entries: undefined, automatic: true, ...input });

describe('planPass', () => {
  it('creates an entry for each camera without a record when automatic, in camera order', () => {
    const plan = pass({ cameras: [cam('CAM1', 'Garden'), cam('CAM2')] });
    assert.deepEqual(plan.actions, [
      { kind: 'create', cameraId: 'CAM1', title: 'Garden' },
      { kind: 'create', cameraId: 'CAM2', title: 'CAM2' },
    ]);
    assert.deepEqual(plan.remembered, {});
    assert.deepEqual(plan.deletedByUser, []);
  });

  it('creates nothing by itself with the option off, but still makes wanted entries', () => {
    const plan = pass({ cameras: [cam('CAM1'), cam('CAM2')], automatic: false, remembered: { CAM2: { status: 'wanted' } } });
    assert.deepEqual(plan.actions, [{ kind: 'create', cameraId: 'CAM2', title: 'CAM2' }]);
  });

  it('never creates a second entry for a camera that has one, with or without the list', () => {
    const remembered: RememberedEntries = { CAM1: { status: 'created', entryId: 'E1', target: T } };
    assert.deepEqual(pass({ cameras: [cam('CAM1')], remembered }).actions, []);
    const withList = pass({ cameras: [cam('CAM1')], remembered, entries: [{ entryId: 'E1', title: 'CAM1' }] });
    assert.deepEqual(withList.actions, []);
    assert.equal(withList.remembered, withList.remembered);
    assert.deepEqual(withList.remembered, remembered);
  });

  it("an entry missing from HA's list was deleted by the user: remembered as deleted, not re-created", () => {
    const remembered: RememberedEntries = { CAM1: { status: 'created', entryId: 'E1', target: T } };
    const plan = pass({ cameras: [cam('CAM1')], remembered, entries: [{ entryId: 'OTHER', title: 'x' }] });
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(plan.remembered, { CAM1: { status: 'deleted' } });
    assert.deepEqual(plan.deletedByUser, ['CAM1']);
    assert.deepEqual(remembered, { CAM1: { status: 'created', entryId: 'E1', target: T } }, 'the input is not changed');
  });

  it('without the list nothing is judged deleted', () => {
    const remembered: RememberedEntries = { CAM1: { status: 'created', entryId: 'E1', target: OLD } };
    const plan = pass({ cameras: [cam('CAM1')], remembered });
    assert.deepEqual(plan.actions, [], 'a replacement waits for a pass that looked at the list');
    assert.equal(plan.needsList, true, 'and asks for one');
    assert.deepEqual(plan.deletedByUser, []);
    assert.deepEqual(plan.remembered, remembered);
  });

  it('asks for the list only for an online camera whose entry was made for other URLs', () => {
    const current: RememberedEntries = { CAM1: { status: 'created', entryId: 'E1', target: T } };
    const stale: RememberedEntries = { CAM1: { status: 'created', entryId: 'E1', target: OLD } };
    assert.equal(pass({ cameras: [cam('CAM1')], remembered: current }).needsList, false, 'current target');
    assert.equal(pass({ cameras: [cam('CAM1', 'CAM1', false)], remembered: stale }).needsList, false, 'offline');
    assert.equal(
      pass({ cameras: [cam('CAM1')], remembered: stale, entries: [{ entryId: 'E1', title: '' }] }).needsList,
      false,
      'has the list',
    );
    assert.equal(pass({ cameras: [cam('CAM0'), cam('CAM1')], remembered: stale }).needsList, true, 'any such camera');
    assert.equal(
      pass({ cameras: [cam('CAM1'), cam('CAM2')], remembered: { ...stale, CAM2: { status: 'created', entryId: 'E2', target: T } } })
        .needsList,
      true,
      'stays true after a current one',
    );
    assert.equal(pass({ cameras: [cam('CAM1')], remembered: { CAM1: { status: 'deleted' } } }).needsList, false, 'not for other records');
    assert.equal(pass({ cameras: [], remembered: stale }).needsList, false, 'not for forgotten cameras');
  });

  it('deleted and external records stay as they are, automatic or not', () => {
    const remembered: RememberedEntries = { CAM1: { status: 'deleted' }, CAM2: { status: 'external' } };
    for (const automatic of [true, false]) {
      const plan = pass({ cameras: [cam('CAM1'), cam('CAM2')], remembered, automatic, entries: [] });
      assert.deepEqual(plan.actions, []);
      assert.deepEqual(plan.remembered, remembered);
      assert.deepEqual(plan.deletedByUser, []);
    }
  });

  it('an entry for another hostname or media key is replaced: delete (then wanted) right before create', () => {
    const remembered: RememberedEntries = { CAM1: { status: 'created', entryId: 'E1', target: OLD } };
    const plan = pass({ cameras: [cam('CAM1', 'Garden')], remembered, entries: [{ entryId: 'E1', title: 'Garden' }], automatic: false });
    assert.deepEqual(plan.actions, [
      { kind: 'delete', cameraId: 'CAM1', entryId: 'E1', then: 'wanted' },
      { kind: 'create', cameraId: 'CAM1', title: 'Garden' },
    ]);
  });

  it('a replaced entry the user had deleted stays deleted', () => {
    const remembered: RememberedEntries = { CAM1: { status: 'created', entryId: 'E1', target: OLD } };
    const plan = pass({ cameras: [cam('CAM1')], remembered, entries: [] });
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(plan.remembered, { CAM1: { status: 'deleted' } });
  });

  it("a forgotten camera's entry is deleted (then forgotten); other records of forgotten cameras are dropped", () => {
    const remembered: RememberedEntries = {
      GONE1: { status: 'created', entryId: 'E1', target: T },
      GONE2: { status: 'deleted' },
      GONE3: { status: 'wanted' },
      GONE4: { status: 'external' },
      STAY: { status: 'created', entryId: 'E5', target: T },
    };
    const plan = pass({ cameras: [cam('STAY')], remembered });
    assert.deepEqual(plan.actions, [{ kind: 'delete', cameraId: 'GONE1', entryId: 'E1', then: 'forget' }]);
    assert.deepEqual(plan.remembered, { GONE1: remembered['GONE1'], STAY: remembered['STAY'] }, 'GONE1 stays until HA confirms');
  });

  it('a forgotten camera whose entry HA no longer has is just forgotten', () => {
    const remembered: RememberedEntries = { GONE: { status: 'created', entryId: 'E1', target: T } };
    const plan = pass({ remembered, entries: [] });
    assert.deepEqual(plan.actions, []);
    assert.deepEqual(plan.remembered, {});
    assert.deepEqual(plan.deletedByUser, []);
    const listed = pass({ remembered, entries: [{ entryId: 'E1', title: 'GONE' }] });
    assert.deepEqual(listed.actions, [{ kind: 'delete', cameraId: 'GONE', entryId: 'E1', then: 'forget' }]);
  });
});

describe('offline cameras', () => {
  it('get no entry until they are online (HA opens the stream first), but their deletions are still seen', () => {
    const offline = (id: string) => cam(id, id, false);
    assert.deepEqual(pass({ cameras: [offline('CAM1')] }).actions, [], 'automatic');
    assert.deepEqual(pass({ cameras: [offline('CAM1')], remembered: { CAM1: { status: 'wanted' } } }).actions, [], 'wanted');
    const stale: RememberedEntries = { CAM1: { status: 'created', entryId: 'E1', target: OLD } };
    assert.deepEqual(
      pass({ cameras: [offline('CAM1')], remembered: stale, entries: [{ entryId: 'E1', title: 'CAM1' }] }).actions,
      [],
      'replacement',
    );
    const gone = pass({ cameras: [offline('CAM1')], remembered: stale, entries: [] });
    assert.deepEqual(gone.remembered, { CAM1: { status: 'deleted' } });
    assert.deepEqual(gone.deletedByUser, ['CAM1']);
  });
});

describe('after an answer', () => {
  it('afterCreated remembers the entry and its target; afterDeleted forgets or wants again', () => {
    const created = afterCreated({ A: { status: 'deleted' } }, 'B', 'E2', T);
    assert.deepEqual(created, { A: { status: 'deleted' }, B: { status: 'created', entryId: 'E2', target: T } });
    assert.deepEqual(afterDeleted(created, 'B', 'forget'), { A: { status: 'deleted' } });
    assert.deepEqual(afterDeleted(created, 'B', 'wanted'), { A: { status: 'deleted' }, B: { status: 'wanted' } });
    assert.deepEqual(created['B'], { status: 'created', entryId: 'E2', target: T }, 'inputs stay unchanged');
  });

  it('already_configured adopts the one unclaimed entry with the title, else leaves it external', () => {
    const entries = [
      { entryId: 'E1', title: 'Garden' },
      { entryId: 'E2', title: 'Garden' },
      { entryId: 'E3', title: 'Porch' },
    ];
    const claimed: RememberedEntries = { OTHER: { status: 'created', entryId: 'E1', target: T } };
    assert.deepEqual(afterAlreadyConfigured(claimed, 'CAM', 'Garden', entries, T)['CAM'], { status: 'created', entryId: 'E2', target: T });
    assert.deepEqual(afterAlreadyConfigured({}, 'CAM', 'Garden', entries, T)['CAM'], { status: 'external' }, 'two candidates');
    assert.deepEqual(afterAlreadyConfigured({}, 'CAM', 'Hall', entries, T)['CAM'], { status: 'external' }, 'no candidate');
    assert.deepEqual(afterAlreadyConfigured({}, 'CAM', 'Porch', entries, T)['CAM'], { status: 'created', entryId: 'E3', target: T });
    const own: RememberedEntries = { CAM: { status: 'created', entryId: 'E3', target: OLD } };
    assert.deepEqual(
      afterAlreadyConfigured(own, 'CAM', 'Porch', entries, T)['CAM'],
      { status: 'created', entryId: 'E3', target: T },
      'its own old record claims nothing',
    );
    const wanted: RememberedEntries = { OTHER: { status: 'wanted' } };
    assert.deepEqual(
      afterAlreadyConfigured(wanted, 'CAM', 'Porch', entries, T)['CAM'],
      { status: 'created', entryId: 'E3', target: T },
      'only created records claim',
    );
  });

  it('requestEntry: nothing to do when our current entry is in HA; wanted otherwise', () => {
    const entries = [{ entryId: 'E1', title: 'x' }];
    const present: RememberedEntries = { CAM: { status: 'created', entryId: 'E1', target: T } };
    assert.equal(requestEntry(present, 'CAM', entries, T), present);
    assert.deepEqual(requestEntry(present, 'CAM', [], T), { CAM: { status: 'wanted' } }, 'deleted in HA meanwhile');
    assert.deepEqual(
      requestEntry(present, 'CAM', [{ entryId: 'E2', title: 'x' }], T),
      { CAM: { status: 'wanted' } },
      'only other entries in HA',
    );
    assert.deepEqual(requestEntry(present, 'CAM', entries, OLD), { CAM: { status: 'wanted' } }, 'made for old URLs');
    for (const status of ['deleted', 'external', 'wanted'] as const) {
      assert.deepEqual(requestEntry({ CAM: { status } }, 'CAM', entries, T), { CAM: { status: 'wanted' } });
    }
    assert.deepEqual(requestEntry({}, 'CAM', entries, T), { CAM: { status: 'wanted' } });
  });
});

describe('small pieces', () => {
  it('titles, targets and what the panel shows', () => {
    assert.equal(entryTitle('CAM1', 'Garden'), 'Garden');
    assert.equal(entryTitle('CAM1', undefined), 'CAM1');
    assert.equal(targetOf('h:1234', 'k'), 'h:1234|k');
    assert.notEqual(targetOf('h', 'k1'), targetOf('h', 'k2'));
    assert.equal(entityState(undefined, true), 'pending');
    assert.equal(entityState(undefined, false), 'off');
    assert.equal(entityState({ status: 'wanted' }, false), 'pending');
    assert.equal(entityState({ status: 'created', entryId: 'E', target: T }, true), 'created');
    assert.equal(entityState({ status: 'deleted' }, true), 'deleted');
    assert.equal(entityState({ status: 'external' }, false), 'external');
  });
});

describe('the state file', () => {
  const good: RememberedEntries = {
    CAM1: { status: 'created', entryId: '01JABCDEFGHJKMNPQRSTVWXYZ0', target: T },
    CAM2: { status: 'deleted' },
    CAM3: { status: 'external' },
    CAM4: { status: 'wanted' },
  };

  it('round-trips through its text', () => {
    const text = stateFileText(good);
    assert.ok(text.endsWith('}\n'), 'ends with a newline');
    assert.deepEqual(JSON.parse(text), { version: STATE_FILE_VERSION, cameras: good });
    assert.deepEqual(parseStateFile(JSON.parse(text), 64), { remembered: good, problems: [] });
  });

  it('refuses what is not its shape as a whole', () => {
    for (const json of [null, [], 'x', 3]) assert.deepEqual(parseStateFile(json, 64), { remembered: {}, problems: ['not a JSON object'] });
    assert.deepEqual(parseStateFile({ version: 2, cameras: {} }, 64), { remembered: {}, problems: ['unknown version 2'] });
    assert.deepEqual(parseStateFile({ cameras: {} }, 64).problems, ['unknown version undefined']);
    for (const cameras of [null, [], 'x', undefined]) {
      assert.deepEqual(parseStateFile({ version: 1, cameras }, 64), { remembered: {}, problems: ['no "cameras" object'] });
    }
  });

  it('drops bad records one by one, keeping the rest', () => {
    const parsed = parseStateFile(
      {
        version: 1,
        cameras: {
          CAM1: good['CAM1'],
          'bad id!': { status: 'deleted' },
          ['X'.repeat(50)]: { status: 'deleted' },
          CAM5: { status: 'created', entryId: 'has space', target: T },
          CAM6: { status: 'created', entryId: 'E6' },
          CAM7: { status: 'created', target: T },
          CAM8: { status: 'gone' },
          CAM9: 'deleted',
          CAMA: null,
          CAMB: ['deleted'],
          CAMC: { status: 'created', entryId: 'E', target: 'x'.repeat(301) },
          CAMD: { status: 'created', entryId: 'E'.repeat(65), target: T },
          CAME: { status: 'created', entryId: 'E'.repeat(64), target: 'x'.repeat(300) },
          CAMF: { status: 'created', entryId: '', target: T },
        },
      },
      64,
    );
    assert.deepEqual(parsed.remembered, {
      CAM1: good['CAM1'],
      CAME: { status: 'created', entryId: 'E'.repeat(64), target: 'x'.repeat(300) },
    });
    assert.deepEqual(parsed.problems, [
      'camera id "bad id!" is not a device id',
      `camera id "${'X'.repeat(40)}" is not a device id`,
      'camera CAM5: no usable entryId',
      'camera CAM6: no usable target',
      'camera CAM7: no usable entryId',
      'camera CAM8: unknown status "gone"',
      'camera CAM9: not an object',
      'camera CAMA: not an object',
      'camera CAMB: not an object',
      'camera CAMC: no usable target',
      'camera CAMD: no usable entryId',
      'camera CAMF: no usable entryId',
    ]);
  });

  it('keeps at most max cameras (max_cameras), saying which were dropped', () => {
    const cameras = Object.fromEntries(['CAM1', 'CAM2', 'CAM3'].map((id) => [id, { status: 'deleted' }]));
    const parsed = parseStateFile({ version: 1, cameras }, 2);
    assert.deepEqual(Object.keys(parsed.remembered), ['CAM1', 'CAM2']);
    assert.deepEqual(parsed.problems, ['camera CAM3: more than 2 cameras (max_cameras)']);
    const withBad = parseStateFile({ version: 1, cameras: { 'b-d': {}, ...cameras } }, 3);
    assert.deepEqual(Object.keys(withBad.remembered), ['CAM1', 'CAM2', 'CAM3'], 'a dropped record does not count');
    const ids = ['ABCD', 'A'.repeat(32)];
    assert.deepEqual(
      Object.keys(parseStateFile({ version: 1, cameras: Object.fromEntries(ids.map((id) => [id, { status: 'wanted' }])) }, 9).remembered),
      ids,
    );
    assert.deepEqual(
      parseStateFile({ version: 1, cameras: { ABC: { status: 'wanted' }, ['A'.repeat(33)]: { status: 'wanted' } } }, 9).remembered,
      {},
    );
  });
});
