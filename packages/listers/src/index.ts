// Public API of @kubecache/listers: an allow-list of named exports.
export {};
