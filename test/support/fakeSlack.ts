// A local fake of the Slack Web API (and of response_url) for the bot's tests. It answers the
// methods the app uses with Slack's shapes (`ok`, `ts`, `channel`, `error`), records every
// call, and can be told to answer 429 with Retry-After, answer 500 (before or after doing the
// work), never answer, or be down (connections refused) for a while. It can also hold back the answer to one call after carrying it out
// (to kill the caller in between), tell callers apart by their bot token, keep message
// `metadata`, and answer conversations.history / conversations.replies. DMs exist only once
// opened with conversations.open; unknown users, missing channels and channels the bot is not
// in answer user_not_found, channel_not_found and not_in_channel, as Slack does. User groups
// (usergroups.users.list) are set with `userGroups`; a scope taken away with `withoutScope`
// answers missing_scope as Slack does.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  /** HTTP status the fake answered with (0: it never answered). */
  status: number;
  at: number;
  /** The bot token the call carried (Bearer). */
  token?: string;
  /** What the fake answered (for a 200). */
  response?: Record<string, unknown>;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  threadTs: string | null;
  text: string;
  blocks: unknown[];
  edits: number;
  /** chat.postMessage's `metadata` ({ event_type, event_payload }), when given. */
  metadata?: unknown;
  /** The person who wrote it (messages people post, see `postAsPerson`); absent for the bot's. */
  user?: string;
}

/**
 * An HTTP failure, or (status 200) a Web API error such as `not_in_channel`. With
 * `afterDoing`, the call is carried out first (a post is stored) and then answered 500, or
 * (status 'timeout') never answered, as real Slack sometimes does.
 */
type Failure = { status: 429; retryAfter: number } | { status: 500; afterDoing?: boolean } | { status: 'timeout' } | { status: 200; error: string };

export class FakeSlack {
  readonly calls: RecordedCall[] = [];
  /** Messages as Slack would now show them, by ts. */
  readonly messages = new Map<string, StoredMessage>();
  readonly views: Array<{ method: string; view: Record<string, unknown>; userId?: string }> = [];
  /** DM channels opened with conversations.open: channel id -> user id. Posting to a D… id not opened here is channel_not_found, as in Slack. */
  readonly directMessages = new Map<string, string>();
  /** Users Slack does not know (conversations.open answers user_not_found). */
  readonly unknownUsers = new Set<string>();
  /** Channels that exist but the bot is not a member of (chat.postMessage answers not_in_channel). */
  readonly channelsWithoutBot = new Set<string>();
  /** Channel ids that do not exist in the workspace (chat.postMessage answers channel_not_found). */
  readonly missingChannels = new Set<string>();
  readonly token: string;
  /**
   * Channels the bot cannot post in, with the error Slack gives there: `not_in_channel` (a
   * public channel it is not in) or `channel_not_found` (a private channel or DM it cannot see).
   * Delete a channel to let the bot in (then send member_joined_channel, as Slack would).
   */
  readonly closedChannels = new Map<string, 'not_in_channel' | 'channel_not_found'>();
  /** Slack user groups: id (S…) → member user ids. */
  readonly userGroups = new Map<string, string[]>();
  /** Scopes the bot token lacks (every method needing one answers missing_scope). */
  private readonly missingScopes = new Set<string>();
  /** trigger_ids Slack no longer accepts (3 seconds passed): views.open answers expired_trigger_id. */
  readonly expiredTriggers = new Set<string>();
  /** trigger_ids already used to open a view: Slack answers exchanged_trigger_id to a second views.open. */
  private readonly usedTriggers = new Set<string>();
  private readonly failures: Array<{ failure: Failure; methods: string[] | null }> = [];
  private readonly tokens: Set<string>;
  private readonly holds: Array<{ matches: (call: RecordedCall) => boolean; held: (call: RecordedCall) => void; released: Promise<void> }> = [];
  private server: Server;
  private port = 0;
  private seq = 0;

  constructor(opts: { token?: string; otherTokens?: string[] } = {}) {
    this.token = opts.token ?? 'xoxb-test-token';
    this.tokens = new Set([this.token, ...(opts.otherTokens ?? [])]);
    this.server = this.createServer();
  }

