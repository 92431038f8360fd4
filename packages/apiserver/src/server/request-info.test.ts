import { describe, expect, it } from '@jest/globals';
import { parseRequestInfo, watchFlag } from './request-info.js';

describe('parseRequestInfo', () => {
  it.each([
    ['GET', '/api/v1/pods', false, { namespace: '', resource: 'pods', name: '', subresource: '', verb: 'list' }],
    ['GET', '/api/v1/namespaces/ns/pods/p', false, { namespace: 'ns', resource: 'pods', name: 'p', verb: 'get' }],
    ['GET', '/api/v1/namespaces/ns/pods', true, { namespace: 'ns', resource: 'pods', verb: 'watch' }],
    ['GET', '/api/v1/watch/namespaces/ns/pods', false, { namespace: 'ns', resource: 'pods', verb: 'watch' }],
    ['GET', '/api/v1/namespaces/ns', false, { namespace: '', resource: 'namespaces', name: 'ns', verb: 'get' }],
    [
      'PUT',
      '/api/v1/namespaces/ns/status',
      false,
      { resource: 'namespaces', name: 'ns', subresource: 'status', verb: 'update' },
    ],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/ns/deployments/d/scale',
      false,
      { group: 'apps', resource: 'deployments', subresource: 'scale', verb: 'patch' },
    ],
    [
      'DELETE',
      '/apis/batch/v1/namespaces/ns/jobs',
      false,
      { group: 'batch', resource: 'jobs', verb: 'deletecollection' },
    ],
    ['POST', '/api/v1/namespaces/ns/pods/p', false, { verb: undefined }],
  ])('%s %s (watch=%s)', (method, path, watch, expected) => {
    expect(parseRequestInfo(method, path, watch)).toEqual(expect.objectContaining(expected));
  });

  it('rejects paths that are not resource paths', () => {
    expect(parseRequestInfo('GET', '/api', false)).toBeUndefined();
    expect(parseRequestInfo('GET', '/apis/apps/v1/namespaces/ns/deployments/d/scale/x', false)).toBeUndefined();
    expect(parseRequestInfo('GET', '/api/v1/pods/%zz', false)).toBeUndefined();
  });
});

describe('watchFlag', () => {
  it('is false only for 0 and false in any case', () => {
    expect([null, '0', 'false', 'FALSE', '', '1', 'true', 'yes'].map(watchFlag)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
  });
});
