// Public API of @kubecache/informers: an allow-list of named exports.
export {};
