import { describe, expect, it } from '@jest/globals';
import { strategicMerge } from './strategic-merge.js';

const containers = (...c: object[]) => ({ spec: { containers: c } });

describe('strategicMerge', () => {
  it('merges list items by their merge key and keeps the fields the patch does not name', () => {
    const target = containers({ name: 'a', image: 'x', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'y' });
    expect(strategicMerge(target, containers({ name: 'a', image: 'z' }))).toEqual(
      containers({ name: 'a', image: 'z', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'y' }),
    );
  });

  it('appends items with new keys and deletes items marked $patch: delete', () => {
    const target = containers({ name: 'a' }, { name: 'b' });
    expect(strategicMerge(target, containers({ name: 'b', $patch: 'delete' }, { name: 'c' }))).toEqual(
      containers({ name: 'a' }, { name: 'c' }),
    );
  });

  it('orders merged items by $setElementOrder', () => {
    const patch = {
      spec: {
        $setElementOrder: undefined,
        '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }],
        containers: [{ name: 'a', image: 'n' }],
      },
    };
    expect(strategicMerge(containers({ name: 'a' }, { name: 'b' }), patch)).toEqual(
      containers({ name: 'b' }, { name: 'a', image: 'n' }),
    );
  });

  it('deletes keys set to null, replaces maps marked $patch: replace and lists without a merge key', () => {
    const target = {
      metadata: { labels: { a: '1', b: '2' } },
      spec: { args: ['x', 'y'], selector: { a: '1', b: '2' } },
    };
    const patch = { metadata: { labels: { a: null } }, spec: { args: ['z'], selector: { $patch: 'replace', c: '3' } } };
    expect(strategicMerge(target, patch)).toEqual({
      metadata: { labels: { b: '2' } },
      spec: { args: ['z'], selector: { c: '3' } },
    });
  });

  it('merges finalizers as a set and removes $deleteFromPrimitiveList values', () => {
    const target = { metadata: { finalizers: ['a', 'b'] } };
    expect(strategicMerge(target, { metadata: { finalizers: ['b', 'c'] } })).toEqual({
      metadata: { finalizers: ['a', 'b', 'c'] },
    });
    expect(strategicMerge(target, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } })).toEqual({
      metadata: { finalizers: ['b'] },
    });
  });

  it('merges service ports by port and container ports by containerPort', () => {
    const svc = { spec: { ports: [{ port: 80, name: 'http' }, { port: 443 }] } };
    expect(strategicMerge(svc, { spec: { ports: [{ port: 80, targetPort: 8080 }] } })).toEqual({
      spec: { ports: [{ port: 80, name: 'http', targetPort: 8080 }, { port: 443 }] },
    });
  });

  it('keeps only $retainKeys fields', () => {
    expect(
      strategicMerge(
        { strategy: { type: 'A', rollingUpdate: { x: 1 } } },
        { strategy: { $retainKeys: ['type'], type: 'Recreate' } },
      ),
    ).toEqual({
      strategy: { type: 'Recreate' },
    });
  });
});
