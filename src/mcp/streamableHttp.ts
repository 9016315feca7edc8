// MCP over Streamable HTTP at /mcp, inside `mission-control start`.
//
// Every request is checked before anything else: the Host header (DNS rebinding protection
// when listening on loopback), then `Authorization: Bearer <token>`. A missing or wrong token
// gets 401 (with `WWW-Authenticate: Bearer ...`, RFC 6750) before the body is read, so it
// touches nothing.
//
// Sessions: stateful (the SDK's Mcp-Session-Id), one MCP server per session, bound to the
// token that opened it. Sessions are what make resource subscriptions, log notifications and
// the standalone notification stream possible; progress notifications ride on each POST's SSE
// response. A session holds no mission state (that is all in the database), only the
// connection, its subscriptions and its log level, so losing it costs little: a request with
// a session id this process does not know (after a restart, after 30 idle minutes, or landing
// on another instance) and a valid token is served on a session recreated under the same id
// and bound to that token, because real clients (the TS and Python SDKs, Claude Code) keep
// sending the old id and never re-initialize. A live session presented with another token is
// refused. Subscriptions and the log level of a recreated session start empty.
// With several instances, stateless mode (MCP_HTTP_STATELESS) is the other choice: every POST
// gets its own server and transport and no session exists, so any instance answers any
// request; subscriptions, log notifications and GET streams are then unavailable (and not
// advertised), while progress notifications still ride on each POST's response.
import type { PullRequestReader } from '../domain/trackers.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { MissionService } from '../domain/missionService.js';
import { createMcpServer, type McpServerOptions, type MissionMcpServer } from './createMcpServer.js';
import type { SlackPresence } from './slackPresence.js';
import { actorOf, bearerSecret, type McpTokenAuthenticator, type TokenIdentity } from './mcpTokens.js';
import type { McpLimits } from './toolRegistry.js';

type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export const MCP_PATH = '/mcp';
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];
const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** SSE comment frames at this interval keep quiet streams (a long wait_for_approval) alive through proxies that cut idle connections at 15-60 s. */
const DEFAULT_KEEP_ALIVE_MS = 10_000;
/** Session ids are visible ASCII (MCP spec); ours are UUIDs, a recreated one is the client's. */
const SESSION_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
export const AUTH_REALM = 'mission-control';

export interface McpHttpOptions {
  service: MissionService;
  logger: Logger;
  authenticator: McpTokenAuthenticator;
  readOnly: boolean;
  limits?: Partial<McpLimits>;
  /** Hostnames accepted in Host (and Origin) headers; null turns the check off. See allowedHostsFor. */
  allowedHosts: string[] | null;
  maxSessions?: number;
  /** Sessions with no request and no open stream for this long are closed. */
  sessionIdleMs?: number;
  /** How often open sessions' tokens are checked for revocation (their sessions and streams are closed at once). */
  revocationCheckMs?: number;
  maxBodyBytes?: number;
  /** The GitHub connector's pull request reader (link_pull_request). */
  pullRequests?: PullRequestReader | null;
  /** Where missions and approval requests are in Slack (start_mission, request_approval). */
  slackPresence?: SlackPresence | null;
  /** No sessions: each POST is served on its own (see the header comment). */
  stateless?: boolean;
  /** Interval of SSE keep-alive comments on open streams (default 10 s). */
  keepAliveMs?: number;
  /** wait_for_approval timing (tests shorten it). */
  approvalWait?: McpServerOptions['approvalWait'];
}

export interface McpHttpEndpoint {
  routes: Record<string, RouteHandler>;
  sessionCount(): number;
  close(): Promise<void>;
}

interface Session {
  id: string;
  tokenName: string;
  transport: StreamableHTTPServerTransport;
  mcp: MissionMcpServer;
  lastSeen: number;
  openStreams: number;
}

/**
 * The Host names /mcp accepts. Listening on loopback, only loopback names (plus any listed in
 * MCP_ALLOWED_HOSTS): a web page that rebinds its own domain to 127.0.0.1 cannot reach the
 * server. Listening elsewhere, the check is off unless hosts are listed, since the operator's
 * hostnames are not known here.
 */
