/**
 * Compile-time tests of the public types: every `@ts-expect-error` below must be an error, or `tsc -b`
 * (npm run lint, CI) fails. They pin what a controller author is allowed to write against the caches.
 */
import { type Immutable, produce, type Wire } from '@kubecache/apimachinery';
import type { SharedInformerFactory } from '@kubecache/informers';
import { PodLister } from '@kubecache/listers';
import type { V1Pod } from '@kubernetes/client-node';

export function typeTests(factory: SharedInformerFactory): void {
  // Objects from a ListerWatcher are JSON: client-node's models, whose timestamps are Dates, do not fit.
  // @ts-expect-error V1Pod's creationTimestamp is a Date; the informer holds strings (use Wire<V1Pod>)
  factory.informerFor<V1Pod>({ version: 'v1', resource: 'pods' });

  const pods = factory.informerFor<Wire<V1Pod>>({ version: 'v1', resource: 'pods' });
  const pod = pods.getIndexer().getByKey('default/web');
  if (!pod?.metadata || !pod.spec) return;

  const created: string | undefined = pod.metadata.creationTimestamp;
  // @ts-expect-error a timestamp is a string on the wire: no getTime()
  pod.metadata.creationTimestamp?.getTime();
  void created;

  // Cached objects are read-only all the way down.
  // @ts-expect-error read-only field
  pod.metadata.name = 'other';
  // @ts-expect-error read-only nested field
  pod.spec.containers[0]!.image = 'nginx:2';
  // @ts-expect-error read-only array
  pod.spec.containers.push({ name: 'sidecar' });
  // @ts-expect-error read-only map
  pod.metadata.labels!.zone = 'a';

  // The informer's store is a read-only view: no writes, no index changes.
  // @ts-expect-error no replace on the view
  pods.getIndexer().replace([], '');
  // @ts-expect-error no add on the view
  pods.getStore().add(pod);
  // @ts-expect-error no addIndexers on the view (use informer.addIndexers)
  pods.getIndexer().addIndexers({});

  // produce derives a changed copy through a mutable draft; the copy is read-only again.
  const next = produce(pod, (draft) => {
    draft.metadata!.labels = { ...draft.metadata!.labels, zone: 'a' };
    draft.spec!.containers.push({ name: 'sidecar' });
  });
  const sameType: Immutable<Wire<V1Pod>> = next;
  // @ts-expect-error the copy is frozen too
  next.metadata!.name = 'other';
  void sameType;

  // Handlers and event streams see the same read-only objects.
  pods.addEventHandler({
    onAdd: (added) => {
      // @ts-expect-error a handler's object is read-only
      added.metadata!.name = 'other';
    },
    onUpdate: (_old, updated) => {
      // @ts-expect-error a handler's object has string timestamps
      updated.metadata?.creationTimestamp?.getTime();
    },
  });
  pods.events$.subscribe((event) => {
    // @ts-expect-error an event's object is read-only
    if (event.type === 'add') event.obj.spec!.nodeName = 'n';
  });

  // Typed listers hand out the same read-only wire objects.
  const lister = new PodLister({ indexer: pods.getIndexer() });
  const listed = lister.namespace('default').get('web');
  // @ts-expect-error a lister's pod has string timestamps
  listed.metadata?.creationTimestamp?.getTime();
  // @ts-expect-error a lister's pod is read-only
  listed.metadata!.labels = {};
}
