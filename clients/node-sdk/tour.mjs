// A tour of Novu's official Node SDK (@novu/node 2.0.5) against a Novu-compatible server.
//
// Every method the SDK has is called once, in an order where each call finds what it needs
// (create before read, update and delete), and its answer is checked against what a real
// Novu server answers: the status and the fields the SDK's callers read. Where the SDK sends
// something a real Novu refuses (a dashboard-only route, a body Novu's validation rejects),
// the expected answer is that refusal, and a comment says why.
//
// The steps are here, in order; answers.mjs holds the shapes of Novu's answers they share, and
// report.mjs prints a line per method and fails any SDK method no step called.
//
// Usage: NOVU_BASE_URL=http://127.0.0.1:3000 NOVU_API_KEY=... node tour.mjs
// Exit status: 0 every method passed, 1 some failed, 2 set-up problem (no server, key refused).

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Novu } from '@novu/node';
import { assertObjectId, enveloped, noContent, page, refused } from './answers.mjs';
import { Report } from './report.mjs';

const SETUP_FAILED = 2;

function setupProblem(message) {
  console.error(`tour: set-up problem: ${message}`);
  process.exit(SETUP_FAILED);
}

const baseUrl = process.env.NOVU_BASE_URL;
const apiKey = process.env.NOVU_API_KEY;
if (!baseUrl) setupProblem('NOVU_BASE_URL is not set: give the server root, e.g. http://127.0.0.1:3000');
if (!apiKey) setupProblem('NOVU_API_KEY is not set: give an API key of the server\'s development environment');

// The SDK appends `/v1` to the backend URL it is given.
const novu = new Novu(apiKey, { backendUrl: baseUrl.replace(/\/+$/, '') });

const report = new Report();

// A suffix that keeps names and identifiers of this run apart from any earlier run's.
const run = randomUUID().slice(0, 8);

// ---------------------------------------------------------------------------------------------
// Set-up: the first call also checks that the server answers and takes the key

let current;
try {
  current = await novu.environments.getCurrent();
} catch (error) {
  if (!error.response) setupProblem(`cannot reach ${baseUrl}: ${error.code ?? error.message}`);
  if (error.response.status === 401) setupProblem(`the server refused the API key: ${JSON.stringify(error.response.data?.message)}`);
  setupProblem(`GET /v1/environments/me answered HTTP ${error.response.status}: ${JSON.stringify(error.response.data)}`);
}
const environment = current.data?.data ?? {};
// Novu lets only the development environment create workflows and overrides.
if (environment._parentId) {
  setupProblem(`the key belongs to the "${environment.name}" environment: give a key of the development environment`);
}

await report.step('environments.getCurrent', async () => {
  const answer = enveloped(current, 200);
  assertObjectId(answer._id, 'the environment\'s _id');
  assertObjectId(answer._organizationId, 'the environment\'s _organizationId');
  assert.equal(typeof answer.name, 'string');
  // Novu reads the environment without its API keys here (they are listed by getAll and
  // getApiKeys).
  assert.ok(!('apiKeys' in answer), `the current environment shows apiKeys ${JSON.stringify(answer.apiKeys)}`);
});

// What later steps share; a step whose prerequisite failed fails on its own assertion.
const made = {};

// ---------------------------------------------------------------------------------------------
// Environments

await report.step('environments.getAll', async () => {
  const environments = enveloped(await novu.environments.getAll(), 200);
  assert.ok(Array.isArray(environments), 'expected an array of environments');
  made.otherEnvironment = environments.find((each) => each._id !== environment._id);
  const own = environments.find((each) => each._id === environment._id);
  assert.ok(own, 'the key\'s environment is not listed');
  assert.ok(own.apiKeys?.some((each) => each.key === apiKey), 'the key\'s environment does not show the key');
  // An API key sees the keys of its own environment only; the others show an empty list.
  for (const other of environments.filter((each) => each._id !== environment._id)) {
    assert.deepEqual(other.apiKeys, [], `environment "${other.name}" shows apiKeys ${JSON.stringify(other.apiKeys)}`);
  }
});

await report.step('environments.getApiKeys', async () => {
  const keys = enveloped(await novu.environments.getApiKeys(), 200);
  assert.ok(Array.isArray(keys) && keys.length > 0, 'expected a non-empty array of keys');
  assert.ok(keys.some((each) => each.key === apiKey), 'the key in use is not listed');
  assert.ok(keys.every((each) => typeof each._userId === 'string'), 'every key names its _userId');
});

// POST /v1/environments has no @ExternalApiAccessible() in Novu's EnvironmentsControllerV1:
// the dashboard's users only; an API key gets 401 before it is looked up.
await report.step('environments.create', async () => {
  await refused(() => novu.environments.create({ name: `tour-${run}` }), 401, 'API endpoint not available');
});

// PUT /v1/environments/{environmentId}: dashboard-only likewise.
await report.step('environments.updateOne', async () => {
  await refused(() => novu.environments.updateOne(environment._id, { name: `tour-${run}` }), 401, 'API endpoint not available');
});

// POST /v1/environments/api-keys/regenerate lost @ExternalApiAccessible() in 2024 (admin role
// of a dashboard session only), so the SDK's call is refused with the dashboard-only 401.
await report.step('environments.regenerateApiKeys', async () => {
  await refused(() => novu.environments.regenerateApiKeys(), 401, 'API endpoint not available');
});

// ---------------------------------------------------------------------------------------------
// Organizations

await report.step('organizations.getCurrent', async () => {
  const organization = enveloped(await novu.organizations.getCurrent(), 200);
  made.organization = organization;
  assertObjectId(organization._id, 'the organization\'s _id');
  assert.equal(organization._id, environment._organizationId, 'not the key\'s organization');
});

