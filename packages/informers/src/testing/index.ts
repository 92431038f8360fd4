// Test helpers of @kubecache/informers: a scripted Kubernetes-like HTTP server, a fake-source informer.
export type {
  ScriptedList,
  ScriptedRequest,
  ScriptedServerOptions,
  ScriptedWatch,
  ScriptedWatchStream,
} from './scripted-server.js';
export { ScriptedServer } from './scripted-server.js';
export type { FakeInformer, FakeInformerOptions } from './fake-informer.js';
export { fakeInformer } from './fake-informer.js';
