// MissionService.onChangedElsewhere: notices of saves another instance made reach listeners as
// hints to re-read; the echo of this process's own save (its listeners already heard it, with
// the mission) does not, and "notices were missed" always does. No database: the port is a fake.
import { describe, expect, it } from 'vitest';
import { deterministicBriefDrafter } from '../../src/domain/deterministicBriefDrafter.js';
import { ANYTHING_MAY_HAVE_CHANGED, type MissionChangeListener, type MissionChangeNotice, type MissionChanges } from '../../src/domain/missionChanges.js';
import { MissionService } from '../../src/domain/missionService.js';
import { InMemoryMissionRepository } from '../support/inMemoryMissionRepository.js';
import { JORDAN } from '../support/seedMission.js';
import { sequentialIds, TestClock } from '../support/testRuntime.js';

class FakeChanges implements MissionChanges {
  readonly listeners = new Set<MissionChangeListener>();
  subscribe(listener: MissionChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  announce(notice: MissionChangeNotice): void {
    for (const listener of this.listeners) listener(notice);
  }
}

function serviceWith(changes: MissionChanges | null): MissionService {
  return new MissionService({
    repository: new InMemoryMissionRepository(),
    clock: new TestClock(),
    ids: sequentialIds(),
    drafter: deterministicBriefDrafter,
    changes,
  });
}

describe('changes saved elsewhere', () => {
  it("tells listeners about other instances' saves and missed notices, not the echo of its own save", async () => {
    const changes = new FakeChanges();
    const service = serviceWith(changes);
    const heard: MissionChangeNotice[] = [];
    const stop = service.onChangedElsewhere((notice) => heard.push(notice));
    expect(service.hearsOtherInstances).toBe(true);

    const mission = await service.startMission({ intent: 'Fix the flaky checkout test' }, JORDAN);
    changes.announce({ missionId: mission.id, version: mission.version });
    expect(heard).toEqual([]);

    const later = { missionId: mission.id, version: mission.version + 1 };
    changes.announce(later);
    changes.announce({ missionId: 'msn_elsewhere', version: 1 });
    changes.announce(ANYTHING_MAY_HAVE_CHANGED);
    expect(heard).toEqual([later, { missionId: 'msn_elsewhere', version: 1 }, ANYTHING_MAY_HAVE_CHANGED]);

    stop();
    changes.announce(later);
    expect(heard).toHaveLength(3);
  });

  it('without a changes port (SQLite) nothing is ever heard and callers know to poll', () => {
    const service = serviceWith(null);
    expect(service.hearsOtherInstances).toBe(false);
    expect(() => service.onChangedElsewhere(() => undefined)()).not.toThrow();
  });
});