await report.step('organizations.list', async () => {
  const organizations = enveloped(await novu.organizations.list(), 200);
  assert.ok(Array.isArray(organizations), 'expected an array');
  assert.ok(organizations.some((each) => each._id === environment._organizationId), 'the key\'s organization is not listed');
});

await report.step('organizations.rename', async () => {
  const renamed = enveloped(await novu.organizations.rename({ name: `Tour ${run}` }), 200);
  assert.equal(renamed.name, `Tour ${run}`);
});

await report.step('organizations.updateBranding', async () => {
  const branding = { color: '#112233', fontColor: '#445566', contentBackground: '#ffffff', fontFamily: 'Inter' };
  const answer = enveloped(await novu.organizations.updateBranding(branding), 200);
  assert.equal(answer.color, branding.color);
  assert.equal(answer.fontFamily, branding.fontFamily);
});

await report.step('organizations.getMembers', async () => {
  const members = enveloped(await novu.organizations.getMembers(), 200);
  made.members = members;
  assert.ok(Array.isArray(members) && members.length > 0, 'expected the organization\'s members');
  for (const member of members) assertObjectId(member._id, 'member._id');
});

await report.step('organizations.updateMemberRole', async () => {
  const [member] = made.members ?? [];
  assert.ok(member, 'no member to update (organizations.getMembers failed)');
  const updated = enveloped(await novu.organizations.updateMemberRole(member._id, { role: 'admin' }), 200);
  assert.equal(updated._id, member._id);
  assert.deepEqual(updated.roles, ['admin']);
});

await report.step('organizations.create', async () => {
  const organization = enveloped(await novu.organizations.create({ name: `Tour other ${run}` }), 201);
  assert.equal(organization.name, `Tour other ${run}`);
  // The caller becomes the new organization's admin member, so it lists the organization.
  const organizations = enveloped(await novu.organizations.list(), 200);
  assert.ok(organizations.some((each) => each.name === `Tour other ${run}`), 'the new organization is not among the caller\'s organizations');
  assertObjectId(organization._id, 'the new organization\'s _id');
  assert.notEqual(organization._id, environment._organizationId);
});

// ---------------------------------------------------------------------------------------------
// Inbound parse

await report.step('inboundParse.getMxStatus', async () => {
  const status = enveloped(await novu.inboundParse.getMxStatus(), 200);
  assert.equal(typeof status.mxRecordConfigured, 'boolean');
  // Without an inbound-parse domain Novu answers false, with no DNS look-up.
  if (!environment.dns?.inboundParseDomain) assert.equal(status.mxRecordConfigured, false);
});

// ---------------------------------------------------------------------------------------------
// Notification groups, feeds, layouts, integrations: what workflows and messages need

await report.step('notificationGroups.create', async () => {
  const group = enveloped(await novu.notificationGroups.create(`Tour group ${run}`), 201);
  made.group = group;
  assertObjectId(group._id, 'group._id');
  assert.equal(group.name, `Tour group ${run}`);
});

await report.step('notificationGroups.get', async () => {
  const groups = enveloped(await novu.notificationGroups.get(), 200);
  assert.ok(Array.isArray(groups), 'expected an array');
  assert.ok(groups.some((each) => each._id === made.group?._id), 'the new group is not listed');
});

await report.step('notificationGroups.getOne', async () => {
  const group = enveloped(await novu.notificationGroups.getOne(made.group?._id), 200);
  assert.equal(group._id, made.group._id);
  assert.equal(group.name, made.group.name);
});

await report.step('notificationGroups.update', async () => {
  const group = enveloped(await novu.notificationGroups.update(made.group?._id, { name: `Tour group renamed ${run}` }), 200);
  assert.equal(group._id, made.group._id);
  assert.equal(group.name, `Tour group renamed ${run}`);
});

await report.step('feeds.create', async () => {
  const feed = enveloped(await novu.feeds.create(`tour-feed-${run}`), 201);
  made.feed = feed;
  assertObjectId(feed._id, 'feed._id');
  assert.equal(feed.name, `tour-feed-${run}`);
  // Novu sets a feed's identifier to its name.
  assert.equal(feed.identifier, `tour-feed-${run}`);
});

await report.step('feeds.get', async () => {
  const feeds = enveloped(await novu.feeds.get(), 200);
  assert.ok(Array.isArray(feeds), 'expected an array');
  assert.ok(feeds.some((each) => each._id === made.feed?._id), 'the new feed is not listed');
});

const layoutContent = '<html><body><h1>Tour</h1>{{{body}}}</body></html>';

await report.step('layouts.create', async () => {
  const answer = await novu.layouts.create({
    name: `Tour layout ${run}`,
    identifier: `tour-layout-${run}`,
    description: 'made by the Node SDK tour',
    content: layoutContent,
    variables: [],
    isDefault: false,
  });
  const layout = enveloped(answer, 201);
  made.layout = layout;
  assertObjectId(layout._id, 'layout._id');
});

await report.step('layouts.list', async () => {
  const listed = page(await novu.layouts.list({ page: 0, pageSize: 100 }), ['page', 'pageSize', 'totalCount']);
  assert.equal(listed.page, 0);
  assert.equal(listed.pageSize, 100);
  assert.ok(listed.data.some((each) => each._id === made.layout?._id), 'the new layout is not listed');
});

// The SDK's layouts.get(id) asks GET /v1/layouts?layoutId=<id>: Novu's list route, whose query
// DTO ignores unknown keys (no whitelist), so the answer is the first page of layouts, not one.
await report.step('layouts.get', async () => {
  const listed = page(await novu.layouts.get(made.layout?._id), ['page', 'pageSize', 'totalCount']);
  assert.equal(listed.page, 0);
  assert.equal(listed.pageSize, 10);
  assert.ok(listed.totalCount >= 1);
});

