#!/usr/bin/env node
// The bare baselines, each run as a process of its own like `mission-control start`:
//   node bench/support/bareServer.mjs mcp    an MCP SDK server with one echo tool (stateful
//                                            sessions, SSE responses, one Node HTTP server)
//   node bench/support/bareServer.mjs bolt   a Bolt app on the same HTTPReceiver set-up as ours
//                                            (signing secret from SLACK_SIGNING_SECRET) whose
//                                            /mission handler only acks
// Prints `listening on http://127.0.0.1:PORT` once it accepts requests.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

function bareMcp() {
  const transports = new Map();
  return createServer(async (req, res) => {
    const sessionId = req.headers['mcp-session-id'];
    if (sessionId && transports.has(sessionId)) return transports.get(sessionId).handleRequest(req, res);
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
    if (!isInitializeRequest(body)) {
      res.writeHead(400).end();
      return;
    }
    const mcp = new McpServer({ name: 'bare', version: '1.0.0' });
    mcp.registerTool('echo', { inputSchema: { text: z.string() }, outputSchema: { text: z.string() } }, async ({ text }) => ({
      content: [{ type: 'text', text }],
      structuredContent: { text },
    }));
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => transports.set(id, transport),
    });
    transport.onclose = () => transport.sessionId && transports.delete(transport.sessionId);
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  });
}

async function bareBolt() {
  const { App, HTTPReceiver, LogLevel } = await import('@slack/bolt');
  const quiet = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => LogLevel.ERROR, setName() {} };
  const receiver = new HTTPReceiver({
    signingSecret: process.env.SLACK_SIGNING_SECRET,
    endpoints: '/slack/events',
    processBeforeResponse: false,
    logger: quiet,
  });
  const bolt = new App({ receiver, authorize: async () => ({ botToken: 'xoxb-bare' }), logger: quiet });
  bolt.command('/mission', async ({ ack }) => {
    await ack();
  });
  return createServer((req, res) => receiver.requestListener(req, res));
}

const kind = process.argv[2];
const server = kind === 'mcp' ? bareMcp() : kind === 'bolt' ? await bareBolt() : null;
if (!server) {
  process.stderr.write('usage: bareServer.mjs mcp|bolt\n');
  process.exit(2);
}
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
