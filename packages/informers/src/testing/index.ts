// Test helpers of @kubecache/informers: a scripted Kubernetes-like HTTP server.
export type {
  ScriptedList,
  ScriptedRequest,
  ScriptedServerOptions,
  ScriptedWatch,
  ScriptedWatchStream,
} from './scripted-server.js';
export { ScriptedServer } from './scripted-server.js';
