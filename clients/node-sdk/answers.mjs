// What Novu's answers look like, as assertions the tour's steps share.
//
// Novu wraps a single result in `{"data": ...}` and sends a page at the top level
// (`{"data": [...], "page": ..., ...}`); a 204 has no body; an error body is
// `{statusCode, message, error?, timestamp, path}` with a string message, or an array of one
// validation message per broken constraint.

import assert from 'node:assert/strict';

/** A 2xx answer with the given status whose body is Novu's `{data: ...}` envelope; returns data. */
export function enveloped(response, status) {
  assert.equal(response.status, status, `expected HTTP ${status}, got ${response.status}`);
  assert.ok(response.data && 'data' in response.data, `expected a {"data": ...} body, got ${JSON.stringify(response.data)}`);
  return response.data.data;
}

/** A 204 answer without a body. */
export function noContent(response) {
  assert.equal(response.status, 204, `expected HTTP 204, got ${response.status}`);
  assert.ok(response.data === '' || response.data === undefined, `expected no body, got ${JSON.stringify(response.data)}`);
}

/** A paginated list sent at the top level (not wrapped): returns the page. */
export function page(response, fields) {
  assert.equal(response.status, 200, `expected HTTP 200, got ${response.status}`);
  assert.ok(Array.isArray(response.data?.data), `expected a top-level page with a data array, got ${JSON.stringify(response.data)?.slice(0, 200)}`);
  for (const field of fields) assert.ok(field in response.data, `page lacks "${field}": ${JSON.stringify(response.data).slice(0, 200)}`);
  return response.data;
}

/**
 * The call fails with Novu's error body: this status, and a message containing `message`, or
 * when `message` is an array, exactly those validation messages in that order.
 */
export async function refused(call, status, message) {
  let response;
  try {
    response = await call();
  } catch (error) {
    if (!error.response) throw error;
    const body = error.response.data;
    assert.equal(error.response.status, status, `expected HTTP ${status}, got ${error.response.status} ${JSON.stringify(body)}`);
    assert.equal(body.statusCode, status, `error body lacks statusCode ${status}: ${JSON.stringify(body)}`);
    if (Array.isArray(message)) {
      assert.deepEqual(body.message, message);
      return body;
    }
    const text = Array.isArray(body.message) ? body.message.join('; ') : String(body.message);
    assert.ok(text.includes(message), `expected a message containing "${message}", got ${JSON.stringify(body.message)}`);
    return body;
  }
  assert.fail(`expected HTTP ${status} "${message}", got HTTP ${response.status} ${JSON.stringify(response.data)?.slice(0, 200)}`);
}

const OBJECT_ID = /^[0-9a-f]{24}$/;

export function assertObjectId(value, what) {
  assert.ok(typeof value === 'string' && OBJECT_ID.test(value), `${what} is not an object id: ${JSON.stringify(value)}`);
}