await report.step('layouts.update', async () => {
  const layout = enveloped(await novu.layouts.update(made.layout?._id, { name: `Tour layout renamed ${run}`, description: 'renamed' }), 200);
  assert.equal(layout._id, made.layout._id);
  assert.equal(layout.name, `Tour layout renamed ${run}`);
  assert.equal(layout.content, layoutContent);
});

await report.step('layouts.setDefault', async () => {
  noContent(await novu.layouts.setDefault(made.layout?._id));
  const listed = page(await novu.layouts.list({ page: 0, pageSize: 100 }), ['page', 'pageSize', 'totalCount']);
  const defaults = listed.data.filter((each) => each.isDefault === true).map((each) => each._id);
  assert.deepEqual(defaults, [made.layout._id], 'the tour\'s layout is not the only default');
});

await report.step('integrations.create', async () => {
  // A chat integration whose provider takes subscriber credentials (a webhook URL).
  const answer = await novu.integrations.create('slack', {
    name: `Tour Slack ${run}`,
    identifier: `tour-slack-${run}`,
    channel: 'chat',
    credentials: { applicationId: 'tour-app' },
    active: true,
    check: false,
  });
  const integration = enveloped(answer, 201);
  made.integration = integration;
  assertObjectId(integration._id, 'integration._id');
  assert.equal(integration.providerId, 'slack');
  assert.equal(integration.channel, 'chat');
  assert.equal(integration.active, true);
  // Only email and SMS integrations take part in primary selection; others keep the defaults.
  assert.equal(integration.primary, false);
  assert.equal(integration.priority, 0);
});

await report.step('integrations.getAll', async () => {
  // Novu lists the integrations of every environment of the organization, not only the key's:
  // an inactive one is made in another environment (the body's _environmentId) to see it.
  assert.ok(made.otherEnvironment, 'no other environment to make an integration in (environments.getAll failed)');
  const elsewhere = enveloped(await novu.integrations.create('slack', {
    name: `Tour elsewhere ${run}`,
    identifier: `tour-elsewhere-${run}`,
    channel: 'chat',
    credentials: {},
    active: false,
    check: false,
    _environmentId: made.otherEnvironment._id,
  }), 201);
  made.elsewhere = elsewhere;
  assert.equal(elsewhere._environmentId, made.otherEnvironment._id);
  const integrations = enveloped(await novu.integrations.getAll(), 200);
  assert.ok(Array.isArray(integrations), 'expected an array');
  assert.ok(integrations.some((each) => each._id === made.integration?._id), 'the new integration is not listed');
  assert.ok(integrations.some((each) => each._id === elsewhere._id), `the integration of environment "${made.otherEnvironment.name}" is not listed`);
});

await report.step('integrations.getActive', async () => {
  const integrations = enveloped(await novu.integrations.getActive(), 200);
  assert.ok(Array.isArray(integrations), 'expected an array');
  assert.ok(integrations.every((each) => each.active === true), 'an inactive integration is listed');
  assert.ok(integrations.some((each) => each._id === made.integration?._id), 'the new integration is not listed');
});

// GET /v1/integrations/in-app/status has no @ExternalApiAccessible(): dashboard-only.
await report.step('integrations.getInAppStatus', async () => {
  await refused(() => novu.integrations.getInAppStatus(), 401, 'API endpoint not available');
});

/** The key's environment's active email integrations, through the SDK's list. */
async function activeEmailIntegrations() {
  const integrations = enveloped(await novu.integrations.getAll(), 200);
  return integrations.filter((each) => each._environmentId === environment._id && each.channel === 'email' && each.active === true);
}

await report.step('integrations.getWebhookProviderStatus', async () => {
  // Novu answers for email and SMS providers only; SendGrid's delivery webhooks are supported.
  // An active email integration joins primary selection when it is made: after a primary
  // it takes the primary's priority (the primary moves one up); otherwise it becomes the
  // primary, one above the highest priority (1 when it is the first).
  const before = await activeEmailIntegrations();
  const highest = before.reduce((top, each) => (top && top.priority >= each.priority ? top : each), undefined);
  const email = enveloped(await novu.integrations.create('sendgrid', {
    name: `Tour SendGrid ${run}`,
    identifier: `tour-sendgrid-${run}`,
    channel: 'email',
    credentials: { apiKey: 'tour-key', from: 'tour@example.com', senderName: 'Tour' },
    active: true,
    check: false,
  }), 201);
  made.emailIntegration = email;
  if (highest?.primary) {
    assert.equal(email.primary, false, 'a new email integration became primary beside the primary');
    assert.equal(email.priority, highest.priority, 'a new email integration takes the primary\'s priority');
  } else {
    assert.equal(email.primary, true, 'a new email integration without a primary beside it is the primary');
    assert.equal(email.priority, highest ? highest.priority + 1 : 1);
  }
  const supported = enveloped(await novu.integrations.getWebhookProviderStatus(email._id), 200);
  assert.equal(supported, true);
});

await report.step('integrations.update', async () => {
  const integration = enveloped(await novu.integrations.update(made.integration?._id, { name: `Tour Slack renamed ${run}`, active: true, check: false }), 200);
  assert.equal(integration._id, made.integration._id);
  assert.equal(integration.name, `Tour Slack renamed ${run}`);
});

await report.step('integrations.setIntegrationAsPrimary', async () => {
  const integration = enveloped(await novu.integrations.setIntegrationAsPrimary(made.emailIntegration?._id), 201);
  assert.equal(integration._id, made.emailIntegration._id);
  assert.equal(integration.primary, true);
  // The primary is the only one of its channel and has the highest priority.
  const emails = await activeEmailIntegrations();
  assert.deepEqual(emails.filter((each) => each.primary).map((each) => each._id), [integration._id]);
  const top = Math.max(...emails.map((each) => each.priority));
  assert.equal(emails.find((each) => each._id === integration._id).priority, top, 'the primary does not have the highest priority');
});

