// `mission-control mcp`: the MCP server on stdin/stdout for a local assistant. stdout carries
// nothing but protocol, so every log line goes to stderr (pino on fd 2).
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createApp } from '../app.js';
import type { Config } from '../config.js';
import { createLogger } from '../logger.js';
import { createMcpServer } from './createMcpServer.js';
import type { McpActor } from './mcpTokens.js';

export function stdioActor(config: Pick<Config, 'MCP_ACTOR_NAME' | 'MCP_ON_BEHALF_OF'>): McpActor {
  return config.MCP_ON_BEHALF_OF
    ? { kind: 'mcp_token', id: config.MCP_ACTOR_NAME, onBehalfOf: config.MCP_ON_BEHALF_OF }
    : { kind: 'mcp_token', id: config.MCP_ACTOR_NAME };
}

export async function runStdioServer(config: Config, options: { readOnly: boolean }): Promise<void> {
  const logger = createLogger(config.LOG_LEVEL, 2);
  const app = await createApp(config, logger);
  const actor = stdioActor(config);
  const mcp = createMcpServer({
    service: app.missions,
    logger,
    actor,
    readOnly: options.readOnly,
    limits: { maxEvidenceBytes: config.MCP_MAX_EVIDENCE_BYTES },
    pullRequests: app.connectors.pullRequests,
    slackPresence: app.slackPresence,
  });
  const transport = new StdioServerTransport();

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ why }, 'MCP stdio server stopping');
    void mcp
      .close()
      .catch(() => undefined)
      .then(() => app.close())
      .finally(() => {
        logger.flush();
        process.exit(0);
      });
  };
  transport.onclose = () => stop('transport closed');
  // The client closing our stdin is how a stdio session ends.
  process.stdin.once('end', () => stop('stdin closed'));
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  await mcp.connect(transport);
  logger.info({ actor: actor.id, onBehalfOf: actor.onBehalfOf ?? null, readOnly: options.readOnly, tools: mcp.tools.length }, 'MCP server ready on stdio');
}
