import { describe, expect, it } from '@jest/globals';
import type { KubeObject, WatchEvent } from '@kubecache/apimachinery';
import { firstValueFrom, take, toArray } from 'rxjs';
import { FakeControllerSource } from './fake-source.js';

const obj = (name: string): KubeObject => ({ metadata: { namespace: 'ns', name } });

function collect(source: FakeControllerSource, rv: string): WatchEvent[] {
  const events: WatchEvent[] = [];
  source.watch({ resourceVersion: rv }).subscribe((e) => events.push(e));
  return events;
}

describe('FakeControllerSource', () => {
  it('stamps a growing resource version on each change and lists the current state', async () => {
    const source = new FakeControllerSource();
    const a = source.add(obj('a'));
    source.add(obj('b'));
    source.delete(a);
    expect(a.metadata?.resourceVersion).toBe('1');
    const list = await source.list({});
    expect(list.metadata.resourceVersion).toBe('3');
    expect(list.items.map((o) => o.metadata?.name)).toEqual(['b']);
  });

  it('pages lists with continue tokens', async () => {
    const source = new FakeControllerSource();
    for (const n of ['a', 'b', 'c']) source.add(obj(n));
    const first = await source.list({ limit: 2 });
    const second = await source.list({ limit: 2, continue: first.metadata.continue });
    expect([...first.items, ...second.items].map((o) => o.metadata?.name)).toEqual(['a', 'b', 'c']);
    expect(second.metadata.continue).toBeUndefined();
  });

  it('replays the history after the watched RV, then streams live changes', () => {
    const source = new FakeControllerSource();
    source.add(obj('a'));
    source.add(obj('b'));
    const events = collect(source, '1');
    source.modify(obj('b'));
    expect(events.map((e) => `${e.type} ${e.object.metadata?.resourceVersion}`)).toEqual(['ADDED 2', 'MODIFIED 3']);
  });

  it('does not tell open watches about DropWatch changes, but replays them to new watches', () => {
    const source = new FakeControllerSource();
    source.add(obj('a'));
    const open = collect(source, '1');
    source.addDropWatch(obj('b'));
    expect(open).toEqual([]);
    expect(collect(source, '1').map((e) => e.type)).toEqual(['ADDED']);
  });

  it('closes watches on resetWatch and answers older versions with a 410 ERROR event', async () => {
    const source = new FakeControllerSource();
    source.add(obj('a'));
    let completed = false;
    source.watch({ resourceVersion: '1' }).subscribe({ complete: () => (completed = true) });
    source.add(obj('b'));
    source.resetWatch();
    expect(completed).toBe(true);
    expect(source.openWatches()).toBe(0);
    const [event] = collect(source, '1');
    expect(event?.type === 'ERROR' && event.object.code).toBe(410);
    expect(collect(source, '2')).toEqual([]);
  });

  it('sends the current state then an initial-events-end bookmark for sendInitialEvents', async () => {
    const source = new FakeControllerSource();
    source.add(obj('a'));
    const events = await firstValueFrom(source.watch({ sendInitialEvents: true }).pipe(take(2), toArray()));
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect((events[1]?.object as KubeObject | undefined)?.metadata?.annotations).toEqual({
      'k8s.io/initial-events-end': 'true',
    });
  });

  it('fails the next list or watch with a queued error', async () => {
    const source = new FakeControllerSource();
    source.failNextList(new Error('list down'));
    source.failNextWatch(new Error('watch down'));
    await expect(source.list({})).rejects.toThrow('list down');
    await expect(firstValueFrom(source.watch({ resourceVersion: '0' }))).rejects.toThrow('watch down');
    expect(source.listCalls).toHaveLength(1);
    expect(source.watchCalls).toHaveLength(1);
  });
});

describe('FakeControllerSource at resource version 0', () => {
  it('#14 FakeControllerSource replays history from "0", as client-go\'s fake does', async () => {
    const source = new FakeControllerSource();
    const list = await source.list({});
    expect(list.metadata.resourceVersion).toBe('0');
    const a = source.addDropWatch(obj('a'));
    source.deleteDropWatch(a);
    const events = collect(source, list.metadata.resourceVersion ?? '');
    expect(
      events.map((e) => `${e.type} ${(e.object as KubeObject).metadata?.name}@${e.object.metadata?.resourceVersion}`),
    ).toEqual(['ADDED a@1', 'DELETED a@2']);
    source.closeWatches();
  });
});
