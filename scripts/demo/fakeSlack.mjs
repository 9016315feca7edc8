// A local fake of the Slack Web API (and of response_url) for the demo and the benchmarks: no
// network, no credentials. It answers the methods the bot uses with Slack's shapes (`ok`, `ts`,
// `channel`, `error`), keeps the messages as Slack would show them (edits applied), and records
// every call. The same behaviour as test/support/fakeSlack.ts (which the tests use), in plain
// JavaScript so it runs from the built app without the test tree.
import { createServer } from 'node:http';
import { parse as parseQuery } from 'node:querystring';

export class FakeSlack {
  /** @type {Array<{ method: string, args: Record<string, unknown>, status: number, at: number }>} */
  calls = [];
  /** Messages as Slack would now show them, by ts (insertion order = posting order). */
  messages = new Map();
  /** Modals opened and App Home views published. */
  views = [];
  #server;
  #port = 0;
  #seq = 0;

  constructor(opts = {}) {
    this.token = opts.token ?? 'xoxb-demo-token';
    // Benchmarks on seeded databases: messages posted before this fake started (their ts are in the
    // database) exist, as they would in Slack, so editing them succeeds.
    this.knowsEarlierMessages = opts.knowsEarlierMessages ?? false;
    this.#server = createServer((req, res) => void this.#handle(req, res));
    // Keep idle connections open longer than any client does (as Slack's API does): with Node's
    // default 5 s, a busy machine makes clients reuse a connection the fake is closing (ECONNRESET).
    this.#server.keepAliveTimeout = 65_000;
  }

  /** Base URL for SLACK_API_URL. */
  get apiUrl() {
    return `http://127.0.0.1:${this.#port}/api/`;
  }

  /** A response_url the fake records posts to. */
  responseUrl(id = 'r1') {
    return `http://127.0.0.1:${this.#port}/respond/${id}`;
  }

  async start() {
    await new Promise((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = this.#server.address().port;
  }

  async stop() {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(() => resolve()));
  }

  /** Successful calls of one Web API method. */
  callsTo(method) {
    return this.calls.filter((c) => c.method === method && c.status === 200);
  }

  /** Messages carrying a button with this action id, oldest first. */
  /** Messages in the mission's channel (not the approvers' DMs) that carry a button with this action id. */
  messagesWith(actionId) {
    return [...this.messages.values()].filter((m) => !m.channel.startsWith('D') && JSON.stringify(m.blocks).includes(`"action_id":"${actionId}"`));
  }

  async #handle(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const args = parseArgs(raw, String(req.headers['content-type'] ?? ''));
    if (url.pathname.startsWith('/respond/')) {
      this.#record('response_url', { ...args, id: url.pathname.slice('/respond/'.length) });
      return send(res, { ok: true });
    }
    const method = url.pathname.replace(/^\/api\//, '');
    this.#record(method, args);
    if (req.headers.authorization !== `Bearer ${this.token}`) return send(res, { ok: false, error: 'invalid_auth' });
    send(res, this.#answer(method, args));
  }

  #record(method, args) {
    this.calls.push({ method, args, status: 200, at: Date.now() });
  }

  #nextTs() {
    this.#seq += 1;
    return `1700000000.${String(this.#seq).padStart(6, '0')}`;
  }

  #answer(method, args) {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'missioncontrol', team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'chat.postMessage': {
        if (!args.channel) return { ok: false, error: 'channel_not_found' };
        const ts = this.#nextTs();
        const message = {
          channel: String(args.channel),
          ts,
          threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : null,
          text: String(args.text ?? ''),
          blocks: Array.isArray(args.blocks) ? args.blocks : [],
          edits: 0,
        };
        this.messages.set(ts, message);
        return { ok: true, channel: message.channel, ts, message: { type: 'message', text: message.text, ts } };
      }
      case 'chat.update': {
        if (!this.messages.has(String(args.ts)) && this.knowsEarlierMessages) {
          this.messages.set(String(args.ts), { channel: String(args.channel), ts: String(args.ts), threadTs: null, text: '', blocks: [], edits: 0 });
        }
        const message = this.messages.get(String(args.ts));
        if (!message || message.channel !== args.channel) return { ok: false, error: 'message_not_found' };
        message.text = String(args.text ?? '');
        message.blocks = Array.isArray(args.blocks) ? args.blocks : [];
        message.edits += 1;
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'conversations.open': {
        // The bot's DM with one person (approvers are sent each approval request there).
        const user = String(args.users ?? '');
        if (!/^[UW][A-Z0-9]+$/.test(user)) return { ok: false, error: 'user_not_found' };
        return { ok: true, channel: { id: `D${user.slice(1)}` } };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: this.#nextTs() };
      case 'views.open':
      case 'views.publish':
      case 'views.update': {
        const view = args.view ?? {};
        this.views.push({ method, view, ...(typeof args.user_id === 'string' ? { userId: args.user_id } : {}) });
        return { ok: true, view: { id: `V${this.#seq++}`, ...view } };
      }
      case 'users.info':
        return { ok: true, user: { id: args.user, name: `user-${String(args.user).toLowerCase()}`, real_name: `User ${String(args.user)}` } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function parseArgs(raw, contentType) {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw);
  const args = {};
  for (const [key, value] of Object.entries(parseQuery(raw))) {
    const text = Array.isArray(value) ? value[0] : (value ?? '');
    // WebClient sends nested values (blocks, view) as JSON strings inside the form.
    args[key] = /^[[{]/.test(text) ? safeJson(text) : text;
  }
  return args;
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(res, body) {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