// ---------------------------------------------------------------------------------------------
// Workflows, through the deprecated /v1/notification-templates routes the SDK uses

const inAppStep = (content) => ({
  template: {
    type: 'in_app',
    content,
    cta: {
      type: 'redirect',
      data: { url: '' },
      action: { buttons: [{ type: 'primary', content: 'Open' }] },
    },
  },
  active: true,
});

await report.step('notificationTemplates.create', async () => {
  const answer = await novu.notificationTemplates.create({
    name: `Tour workflow ${run}`,
    notificationGroupId: made.group?._id,
    description: 'made by the Node SDK tour',
    steps: [inAppStep('Hello {{name}}')],
    active: true,
  });
  const workflow = enveloped(answer, 201);
  made.workflow = workflow;
  made.trigger = workflow.triggers?.[0]?.identifier;
  assertObjectId(workflow._id, 'workflow._id');
  assert.equal(workflow.active, true);
  assert.equal(workflow._notificationGroupId, made.group._id);
  assert.equal(workflow.steps.length, 1);
  // Novu makes the trigger identifier from the name, slugified.
  assert.equal(workflow.triggers?.[0]?.identifier, `tour-workflow-${run}`);
});

await report.step('notificationTemplates.getAll', async () => {
  const listed = page(await novu.notificationTemplates.getAll(0, 100), ['page', 'pageSize', 'totalCount']);
  assert.equal(listed.page, 0);
  assert.equal(listed.pageSize, 100);
  assert.ok(listed.data.some((each) => each._id === made.workflow?._id), 'the new workflow is not listed');
});

await report.step('notificationTemplates.getOne', async () => {
  const workflow = enveloped(await novu.notificationTemplates.getOne(made.workflow?._id), 200);
  assert.equal(workflow._id, made.workflow._id);
  assert.equal(workflow.triggers[0].identifier, made.trigger);
});

await report.step('notificationTemplates.update', async () => {
  const answer = await novu.notificationTemplates.update(made.workflow?._id, {
    name: `Tour workflow renamed ${run}`,
    steps: [inAppStep('Hello again {{name}}')],
  });
  const workflow = enveloped(answer, 200);
  assert.equal(workflow._id, made.workflow._id);
  assert.equal(workflow.name, `Tour workflow renamed ${run}`);
});

// ---------------------------------------------------------------------------------------------
// Changes: the development environment records one per created or updated resource

await report.step('changes.get', async () => {
  const listed = page(await novu.changes.get({ page: 0, limit: 100, promoted: 'false' }), ['page', 'pageSize', 'totalCount']);
  made.changes = listed.data;
  made.unpromoted = listed.totalCount;
  assert.ok(listed.data.length > 0, 'creating a group, a layout and a workflow recorded no change');
  for (const change of listed.data) assert.equal(change.enabled, false, 'an unpromoted change is enabled');
});

await report.step('changes.getCount', async () => {
  const count = enveloped(await novu.changes.getCount(), 200);
  // Both count the unpromoted changes that have no parent change.
  assert.equal(count, made.unpromoted, 'the count differs from the list\'s totalCount');
});

await report.step('changes.applyOne', async () => {
  const change = made.changes?.find((each) => each.type === 'NotificationGroup') ?? made.changes?.at(-1);
  assert.ok(change, 'no change to apply (changes.get failed)');
  const applied = enveloped(await novu.changes.applyOne(change._id), 201);
  assert.ok(Array.isArray(applied), 'expected an array of applied changes');
  made.appliedChange = change._id;
});

await report.step('changes.applyMany', async () => {
  const rest = (made.changes ?? []).filter((each) => each._id !== made.appliedChange).map((each) => each._id);
  assert.ok(rest.length > 0, 'no changes left to apply');
  const applied = enveloped(await novu.changes.applyMany(rest), 201);
  assert.ok(Array.isArray(applied), 'expected an array');
  assert.equal(applied.length, rest.length, 'one entry per applied change');
  // Each entry lists the change and the child changes applied with it.
  assert.ok(applied.every(Array.isArray), 'expected an array of arrays');
  if (made.unpromoted === made.changes.length) {
    assert.equal(enveloped(await novu.changes.getCount(), 200), 0, 'changes are left unpromoted after applying them all');
  }
});

// ---------------------------------------------------------------------------------------------
// Subscribers

const subscriberId = `tour-subscriber-${run}`;

await report.step('subscribers.identify', async () => {
  const subscriber = enveloped(await novu.subscribers.identify(subscriberId, { firstName: 'Ada', lastName: 'Lovelace', email: `ada-${run}@example.com`, data: { team: 'tour' } }), 201);
  made.subscriber = subscriber;
  assertObjectId(subscriber._id, 'subscriber._id');
  assert.equal(subscriber.subscriberId, subscriberId);
  assert.equal(subscriber.firstName, 'Ada');
});

await report.step('subscribers.get', async () => {
  const subscriber = enveloped(await novu.subscribers.get(subscriberId), 200);
  assert.equal(subscriber._id, made.subscriber?._id);
  assert.equal(subscriber.email, `ada-${run}@example.com`);
  assert.deepEqual(subscriber.data, { team: 'tour' });
});

await report.step('subscribers.bulkCreate', async () => {
  const answer = await novu.subscribers.bulkCreate([
    { subscriberId: `tour-bulk-a-${run}`, firstName: 'Grace' },
    { subscriberId: `tour-bulk-b-${run}`, firstName: 'Alan' },
    { subscriberId, firstName: 'Ada' },
  ]);
  const outcome = enveloped(answer, 201);
  assert.deepEqual(outcome.created.map((each) => each.subscriberId).sort(), [`tour-bulk-a-${run}`, `tour-bulk-b-${run}`]);
  assert.deepEqual(outcome.updated.map((each) => each.subscriberId), [subscriberId]);
  assert.deepEqual(outcome.failed, []);
});