export function allowedHostsFor(listenHost: string, extra: readonly string[]): string[] | null {
  const loopback = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(listenHost.toLowerCase()) || listenHost.startsWith('127.');
  if (loopback) return [...new Set([...LOOPBACK_HOSTS, listenHost.toLowerCase(), ...extra])];
  return extra.length > 0 ? [...extra] : null;
}

function hostnameOf(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  return value.split(':')[0]!;
}

function sendRpcError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

async function readJsonBody(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<{ ok: true; body: unknown } | { ok: false }> {
  if (Number(req.headers['content-length']) > maxBytes) {
    sendRpcError(res, 413, -32000, `Payload too large: the request body must not exceed ${maxBytes} bytes.`);
    return { ok: false };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      sendRpcError(res, 413, -32000, `Payload too large: the request body must not exceed ${maxBytes} bytes.`);
      return { ok: false };
    }
    chunks.push(chunk);
  }
  try {
    return { ok: true, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    sendRpcError(res, 400, -32700, 'Parse error: the request body is not valid JSON.');
    return { ok: false };
  }
}

/** A revoked token's open streams end within this long. */
const DEFAULT_REVOCATION_CHECK_MS = 3_000;

const HOW_TO_GET_A_TOKEN = 'Create a token with `mission-control token create --name NAME`.';

/** 401 with the RFC 6750 challenge: no error code when no bearer token came, invalid_token when one did and is unknown or revoked. */
function sendUnauthorized(res: ServerResponse, authorization: string | undefined): void {
  if (authorization === undefined || authorization.trim() === '') {
    sendRpcError(res, 401, -32001, `Unauthorized: no bearer token. Send Authorization: Bearer <token>. ${HOW_TO_GET_A_TOKEN}`, {
      'www-authenticate': `Bearer realm="${AUTH_REALM}"`,
    });
    return;
  }
  if (bearerSecret(authorization) === null) {
    sendRpcError(res, 401, -32001, `Unauthorized: the Authorization header is not a bearer token. Send Authorization: Bearer <token>. ${HOW_TO_GET_A_TOKEN}`, {
      'www-authenticate': `Bearer realm="${AUTH_REALM}"`,
    });
    return;
  }
  sendRpcError(
    res,
    401,
    -32001,
    `Unauthorized: the bearer token is not valid (unknown or revoked). Check the token in Authorization: Bearer <token>, or ${HOW_TO_GET_A_TOKEN.charAt(0).toLowerCase()}${HOW_TO_GET_A_TOKEN.slice(1)}`,
    {
      'www-authenticate': `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="The token is unknown or revoked"`,
    },
  );
}

/**
 * Makes a fresh transport answer for a session id it did not create, as if its initialize had
 * happened. SDK 1.32 has no option for this (an `existingSessionId` option was proposed in
 * modelcontextprotocol/typescript-sdk#1668), so this sets the two fields the transport's own
 * initialize sets; the restart test fails if a later SDK moves them.
 */
function resumeSessionId(transport: StreamableHTTPServerTransport, sessionId: string): void {
  const inner = (transport as unknown as { _webStandardTransport?: { sessionId?: string; _initialized?: boolean } })._webStandardTransport;
  if (inner?._initialized !== false)
    throw new Error('The MCP SDK transport changed shape: cannot resume a session id (see resumeSessionId in src/mcp/streamableHttp.ts).');
  inner.sessionId = sessionId;
  inner._initialized = true;
}

export function createMcpHttpEndpoint(options: McpHttpOptions): McpHttpEndpoint {
  const { logger, authenticator } = options;
  const sessions = new Map<string, Session>();
  const maxSessions = options.maxSessions ?? 1000;
  const idleMs = options.sessionIdleMs ?? 30 * 60_000;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  /** Sessions being recreated, so two requests with the same unknown id share one. */
  const resuming = new Map<string, Promise<Session>>();
  const allowed = options.allowedHosts ? new Set(options.allowedHosts.map((h) => h.toLowerCase())) : null;

  const closeSession = (session: Session, why: string) => {
    if (!sessions.delete(session.id)) return;
    logger.debug({ sessionId: session.id, token: session.tokenName, why }, 'MCP session closed');
    void session.mcp.close().catch(() => undefined);
  };

  const sweep = () => {
    const now = Date.now();
    for (const session of sessions.values()) if (session.openStreams === 0 && now - session.lastSeen > idleMs) closeSession(session, 'idle');
  };
  const sweeper = setInterval(sweep, Math.min(idleMs, 60_000));
  sweeper.unref();

  // Every request is authenticated again, but an open GET stream sends no request: a revoked
  // token's sessions (and their streams) are closed by this check instead.
  let checkingRevocation = false;
  const closeRevoked = async () => {
    if (checkingRevocation || sessions.size === 0) return;
    checkingRevocation = true;
    try {
      const revoked = await authenticator.revokedAmong([...sessions.values()].map((s) => s.tokenName));
      for (const session of sessions.values()) {
        if (revoked.has(session.tokenName)) {
          logger.info({ sessionId: session.id, token: session.tokenName }, 'MCP session closed: its token was revoked');
          closeSession(session, 'token revoked');
        }
      }
    } catch (error) {
      logger.warn({ err: error }, 'could not check MCP tokens for revocation; will try again');
    } finally {
      checkingRevocation = false;
    }
  };
  const revocationChecker = setInterval(() => void closeRevoked(), options.revocationCheckMs ?? DEFAULT_REVOCATION_CHECK_MS);
  revocationChecker.unref();

  const checkHost = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!allowed) return true;
    const host = req.headers.host ? hostnameOf(req.headers.host) : '';
    if (!allowed.has(host)) {
      sendRpcError(
        res,
        403,
        -32000,
        `Forbidden: Host "${req.headers.host ?? ''}" is not allowed (DNS rebinding protection). Use localhost or add the name to MCP_ALLOWED_HOSTS.`,
      );
      return false;
    }
    const origin = req.headers.origin;
    if (origin && origin !== 'null') {
      let originHost = '';
      try {
        originHost = hostnameOf(new URL(origin).host);
      } catch {
        // An unparsable Origin is treated as foreign.
      }
      if (!allowed.has(originHost)) {
        sendRpcError(res, 403, -32000, `Forbidden: Origin "${origin}" is not allowed (DNS rebinding protection).`);
        return false;
      }
    }
    return true;
  };

  /** One MCP server for one caller: a session's, or a single stateless request's. */
  const serverFor = (identity: TokenIdentity): MissionMcpServer =>
    createMcpServer({
      service: options.service,
      logger,
      actor: actorOf(identity),
      readOnly: options.readOnly,
      pullRequests: options.pullRequests ?? null,
      slackPresence: options.slackPresence ?? null,
      notifications: !options.stateless,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.approvalWait ? { approvalWait: options.approvalWait } : {}),
    });

  /** A new session: from an initialize (resumeId undefined), or recreated under the id a client still holds. */
  const openSession = async (identity: TokenIdentity, resumeId?: string): Promise<Session> => {
    const mcp = serverFor(identity);
    let session: Session | undefined;
    const register = (id: string, why: string) => {
      session = { id, tokenName: identity.name, transport, mcp, lastSeen: Date.now(), openStreams: 0 };
      sessions.set(id, session);
      logger.info({ sessionId: id, token: identity.name }, why);
      return session;
    };
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => resumeId ?? randomUUID(),
      onsessioninitialized: (id) => void register(id, 'MCP session opened'),
      onsessionclosed: (id) => {
        const s = sessions.get(id);
        if (s) closeSession(s, 'deleted by client');
      },
      maxRequestBodySize: maxBodyBytes,
      keepAliveMs,
    });
    transport.onclose = () => {
      if (session) closeSession(session, 'transport closed');
    };
    if (resumeId !== undefined) resumeSessionId(transport, resumeId);
    await mcp.connect(transport);
    if (resumeId !== undefined) return register(resumeId, 'MCP session recreated for a known token (restart, idle expiry or another instance)');
    return { id: '', tokenName: identity.name, transport, mcp, lastSeen: Date.now(), openStreams: 0 };
  };

  const resumeSession = (identity: TokenIdentity, sessionId: string): Promise<Session> => {
    const pending = resuming.get(sessionId);
    if (pending) return pending;
    const opening = openSession(identity, sessionId).finally(() => resuming.delete(sessionId));
    resuming.set(sessionId, opening);
    return opening;
  };

  const serveStateless = async (req: IncomingMessage, res: ServerResponse, identity: { name: string; onBehalfOf: string | null }): Promise<void> => {
    if (req.method !== 'POST') {
      sendRpcError(
        res,
        405,
        -32000,
        'Method not allowed: this server runs MCP without sessions (MCP_HTTP_STATELESS); send POST requests. Resource subscriptions are not available.',
        { allow: 'POST' },
      );
      return;
    }
    const parsed = await readJsonBody(req, res, maxBodyBytes);
    if (!parsed.ok) return;
    const mcp = serverFor(identity);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, maxRequestBodySize: maxBodyBytes, keepAliveMs });
    res.once('close', () => void mcp.close().catch(() => undefined));
    await mcp.connect(transport);
    await transport.handleRequest(req, res, parsed.body);
  };

  const handle: RouteHandler = async (req, res) => {
    if (!checkHost(req, res)) return;
    const identity = await authenticator.authenticate(bearerSecret(req.headers.authorization));
    if (!identity) {
      sendUnauthorized(res, req.headers.authorization);
      return;
    }
    const actor = actorOf(identity);
    // The SDK passes req.auth to tool handlers as extra.authInfo: that is how a tool knows who calls.
    (req as IncomingMessage & { auth?: unknown }).auth = {
      token: '[redacted]',
      clientId: identity.name,
      scopes: options.readOnly ? ['missions:read'] : ['missions:read', 'missions:write'],
      extra: { actor },
    };
    if (options.stateless) {
      await serveStateless(req, res, identity);
      return;
    }
    const sessionHeader = req.headers['mcp-session-id'];
    const sessionId = typeof sessionHeader === 'string' && sessionHeader.length > 0 ? sessionHeader : undefined;
    let body: unknown;
    if (req.method === 'POST') {
      const parsed = await readJsonBody(req, res, maxBodyBytes);
      if (!parsed.ok) return;
      body = parsed.body;
    }
    // An initialize opens a new session even when the client still sends an old id.
    if (sessionId !== undefined && !isInitializeRequest(body)) {
      if (!SESSION_ID_PATTERN.test(sessionId)) {
        sendRpcError(res, 400, -32000, 'Bad request: Mcp-Session-Id must be 1-128 visible ASCII characters; initialize a new session.');
        return;
      }
      let session = sessions.get(sessionId);
      // A session belongs to the token that opened it: a session id is not a credential.
      if (session && session.tokenName !== identity.name) {
        sendRpcError(res, 404, -32001, 'Session not found for this token: initialize a new session.');
        return;
      }
      if (!session) {
        if (req.method === 'DELETE') {
          // Ending a session this process does not hold: there is nothing left to end.
          res.writeHead(200).end();
          return;
        }
        if (sessions.size >= maxSessions) sweep();
        if (sessions.size >= maxSessions) {
          sendRpcError(res, 503, -32000, `Too many MCP sessions (${maxSessions}); try again later.`, { 'retry-after': '60' });
          return;
        }
        session = await resumeSession(identity, sessionId);
      }
      const live = session;
      live.lastSeen = Date.now();
      if (req.method === 'GET') {
        live.openStreams += 1;
        res.once('close', () => {
          live.openStreams -= 1;
          live.lastSeen = Date.now();
        });
      }
      await live.transport.handleRequest(req, res, body);
      return;
    }
    if (req.method !== 'POST') {
      sendRpcError(res, 400, -32000, 'Bad request: send the Mcp-Session-Id header from initialize.');
      return;
    }
    if (!isInitializeRequest(body)) {
      sendRpcError(res, 400, -32000, 'Bad request: no session; the first request must be initialize.');
      return;
    }
    if (sessions.size >= maxSessions) sweep();
    if (sessions.size >= maxSessions) {
      sendRpcError(res, 503, -32000, `Too many MCP sessions (${maxSessions}); try again later.`, { 'retry-after': '60' });
      return;
    }
    const fresh = await openSession(identity);
    await fresh.transport.handleRequest(req, res, body);
    // An initialize the SDK refused (e.g. an unsupported protocol version) opened no session.
    if (fresh.transport.sessionId === undefined) await fresh.mcp.close().catch(() => undefined);
  };

  return {
    routes: { [`POST ${MCP_PATH}`]: handle, [`GET ${MCP_PATH}`]: handle, [`DELETE ${MCP_PATH}`]: handle },
    sessionCount: () => sessions.size,
    close: async () => {
      clearInterval(sweeper);
      clearInterval(revocationChecker);
      await Promise.all([...sessions.values()].map(async (s) => closeSession(s, 'server stopping')));
    },
  };
}
