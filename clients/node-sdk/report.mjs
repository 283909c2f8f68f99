// The tour's report: one line per SDK method, a check that no SDK method was left out, and the
// summary line with the exit status.

import assert from 'node:assert/strict';

/** Why a step failed, in one line: the HTTP exchange, or the broken assertion. */
function describeError(error) {
  if (error?.response) {
    const body = JSON.stringify(error.response.data);
    const request = `${error.config?.method?.toUpperCase()} ${error.config?.url}`;
    return `${request} answered HTTP ${error.response.status} ${body?.slice(0, 300)}`;
  }
  if (error instanceof assert.AssertionError) {
    const message = error.message.split('\n')[0];
    if (!['strictEqual', 'deepStrictEqual'].includes(error.operator)) return message;
    return `${message} (expected ${JSON.stringify(error.expected)}, got ${JSON.stringify(error.actual)})`;
  }
  return String(error?.message ?? error);
}

/**
 * The SDK client's methods by reflection: its own functions (`trigger`, …) and the prototype
 * methods of each resource (`subscribers.identify`, …).
 */
function sdkMethods(client) {
  const names = [];
  for (const [key, value] of Object.entries(client)) {
    if (key === 'http' || key.startsWith('_')) continue; // the axios instance and EventEmitter state
    if (typeof value === 'function') names.push(key);
    else if (value && typeof value === 'object') {
      for (const method of Object.getOwnPropertyNames(Object.getPrototypeOf(value))) {
        if (method !== 'constructor') names.push(`${key}.${method}`);
      }
    }
  }
  return names;
}

export class Report {
  #results = [];

  /** Runs one SDK method's check and prints its line; a failure never stops the tour. */
  async step(name, check) {
    try {
      await check();
      this.#record(name, true, `ok    ${name}`);
    } catch (error) {
      this.#record(name, false, `FAIL  ${name}: ${describeError(error)}`);
    }
  }

  /**
   * Fails every method of `client` that no step called, prints the summary line and returns
   * the exit status: 0 when every method passed, 1 otherwise.
   */
  finish(client) {
    const toured = new Set(this.#results.map((each) => each.name));
    for (const name of sdkMethods(client).filter((each) => !toured.has(each))) {
      this.#record(name, false, `FAIL  ${name}: the tour does not call this SDK method`);
    }
    const passed = this.#results.filter((each) => each.passed).length;
    const failed = this.#results.length - passed;
    console.log(`tour: ${this.#results.length} methods, ${passed} passed, ${failed} failed`);
    return failed > 0 ? 1 : 0;
  }

  #record(name, passed, line) {
    this.#results.push({ name, passed });
    console.log(line);
  }
}