await report.step('subscribers.list', async () => {
  const listed = page(await novu.subscribers.list(0, 100), ['page', 'pageSize', 'hasMore']);
  assert.equal(listed.page, 0);
  assert.equal(listed.pageSize, 100);
  assert.ok(listed.data.some((each) => each.subscriberId === subscriberId), 'the new subscriber is not listed');
});

await report.step('subscribers.update', async () => {
  const subscriber = enveloped(await novu.subscribers.update(subscriberId, { firstName: 'Augusta', locale: 'en' }), 200);
  assert.equal(subscriber.subscriberId, subscriberId);
  assert.equal(subscriber.firstName, 'Augusta');
  assert.equal(subscriber.lastName, 'Lovelace');
});

const webhookUrl = 'https://hooks.slack.example/services/tour';

await report.step('subscribers.setCredentials', async () => {
  const answer = await novu.subscribers.setCredentials(subscriberId, 'slack', { webhookUrl }, made.integration?.identifier);
  const subscriber = enveloped(answer, 200);
  const channel = subscriber.channels?.find((each) => each.providerId === 'slack');
  assert.ok(channel, `no slack channel on the subscriber: ${JSON.stringify(subscriber.channels)}`);
  assert.equal(channel.credentials.webhookUrl, webhookUrl);
  assert.equal(channel._integrationId, made.integration._id);
});

await report.step('subscribers.deleteCredentials', async () => {
  noContent(await novu.subscribers.deleteCredentials(subscriberId, 'slack'));
  const subscriber = enveloped(await novu.subscribers.get(subscriberId), 200);
  assert.ok(!(subscriber.channels ?? []).some((each) => each.providerId === 'slack'), 'the slack credentials are still there');
});

await report.step('subscribers.unsetCredentials', async () => {
  // PUT /credentials with empty credentials (the SDK's undefined webhookUrl is dropped by JSON).
  const subscriber = enveloped(await novu.subscribers.unsetCredentials(subscriberId, 'slack'), 200);
  assert.equal(subscriber.subscriberId, subscriberId);
  const channel = subscriber.channels?.find((each) => each.providerId === 'slack');
  assert.ok(channel, 'PUT /credentials records the provider\'s channel');
  assert.equal(channel.credentials.webhookUrl, undefined);
});

// The SDK sends {online: true}, but Novu's UpdateSubscriberOnlineFlagRequestDto requires
// `isOnline` (@IsDefined, @IsBoolean): Novu's validation answers 400 for every call, with one
// message per broken constraint, the @IsDefined one first.
await report.step('subscribers.updateOnlineStatus', async () => {
  const messages = ['isOnline should not be null or undefined', 'isOnline must be a boolean value'];
  await refused(() => novu.subscribers.updateOnlineStatus(subscriberId, true), 400, messages);
});

await report.step('subscribers.getPreference', async () => {
  const preferences = enveloped(await novu.subscribers.getPreference(subscriberId), 200);
  assert.ok(Array.isArray(preferences), 'expected an array');
  const mine = preferences.find((each) => each.template?._id === made.workflow?._id);
  assert.ok(mine, 'the tour\'s workflow has no preference entry');
  assert.equal(mine.preference.enabled, true);
  assert.equal(mine.preference.channels.in_app, true);
});

await report.step('subscribers.getGlobalPreference', async () => {
  const preferences = enveloped(await novu.subscribers.getGlobalPreference(subscriberId), 200);
  assert.ok(Array.isArray(preferences) && preferences.length === 1, 'expected one global preference');
  assert.equal(preferences[0].preference.enabled, true);
  assert.equal(typeof preferences[0].preference.channels, 'object');
});

await report.step('subscribers.getPreferenceByLevel', async () => {
  const preferences = enveloped(await novu.subscribers.getPreferenceByLevel(subscriberId, 'template'), 200);
  assert.ok(Array.isArray(preferences), 'expected an array');
  assert.ok(preferences.some((each) => each.template?._id === made.workflow?._id), 'the tour\'s workflow is not listed');
});

await report.step('subscribers.updatePreference', async () => {
  const answer = await novu.subscribers.updatePreference(subscriberId, made.workflow?._id, { enabled: true, channel: { type: 'in_app', enabled: true } });
  const preference = enveloped(answer, 200);
  assert.equal(preference.template._id, made.workflow._id);
  assert.equal(preference.preference.enabled, true);
  assert.equal(preference.preference.channels.in_app, true);
});

await report.step('subscribers.updateGlobalPreference', async () => {
  const answer = await novu.subscribers.updateGlobalPreference(subscriberId, { enabled: true, preferences: [{ type: 'email', enabled: false }] });
  const preference = enveloped(answer, 200);
  assert.equal(preference.preference.enabled, true);
  assert.equal(preference.preference.channels.email, false);
});

// ---------------------------------------------------------------------------------------------
// Tenants and workflow overrides

const tenantIdentifier = `tour-tenant-${run}`;

await report.step('tenants.create', async () => {
  const tenant = enveloped(await novu.tenants.create(tenantIdentifier, { name: 'Tour tenant', data: { plan: 'free' } }), 201);
  made.tenant = tenant;
  assertObjectId(tenant._id, 'tenant._id');
  assert.equal(tenant.identifier, tenantIdentifier);
  assert.deepEqual(tenant.data, { plan: 'free' });
});

await report.step('tenants.get', async () => {
  const tenant = enveloped(await novu.tenants.get(tenantIdentifier), 200);
  assert.equal(tenant._id, made.tenant?._id);
  assert.equal(tenant.name, 'Tour tenant');
});

