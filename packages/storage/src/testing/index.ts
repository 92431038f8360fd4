// The storage contract suite, shipped so any backend runs the same tests MemoryStorage passes.
export type { ContractPod, StorageUnderTest, WithStorage } from './contract-kit.js';
export { contractPod, fieldEquals, labelEquals } from './contract-kit.js';
export { describeStorageContract } from './storage.contract.js';
