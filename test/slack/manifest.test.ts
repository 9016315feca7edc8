// The Slack app manifests ask for exactly what the code uses: every Web API method called in
// src/ (found by reading the source, checked against the methods a WebClient really has) and
// every event subscribed to needs its scopes from the tables below, and the manifest lists
// those scopes and no others. A new call without its scope, or a scope nothing uses, fails here.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { MISSION_COMMAND } from '../../src/slack/commandHandlers.js';
import { START_MISSION_SHORTCUT } from '../../src/slack/shortcutHandlers.js';
import { parseManifestYaml, type YamlValue } from '../support/manifestYaml.js';

const root = path.join(import.meta.dirname, '..', '..');

/**
 * Bot scopes each Web API method needs, as Slack documents them. Missions live in public and
 * private channels and in DMs, so methods that read a conversation need the scope of each kind.
 */
const METHOD_SCOPES: Record<string, readonly string[]> = {
  'auth.test': [],
  // chat:write.public: a mission's thread may start in a public channel the bot was never invited to.
  'chat.postMessage': ['chat:write', 'chat:write.public'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.getPermalink': [],
  'conversations.history': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.replies': ['channels:history', 'groups:history', 'im:history', 'mpim:history'],
  'conversations.open': ['im:write'],
  'conversations.info': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'conversations.members': ['channels:read', 'groups:read', 'im:read', 'mpim:read'],
  'users.info': ['users:read'],
  'users.lookupByEmail': ['users:read.email'],
  'usergroups.users.list': ['usergroups:read'],
  'usergroups.list': ['usergroups:read'],
  'views.open': [],
  'views.publish': [],
  'views.update': [],
  'views.push': [],
  'reactions.add': ['reactions:write'],
  'files.uploadV2': ['files:write'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
};

/** Bot scopes each Events API event needs. */
const EVENT_SCOPES: Record<string, readonly string[]> = {
  app_home_opened: [],
  app_mention: ['app_mentions:read'],
  member_joined_channel: ['channels:read', 'groups:read'],
  'message.im': ['im:history'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const SOURCES = sourceFiles(path.join(root, 'src')).map((file) => ({ file: path.relative(root, file), text: readFileSync(file, 'utf8') }));

/**
 * Every Web API method named in a call: `this.opts.client.chat.update(`, `client.chat\n  .getPermalink(`,
 * `(a ?? b).chat.postMessage(`, `apiCall('users.info'`. A dotted call counts when some tail of it
 * is a method a WebClient really has (its API methods are bound `apiCall`s, so `evidence.files.map(`
 * or `client.logger.warn(` are not taken for one).
 */
function webApiMethodsCalled(): Map<string, string[]> {
  const client = new WebClient() as unknown as Record<string, unknown>;
  const isMethod = (name: string) => {
    const fn = name
      .split('.')
      .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), client);
    return typeof fn === 'function' && /^bound (apiCall|files\w+)$/.test(fn.name);
  };
  const found = new Map<string, string[]>();
  for (const { file, text } of SOURCES) {
    const chains = [...text.matchAll(/[A-Za-z_$][\w$]*(?:\s*\??\.\s*[A-Za-z_$][\w$]*)+(?=\s*\()/g)].map((m) => m[0].replace(/[\s?]/g, '').split('.'));
    const names = [
      ...chains.map((parts) => parts.map((_, i) => parts.slice(i).join('.')).find((tail) => tail.includes('.') && isMethod(tail))),
      ...[...text.matchAll(/apiCall\(\s*['"`]([\w.]+)['"`]/g)].map((m) => m[1]!),
    ];
    for (const name of names) {
      if (!name) continue;
      found.set(name, [...(found.get(name) ?? []), file]);
    }
  }
  return found;
}

function eventsSubscribed(): string[] {
  return [...new Set(SOURCES.flatMap(({ text }) => [...text.matchAll(/\.event\(\s*['"]([\w.]+)['"]/g)].map((m) => m[1]!)))].sort();
}

type Manifest = {
  features: { app_home: Record<string, boolean>; shortcuts?: Array<Record<string, string>>; slash_commands?: Array<Record<string, YamlValue>> };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[]; request_url?: string }; interactivity: Record<string, YamlValue>; socket_mode_enabled: boolean };
};
const readManifest = (name: string) => parseManifestYaml(readFileSync(path.join(root, 'slack', name), 'utf8')) as unknown as Manifest;
const MANIFESTS = ['manifest.yml', 'manifest.socket-mode.yml'] as const;

describe('Slack app manifests', () => {
  const called = webApiMethodsCalled();

  it('finds the Web API calls the code makes (the scan itself works)', () => {
    // Calls known to exist today; if one moves or goes, update this list, not the scan.
    for (const method of [
      'chat.postMessage',
      'chat.update',
      'chat.postEphemeral',
      'chat.getPermalink',
      'conversations.open',
      'views.open',
      'views.publish',
      'auth.test',
    ]) {
      expect([...called.keys()]).toContain(method);
    }
    // Not a Web API call: `evidence.files.map(` in the domain is an array.
    expect([...called.keys()].some((m) => m.startsWith('files.map'))).toBe(false);
  });

  it('knows the scopes of every Web API method the code calls', () => {
    const unknown = [...called.entries()]
      .filter(([method]) => !(method in METHOD_SCOPES))
      .map(([method, files]) => `${method} (called in ${files.join(', ')})`);
    expect(unknown, 'add these methods, with the bot scopes Slack documents for them, to METHOD_SCOPES').toEqual([]);
    const unknownEvents = eventsSubscribed().filter((event) => !(event in EVENT_SCOPES));
    expect(unknownEvents, 'add these events, with their scopes, to EVENT_SCOPES').toEqual([]);
  });

  it.each(MANIFESTS)('%s requests exactly the bot scopes the code uses', (name) => {
    const manifest = readManifest(name);
    const needed = new Set<string>(['commands']);
    for (const method of called.keys()) for (const scope of METHOD_SCOPES[method] ?? []) needed.add(scope);
    for (const event of eventsSubscribed()) for (const scope of EVENT_SCOPES[event] ?? []) needed.add(scope);
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it.each(MANIFESTS)('%s subscribes to the events the code handles, and declares the command and the shortcut', (name) => {
    const manifest = readManifest(name);
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(eventsSubscribed());
    expect(eventsSubscribed()).toEqual(expect.arrayContaining(['app_home_opened', 'app_mention', 'member_joined_channel']));
    expect(manifest.features.slash_commands?.map((c) => c.command)).toEqual([MISSION_COMMAND]);
    expect(manifest.features.shortcuts).toEqual([expect.objectContaining({ type: 'message', callback_id: START_MISSION_SHORTCUT })]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    // Refusals and approval requests sent as DMs must be readable: the Messages tab is on (read-only).
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true, messages_tab_read_only_enabled: true });
  });

  it('has an HTTP manifest with request URLs and a Socket Mode manifest without any, otherwise the same', () => {
    const http = readManifest('manifest.yml');
    const socket = readManifest('manifest.socket-mode.yml');
    expect(http.settings.socket_mode_enabled).toBe(false);
    expect(http.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect(http.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(http.features.slash_commands?.[0]?.url).toMatch(/\/slack\/events$/);
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(JSON.stringify(socket)).not.toMatch(/"(request_)?url"/);
    const withoutUrls = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'url' || key === 'request_url' || key === 'socket_mode_enabled' ? undefined : v)));
    expect(withoutUrls(socket)).toEqual(withoutUrls(http));
  });
});