await report.step('tenants.list', async () => {
  const listed = page(await novu.tenants.list({ page: 0, limit: 100 }), ['page', 'pageSize', 'hasMore']);
  assert.equal(listed.pageSize, 100);
  assert.ok(listed.data.some((each) => each.identifier === tenantIdentifier), 'the new tenant is not listed');
});

await report.step('tenants.update', async () => {
  const tenant = enveloped(await novu.tenants.update(tenantIdentifier, { name: 'Tour tenant renamed' }), 200);
  assert.equal(tenant.identifier, tenantIdentifier);
  assert.equal(tenant.name, 'Tour tenant renamed');
  assert.deepEqual(tenant.data, { plan: 'free' });
});

await report.step('workflowOverrides.create', async () => {
  const answer = await novu.workflowOverrides.create({ workflowId: made.workflow?._id, tenantId: made.tenant?._id, active: true, preferenceSettings: { in_app: true } });
  const override = enveloped(answer, 201);
  made.override = override;
  assertObjectId(override._id, 'override._id');
  assert.equal(override._workflowId, made.workflow._id);
  assert.equal(override._tenantId, made.tenant._id);
  assert.equal(override.active, true);
});

await report.step('workflowOverrides.getOneById', async () => {
  const override = enveloped(await novu.workflowOverrides.getOneById(made.override?._id), 200);
  assert.equal(override._id, made.override._id);
  assert.equal(override._tenantId, made.tenant._id);
});

await report.step('workflowOverrides.list', async () => {
  const listed = page(await novu.workflowOverrides.list(0, 100), ['page', 'pageSize', 'hasMore']);
  assert.ok(listed.data.some((each) => each._id === made.override?._id), 'the new override is not listed');
});

await report.step('workflowOverrides.getOneByTenantIdandWorkflowId', async () => {
  const override = enveloped(await novu.workflowOverrides.getOneByTenantIdandWorkflowId(made.workflow?._id, made.tenant?._id), 200);
  assert.equal(override._id, made.override._id);
});

await report.step('workflowOverrides.updateOneByTenantIdandWorkflowId', async () => {
  const answer = await novu.workflowOverrides.updateOneByTenantIdandWorkflowId(made.workflow?._id, made.tenant?._id, { active: false });
  const override = enveloped(answer, 200);
  assert.equal(override._id, made.override._id);
  assert.equal(override.active, false);
});

await report.step('workflowOverrides.updateOneById', async () => {
  const override = enveloped(await novu.workflowOverrides.updateOneById(made.override?._id, { active: true, preferenceSettings: { in_app: true, email: false } }), 200);
  assert.equal(override._id, made.override._id);
  assert.equal(override.active, true);
  assert.equal(override.preferenceSettings.email, false);
});

await report.step('workflowOverrides.delete', async () => {
  assert.equal(enveloped(await novu.workflowOverrides.delete(made.override?._id), 200), true);
});

// ---------------------------------------------------------------------------------------------
// Topics

const topicKey = `tour-topic-${run}`;

await report.step('topics.create', async () => {
  const topic = enveloped(await novu.topics.create({ key: topicKey, name: 'Tour topic' }), 201);
  assertObjectId(topic._id, 'topic._id');
  assert.equal(topic.key, topicKey);
});

await report.step('topics.addSubscribers', async () => {
  const outcome = enveloped(await novu.topics.addSubscribers(topicKey, { subscribers: [subscriberId, `tour-nobody-${run}`] }), 200);
  assert.deepEqual(outcome.succeeded, [subscriberId]);
  assert.deepEqual(outcome.failed?.notFound, [`tour-nobody-${run}`]);
});

await report.step('topics.getSubscriber', async () => {
  const member = enveloped(await novu.topics.getSubscriber(topicKey, subscriberId), 200);
  assert.equal(member.externalSubscriberId, subscriberId);
  assert.equal(member.topicKey, topicKey);
});

await report.step('topics.checkSubscriber', async () => {
  const member = enveloped(await novu.topics.checkSubscriber(topicKey, subscriberId), 200);
  assert.equal(member.externalSubscriberId, subscriberId);
});

await report.step('topics.list', async () => {
  const listed = page(await novu.topics.list({ page: 0, pageSize: 10, key: topicKey }), ['page', 'pageSize', 'totalCount']);
  assert.equal(listed.totalCount, 1);
  assert.equal(listed.data[0].key, topicKey);
  assert.deepEqual(listed.data[0].subscribers, [subscriberId]);
});

await report.step('topics.get', async () => {
  const topic = enveloped(await novu.topics.get(topicKey), 200);
  assert.equal(topic.key, topicKey);
  assert.equal(topic.name, 'Tour topic');
  assert.deepEqual(topic.subscribers, [subscriberId]);
});

await report.step('topics.rename', async () => {
  const topic = enveloped(await novu.topics.rename(topicKey, 'Tour topic renamed'), 200);
  assert.equal(topic.key, topicKey);
  assert.equal(topic.name, 'Tour topic renamed');
});

// ---------------------------------------------------------------------------------------------
// Events: the SDK's events methods and the same functions exposed on the client itself

function acknowledged(result, transactionId) {
  assert.equal(result.acknowledged, true);
  assert.equal(result.status, 'processed');
  if (transactionId) assert.equal(result.transactionId, transactionId);
  else assert.equal(typeof result.transactionId, 'string');
}

const transactions = { first: `tour-tx-1-${run}`, second: `tour-tx-2-${run}` };
// The transactions that reach the tour's subscriber with one in-app message each.
const deliveries = [transactions.first, transactions.second];