  /** Base URL for SLACK_API_URL. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  /** A response_url the fake records posts to. */
  responseUrl(id = 'r1'): string {
    return `http://127.0.0.1:${this.port}/respond/${id}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Refuses connections until up() (the port is closed, as when Slack is unreachable). */
  async down(): Promise<void> {
    await this.stop();
  }

  async up(): Promise<void> {
    this.server = this.createServer();
    await this.start();
  }

  /** Answers the next `count` calls (of `methods`, or any) with the failure. */
  failNext(count: number, failure: Failure, methods: string[] | null = null): void {
    for (let i = 0; i < count; i++) this.failures.push({ failure, methods });
  }

  /**
   * The next call that `matches` is carried out (a post is stored) but its answer waits until
   * `release()`: `held` resolves when such a call arrived, so the caller can be killed meanwhile.
   */
  hold(matches: (call: RecordedCall) => boolean): { held: Promise<RecordedCall>; release: () => void } {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held!: (call: RecordedCall) => void;
    const heldPromise = new Promise<RecordedCall>((resolve) => (held = resolve));
    this.holds.push({ matches, held, released });
    return { held: heldPromise, release };
  }

  /** The app was installed without `scope`: methods needing it answer missing_scope, naming it. */
  withoutScope(scope: string): void {
    this.missingScopes.add(scope);
  }

  /** The app was reinstalled with every scope it asks for. */
  clearMissingScopes(): void {
    this.missingScopes.clear();
  }

  /** Forgets failures not answered yet (Slack has recovered). */
  clearFailures(): void {
    this.failures.splice(0);
  }

  /** A message a person wrote in `channel` (text as Slack stores it: mrkdwn, `&amp;` `&lt;` `&gt;` escaped), as if posted from a Slack client. */
  postAsPerson(channel: string, user: string, text: string): StoredMessage {
    const message: StoredMessage = { channel, ts: this.nextTs(), threadTs: null, text, blocks: [], edits: 0, user };
    this.messages.set(message.ts, message);
    return message;
  }

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200);
  }

  private createServer(): Server {
    return createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const args = parseArgs(raw, String(req.headers['content-type'] ?? ''));
    if (url.pathname.startsWith('/respond/')) {
      this.record('response_url', { ...args, id: url.pathname.slice('/respond/'.length) }, 200);
      return send(res, 200, { ok: true });
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const index = this.failures.findIndex((f) => !f.methods || f.methods.includes(method));
    if (index >= 0) {
      const { failure } = this.failures.splice(index, 1)[0]!;
      if (failure.status === 'timeout' || (failure.status === 500 && failure.afterDoing)) {
        // Done in Slack, but the caller never learns it: 500 after the work, or no answer at all.
        this.record(method, args, failure.status === 500 ? 500 : 0).response = this.answer(method, args);
        if (failure.status === 500) return send(res, 500, { ok: false, error: 'internal_error' });
        return;
      }
      this.record(method, args, failure.status);
      if (failure.status === 429) return send(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter) });
      if (failure.status === 200) return send(res, 200, { ok: false, error: failure.error });
      return send(res, 500, { ok: false, error: 'internal_error' });
    }
    const token = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
    const call = this.record(method, args, 200, token);
    if (!this.tokens.has(token)) return send(res, 200, { ok: false, error: 'invalid_auth' });
    call.response = this.answer(method, args);
    const hold = this.holds.findIndex((h) => h.matches(call));
    if (hold >= 0) {
      const [{ held, released }] = this.holds.splice(hold, 1) as [(typeof this.holds)[number]];
      held(call);
      await released;
    }
    send(res, 200, call.response);
  }

  private record(method: string, args: Record<string, unknown>, status: number, token?: string): RecordedCall {
    const call: RecordedCall = { method, args, status, at: Date.now(), ...(token === undefined ? {} : { token }) };
    this.calls.push(call);
    return call;
  }

  private nextTs(): string {
    this.seq += 1;
    return `1700000000.${String(this.seq).padStart(6, '0')}`;
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    const closed = typeof args.channel === 'string' ? this.closedChannels.get(args.channel) : undefined;
    if (closed && /^(chat\.|conversations\.)/.test(method)) return { ok: false, error: closed };
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'missioncontrol', team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'chat.postMessage': {
        if (!args.channel) return { ok: false, error: 'channel_not_found' };
        const target = String(args.channel);
        if (this.missingChannels.has(target) || (target.startsWith('D') && !this.directMessages.has(target))) return { ok: false, error: 'channel_not_found' };
        if (this.channelsWithoutBot.has(target)) return { ok: false, error: 'not_in_channel' };
        const ts = this.nextTs();
        const message: StoredMessage = {
          channel: String(args.channel),
          ts,
          threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : null,
          text: String(args.text ?? ''),
          blocks: (args.blocks as unknown[]) ?? [],
          edits: 0,
          ...(args.metadata === undefined ? {} : { metadata: args.metadata }),
        };
        this.messages.set(ts, message);
        return { ok: true, channel: message.channel, ts, message: { type: 'message', text: message.text, ts } };
      }
      case 'chat.update': {
        const message = this.messages.get(String(args.ts));
        if (!message || message.channel !== args.channel) return { ok: false, error: 'message_not_found' };
        message.text = String(args.text ?? '');
        message.blocks = (args.blocks as unknown[]) ?? [];
        message.edits += 1;
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'conversations.history':
      case 'conversations.replies': {
        // Newest first, as Slack answers; history shows the channel's top-level messages, replies a thread (parent first).
        const channel = String(args.channel ?? '');
        const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
        const all = [...this.messages.values()].filter((m) => m.channel === channel);
        const picked =
          method === 'conversations.history' ? all.filter((m) => m.threadTs === null).reverse() : all.filter((m) => m.ts === args.ts || m.threadTs === args.ts);
        if (method === 'conversations.replies' && !picked.some((m) => m.ts === args.ts)) return { ok: false, error: 'thread_not_found' };
        const oldest = Number(args.oldest ?? 0);
        const messages = picked
          .filter((m) => Number(m.ts) >= oldest)
          .map((m) => ({
            type: 'message',
            ts: m.ts,
            text: m.text,
            ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
            ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}),
          }));
        return { ok: true, messages, has_more: false, response_metadata: { next_cursor: '' } };
      }
      case 'conversations.open': {
        // One person: the bot's DM with them (the same id every time, as Slack answers).
        const users = String(args.users ?? '')
          .split(',')
          .map((u) => u.trim())
          .filter(Boolean);
        if (users.length === 0) return { ok: false, error: 'users_list_not_supplied' };
        if (users.length > 1) return { ok: false, error: 'not_implemented_in_fake' };
        const user = users[0]!;
        if (user === 'U0BOT') return { ok: false, error: 'cannot_dm_bot' };
        if (!/^[UW][A-Z0-9]+$/.test(user) || this.unknownUsers.has(user)) return { ok: false, error: 'user_not_found' };
        const id = `D${user.slice(1)}`;
        const already = this.directMessages.has(id);
        this.directMessages.set(id, user);
        return { ok: true, ...(already ? { no_op: true, already_open: true } : {}), channel: { id } };
      }
      case 'chat.getPermalink': {
        const message = this.messages.get(String(args.message_ts));
        if (!message || message.channel !== args.channel) return { ok: false, error: 'message_not_found' };
        const base = `https://fake.slack.com/archives/${message.channel}/p${message.ts.replace('.', '')}`;
        return { ok: true, channel: message.channel, permalink: message.threadTs ? `${base}?thread_ts=${message.threadTs}&cid=${message.channel}` : base };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.nextTs() };
      case 'views.open': {
        // As Slack: a trigger is needed, lives 3 seconds and opens one view; a view over its limits is refused whole.
        const trigger = typeof args.trigger_id === 'string' ? args.trigger_id : '';
        if (!trigger) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } };
        if (this.expiredTriggers.has(trigger)) return { ok: false, error: 'expired_trigger_id' };
        if (this.usedTriggers.has(trigger)) return { ok: false, error: 'exchanged_trigger_id' };
        const view = (args.view ?? {}) as { blocks?: unknown[]; title?: { text?: string } };
        if ((view.blocks?.length ?? 0) > 100 || (view.title?.text?.length ?? 0) > 24)
          return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] view exceeds Block Kit limits'] } };
        this.usedTriggers.add(trigger);
        this.views.push({ method, view: view as Record<string, unknown>, ...(typeof args.user_id === 'string' ? { userId: args.user_id } : {}) });
        return { ok: true, view: { id: `V${this.seq++}`, ...view } };
      }
      case 'views.publish':
      case 'views.update': {
        const view = (args.view ?? {}) as Record<string, unknown>;
        this.views.push({ method, view, ...(typeof args.user_id === 'string' ? { userId: args.user_id } : {}) });
        return { ok: true, view: { id: `V${this.seq++}`, ...view } };
      }
      case 'usergroups.users.list': {
        if (this.missingScopes.has('usergroups:read'))
          return { ok: false, error: 'missing_scope', needed: 'usergroups:read', provided: 'commands,chat:write,users:read' };
        if (!args.usergroup) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: usergroup'] } };
        const members = this.userGroups.get(String(args.usergroup));
        if (!members) return { ok: false, error: 'no_such_subteam' };
        return { ok: true, users: [...members] };
      }
      case 'users.info':
        return { ok: true, user: { id: args.user, name: `user-${String(args.user).toLowerCase()}`, real_name: `User ${String(args.user)}` } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const form = parseQuery(raw);
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(form)) {
    const text = Array.isArray(value) ? value[0]! : (value ?? '');
    // WebClient sends nested values (blocks, view) as JSON strings inside the form.
    args[key] = /^[[{]/.test(text) ? safeJson(text) : text;
  }
  return args;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}