await report.step('events.trigger', async () => {
  const answer = await novu.events.trigger(made.trigger, { to: { subscriberId }, payload: { name: 'Ada' }, transactionId: transactions.first });
  acknowledged(enveloped(answer, 201), transactions.first);
});

await report.step('trigger', async () => {
  const answer = await novu.trigger(made.trigger, { to: subscriberId, payload: { name: 'Ada' }, transactionId: transactions.second });
  acknowledged(enveloped(answer, 201), transactions.second);
});

const bulkEvents = () => [
  { name: made.trigger, to: `tour-bulk-a-${run}`, payload: { name: 'Grace' } },
  { name: made.trigger, to: [{ type: 'Topic', topicKey }], payload: { name: 'topic' } },
];

await report.step('events.bulkTrigger', async () => {
  const results = enveloped(await novu.events.bulkTrigger(bulkEvents()), 201);
  assert.ok(Array.isArray(results) && results.length === 2, 'one result per event');
  for (const result of results) acknowledged(result);
  deliveries.push(results[1].transactionId); // the topic's event
});

await report.step('bulkTrigger', async () => {
  const results = enveloped(await novu.bulkTrigger(bulkEvents()), 201);
  assert.ok(Array.isArray(results) && results.length === 2, 'one result per event');
  for (const result of results) acknowledged(result);
  deliveries.push(results[1].transactionId);
});

await report.step('events.broadcast', async () => {
  const result = enveloped(await novu.events.broadcast(made.trigger, { payload: { name: 'everyone' } }), 201);
  acknowledged(result);
  deliveries.push(result.transactionId);
});

await report.step('broadcast', async () => {
  const result = enveloped(await novu.broadcast(made.trigger, { payload: { name: 'everyone' }, transactionId: `tour-tx-b-${run}` }), 201);
  acknowledged(result, `tour-tx-b-${run}`);
  deliveries.push(result.transactionId);
});

// The tour's workflow has no delay or digest step, so nothing is left to cancel: Novu answers
// false.
await report.step('events.cancel', async () => {
  assert.equal(enveloped(await novu.events.cancel(transactions.first), 200), false);
});

// ---------------------------------------------------------------------------------------------
// The subscriber's in-app feed and its messages

/**
 * The subscriber's feed once an in-app message of each of `transactionIds` is in it: Novu
 * delivers in its worker, after the trigger's answer (waits at most 10 s).
 */
async function delivered(transactionIds) {
  let missing = transactionIds;
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const answer = await novu.subscribers.getNotificationsFeed(subscriberId, { page: 0, limit: 100 });
    const arrived = new Set(answer.data.data.map((each) => each.transactionId));
    missing = transactionIds.filter((each) => !arrived.has(each));
    if (missing.length === 0) return answer;
    await sleep(200);
  }
  assert.fail(`no in-app message of transactions ${missing.join(', ')} reached ${subscriberId} within 10 s`);
}

await report.step('subscribers.getNotificationsFeed', async () => {
  const answer = await delivered(deliveries);
  const feed = page(answer, ['page', 'pageSize', 'totalCount', 'hasMore']);
  assert.equal(feed.page, 0);
  assert.equal(feed.pageSize, 100);
  assert.equal(feed.data.length, deliveries.length, 'one message per transaction that reached the subscriber');
  const message = feed.data.find((each) => each.transactionId === transactions.first);
  made.message = message;
  assertObjectId(message._id, 'message._id');
  assert.equal(message.channel, 'in_app');
  assert.equal(message.seen, false);
  assert.equal(message.read, false);
  // The same feed with a payload filter, which the SDK sends as base64-encoded JSON.
  const filtered = await novu.subscribers.getNotificationsFeed(subscriberId, { page: 0, limit: 100, payload: { name: 'Ada' } });
  assert.ok(filtered.data.data.every((each) => each.payload?.name === 'Ada'), 'the payload filter let another message through');
  assert.ok(filtered.data.data.some((each) => each._id === message._id), 'the payload filter left out a matching message');
  // Novu renders a template with the payload's keys at the top level beside `subscriber`,
  // `step`, `tenant` and `actor`, so {{name}} is payload.name.
  assert.equal(message.content, 'Hello again Ada', 'the in-app content rendered {{name}} from the payload');
});

await report.step('subscribers.getUnseenCount', async () => {
  const unseen = enveloped(await novu.subscribers.getUnseenCount(subscriberId, false), 200);
  assert.equal(unseen.count, deliveries.length, 'every delivered message is unseen');
});

await report.step('subscribers.markMessageSeen', async () => {
  const messages = enveloped(await novu.subscribers.markMessageSeen(subscriberId, made.message?._id), 201);
  assert.ok(Array.isArray(messages) && messages.length === 1, 'expected the one marked message');
  assert.equal(messages[0]._id, made.message._id);
  assert.equal(messages[0].seen, true);
});

await report.step('subscribers.markMessageRead', async () => {
  const messages = enveloped(await novu.subscribers.markMessageRead(subscriberId, made.message?._id), 201);
  assert.equal(messages[0]._id, made.message._id);
  assert.equal(messages[0].read, true);
});

await report.step('subscribers.markMessageAs', async () => {
  const messages = enveloped(await novu.subscribers.markMessageAs(subscriberId, made.message?._id, { seen: false, read: false }), 201);
  assert.equal(messages[0]._id, made.message._id);
  assert.equal(messages[0].seen, false);
  assert.equal(messages[0].read, false);
});

await report.step('subscribers.markMessageActionSeen', async () => {
  const answer = await novu.subscribers.markMessageActionSeen(subscriberId, made.message?._id, 'primary', { status: 'done', payload: { clicked: true } });
  const message = enveloped(answer, 201);
  assert.equal(message._id, made.message._id);
  assert.equal(message.cta.action.status, 'done');
  assert.equal(message.cta.action.result.type, 'primary');
  assert.deepEqual(message.cta.action.result.payload, { clicked: true });
});

await report.step('subscribers.markAllMessagesAs', async () => {
  const modified = enveloped(await novu.subscribers.markAllMessagesAs(subscriberId, 'seen'), 201);
  // markMessageAs made the first message unseen again, so every message changes.
  assert.equal(modified, deliveries.length, 'the count of messages marked');
  assert.equal(enveloped(await novu.subscribers.getUnseenCount(subscriberId, false), 200).count, 0);
});

await report.step('messages.list', async () => {
  const listed = page(await novu.messages.list({ subscriberId, channel: 'in_app', limit: 100 }), ['page', 'pageSize', 'totalCount', 'hasMore']);
  assert.equal(listed.pageSize, 100);
  assert.ok(listed.data.some((each) => each._id === made.message?._id), 'the delivered message is not listed');
  assert.ok(listed.data.every((each) => each.channel === 'in_app'));
});

await report.step('executionDetails.get', async () => {
  const details = enveloped(await novu.executionDetails.get({ notificationId: made.message?._notificationId, subscriberId }), 200);
  assert.ok(Array.isArray(details) && details.length > 0, 'a delivered message has execution details');
  assert.ok(details.every((each) => each._notificationId === made.message._notificationId));
});

await report.step('messages.deleteById', async () => {
  const outcome = enveloped(await novu.messages.deleteById(made.message?._id), 200);
  assert.deepEqual(outcome, { acknowledged: true, status: 'deleted' });
});

await report.step('messages.deleteByTransactionId', async () => {
  noContent(await novu.messages.deleteByTransactionId(transactions.second));
  const listed = await novu.messages.list({ subscriberId, transactionIds: [transactions.second] });
  assert.deepEqual(listed.data.data, [], 'the transaction\'s messages are still listed');
});

// ---------------------------------------------------------------------------------------------
// Deleting what the tour made

await report.step('topics.removeSubscribers', async () => {
  noContent(await novu.topics.removeSubscribers(topicKey, { subscribers: [subscriberId] }));
  assert.deepEqual(enveloped(await novu.topics.get(topicKey), 200).subscribers, []);
});

await report.step('topics.delete', async () => {
  noContent(await novu.topics.delete(topicKey));
});

await report.step('tenants.delete', async () => {
  noContent(await novu.tenants.delete(tenantIdentifier));
});

await report.step('subscribers.delete', async () => {
  const outcome = enveloped(await novu.subscribers.delete(subscriberId), 200);
  assert.deepEqual(outcome, { acknowledged: true, status: 'deleted' });
  await refused(() => novu.subscribers.get(subscriberId), 404, `Subscriber not found for id ${subscriberId}`);
  for (const bulk of [`tour-bulk-a-${run}`, `tour-bulk-b-${run}`]) enveloped(await novu.subscribers.delete(bulk), 200);
});

// Novu refuses a status equal to the current one, and an inactive workflow is not delivered:
// the status changes to inactive just before the workflow is deleted.
await report.step('notificationTemplates.updateStatus', async () => {
  const workflow = enveloped(await novu.notificationTemplates.updateStatus(made.workflow?._id, false), 200);
  assert.equal(workflow._id, made.workflow._id);
  assert.equal(workflow.active, false);
});

await report.step('notificationTemplates.delete', async () => {
  assert.equal(enveloped(await novu.notificationTemplates.delete(made.workflow?._id), 200), true);
});

await report.step('notificationGroups.delete', async () => {
  const outcome = enveloped(await novu.notificationGroups.delete(made.group?._id), 200);
  assert.deepEqual(outcome, { acknowledged: true, status: 'deleted' });
});

// The tour's layout is the default now, which Novu will not delete: a second layout is made
// and deleted.
await report.step('layouts.delete', async () => {
  const spare = enveloped(await novu.layouts.create({ name: `Tour spare ${run}`, identifier: `tour-spare-${run}`, content: layoutContent }), 201);
  noContent(await novu.layouts.delete(spare._id));
});

await report.step('feeds.delete', async () => {
  const remaining = enveloped(await novu.feeds.delete(made.feed?._id), 200);
  assert.ok(Array.isArray(remaining), 'expected the remaining feeds');
  assert.ok(!remaining.some((each) => each._id === made.feed._id), 'the deleted feed is still listed');
});

await report.step('integrations.delete', async () => {
  const remaining = enveloped(await novu.integrations.delete(made.integration?._id), 200);
  assert.ok(Array.isArray(remaining), 'expected the remaining integrations');
  assert.ok(!remaining.some((each) => each._id === made.integration._id), 'the deleted integration is still listed');
  // Unlike the list, the answer holds the key's environment only.
  assert.ok(remaining.every((each) => each._environmentId === environment._id), 'the answer lists another environment\'s integration');
  // The integration made in another environment goes too (Novu finds it in the organization),
  // and the email one.
  assert.ok(made.elsewhere, 'no integration was made in another environment (integrations.getAll failed)');
  enveloped(await novu.integrations.delete(made.elsewhere._id), 200);
  if (made.emailIntegration) enveloped(await novu.integrations.delete(made.emailIntegration._id), 200);
});

// The organization's only member is the API key's own user, and Novu will not remove the
// caller: 400 'Cannot remove self from members'.
await report.step('organizations.removeMember', async () => {
  const keys = enveloped(await novu.environments.getApiKeys(), 200);
  const self = made.members?.find((each) => each._userId === keys[0]._userId);
  assert.ok(self, 'the key\'s user is not among the members');
  await refused(() => novu.organizations.removeMember(self._id), 400, 'Cannot remove self from members');
});

// ---------------------------------------------------------------------------------------------
// Every method of the SDK's client is one step above; the summary says so or names the rest.

process.exit(report.finish(novu));
