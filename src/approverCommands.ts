// `mission-control approvers add|remove|list`: the workspace's approval policy, stored in the
// database so every process on it (HTTP server, `mission-control mcp`) applies the same one.
// SLACK_APPROVERS and APPROVALS_REQUIRED only seed it while nothing is stored.
import { parseArgs } from 'node:util';
import { approvalPolicySeedFrom, type Config } from './config.js';
import { DEFAULT_WORKSPACE } from './connectors/credentials/credentialVault.js';
import { changePolicy, noApproversNamed, type ApprovalPolicy, type PolicyChange } from './domain/approvalPolicy.js';
import { isMissionError } from './domain/errors.js';
import { RISK_LEVELS, type RiskLevel } from './domain/plays.js';
import { UsageError } from './mcp/tokenCommands.js';
import { openDatabase } from './storage/database.js';
import { PrismaApprovalPolicyStore } from './storage/prismaApprovalPolicyStore.js';

export const APPROVERS_USAGE = `Usage:
  mission-control approvers list
  mission-control approvers add --risk RISK [--required N] [--at-least N] [ID ...]
  mission-control approvers remove --risk RISK ID ...
  mission-control approvers expiry MINUTES
  mission-control approvers self-approval --risk RISK allow|deny

RISK is low, medium, high, critical or all; repeat --risk or separate with commas (--risk high,critical).
ID is a Slack user id (U…) or a Slack user group id (S…: any member of the group may approve).
--required N sets how many approvals that risk needs (0 approves requests at once; at most 9).
--at-least N with one user group id: of those approvals, at least N from members of that group.
expiry sets how long a request stays open before the mission returns to play selection.
self-approval says whether whoever asked for the work (the requester, the person a requesting
token acts for, the person who requested approval) may approve it themselves at that risk.
Denied at high and critical unless allowed here (a one-person team may allow high).
Examples:
  mission-control approvers add --risk all U012ABCDEF
  mission-control approvers add --risk critical --required 2 S0123SECLEADS
  mission-control approvers add --risk critical --required 2 --at-least 1 S0123SECLEADS
  mission-control approvers remove --risk low U012ABCDEF`;

function risksFrom(values: readonly string[]): RiskLevel[] {
  const risks = new Set<RiskLevel>();
  for (const value of values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean)) {
    if (value === 'all') for (const r of RISK_LEVELS) risks.add(r);
    else if ((RISK_LEVELS as readonly string[]).includes(value)) risks.add(value as RiskLevel);
    else throw new UsageError(`--risk: "${value}" is not a risk level; use low, medium, high, critical or all.`);
  }
  if (risks.size === 0) throw new UsageError('--risk is required: say which risk levels (low, medium, high, critical or all).');
  return RISK_LEVELS.filter((r) => risks.has(r));
}

function requiredFrom(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d$/.test(value.trim())) throw new UsageError(`--required: "${value}" is not a count of approvals from 0 to 9.`);
  return Number(value);
}

/** The change the arguments ask for; every refusal happens here, before the database is opened. */
const OPTIONS = { risk: { type: 'string', multiple: true }, required: { type: 'string' }, 'at-least': { type: 'string' } } as const;

function changesFrom(sub: 'add' | 'remove', args: readonly string[]): PolicyChange[] {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const risks = risksFrom(parsed.values.risk ?? []);
  const ids = parsed.positionals;
  if (sub === 'remove') {
    if (parsed.values.required !== undefined || parsed.values['at-least'] !== undefined) {
      throw new UsageError('--required and --at-least go with `approvers add`; `approvers remove` only removes approvers (removing a group drops its quota).');
    }
    if (ids.length === 0) throw new UsageError('Name the approvers to remove: Slack user ids (U…) or user group ids (S…).');
    return [{ kind: 'remove', risks, ids }];
  }
  const required = requiredFrom(parsed.values.required);
  const atLeast = parsed.values['at-least'];
  const changes: PolicyChange[] = [];
  if (ids.length === 0) {
    if (required === undefined) throw new UsageError('Name at least one approver (a Slack user id U… or user group id S…), or give --required N.');
    changes.push({ kind: 'require', risks, required });
  } else {
    changes.push({ kind: 'add', risks, ids, required });
  }
  if (atLeast !== undefined) {
    const groups = ids.filter((id) => id.startsWith('S'));
    if (groups.length !== 1) throw new UsageError(`--at-least needs exactly one user group id (S…) among the approvers named; ${groups.length} given.`);
    if (!/^[1-9]$/.test(atLeast.trim())) throw new UsageError(`--at-least: "${atLeast}" is not a count of approvals from 1 to 9.`);
    changes.push({ kind: 'quota', risks, quota: { groupId: groups[0]!, count: Number(atLeast) } });
  }
  return changes;
}

function selfApprovalFrom(args: readonly string[]): PolicyChange {
  let parsed: ReturnType<typeof parseArgs<{ options: { risk: { type: 'string'; multiple: true } }; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: { risk: { type: 'string', multiple: true } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const [choice, ...extra] = parsed.positionals;
  if ((choice !== 'allow' && choice !== 'deny') || extra.length > 0)
    throw new UsageError('Say allow or deny, e.g. `approvers self-approval --risk high allow`.');
  return { kind: 'self_approval', risks: risksFrom(parsed.values.risk ?? []), allow: choice === 'allow' };
}

function expiryFrom(args: readonly string[]): PolicyChange {
  if (args.length !== 1 || !/^\d+$/.test(args[0]!)) throw new UsageError('Give the minutes a request stays open, e.g. `approvers expiry 1440` (one day).');
  return { kind: 'expiry', minutes: Number(args[0]) };
}

export function describePolicy(policy: ApprovalPolicy): string[] {
  const lines = RISK_LEVELS.map((risk) => {
    const rule = policy.byRisk[risk];
    const count = `${rule.required} approval${rule.required === 1 ? '' : 's'}`.padEnd(12);
    if (rule.required === 0) return `  ${risk.padEnd(9)}${count}approved as soon as requested`;
    const who = [...rule.people, ...rule.groups.map((g) => `members of user group ${g}`)];
    const quota = rule.quota ? ` (at least ${rule.quota.count} from ${rule.quota.groupId})` : '';
    return `  ${risk.padEnd(9)}${count}${noApproversNamed(rule) ? 'nobody named yet: requests wait until someone is added' : `from ${who.join(', ')}${quota}`}`;
  });
  const excluded = policy.requesterExcludedAt.length > 0 ? `Whoever asked never approves their own ${policy.requesterExcludedAt.join(' or ')} risk work. ` : '';
  const allowed = RISK_LEVELS.filter((r) => !policy.requesterExcludedAt.includes(r));
  const selfApproval = allowed.length > 0 ? `Self-approval allowed at ${allowed.join(', ')}. ` : '';
  return [...lines, `${excluded}${selfApproval}Requests expire after ${policy.expiresAfterMinutes} minutes.`];
}

export async function runApproversCommand(args: readonly string[], config: Config, out: NodeJS.WritableStream): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'add' && sub !== 'remove' && sub !== 'list' && sub !== 'expiry' && sub !== 'self-approval') {
    throw new UsageError(sub ? `Unknown approvers command "${sub}".` : 'Say what to do: add, remove, list, expiry or self-approval.');
  }
  if (sub === 'list' && rest.length > 0) throw new UsageError(`Unknown argument "${rest[0]}": \`approvers list\` takes none.`);
  const changes = sub === 'list' ? null : sub === 'expiry' ? [expiryFrom(rest)] : sub === 'self-approval' ? [selfApprovalFrom(rest)] : changesFrom(sub, rest);
  const seed = approvalPolicySeedFrom(config);
  const db = await openDatabase(config.DATABASE_URL);
  try {
    const store = new PrismaApprovalPolicyStore(db.prisma);
    const stored = await store.get(DEFAULT_WORKSPACE);
    if (!changes) {
      const where = stored
        ? `stored in the database, version ${stored.version}, changed ${stored.updatedAt.toISOString()} by ${stored.updatedBy ?? 'unknown'}`
        : 'not stored yet: this is what SLACK_APPROVERS and APPROVALS_REQUIRED describe, stored the first time it is used';
      out.write(`Approval policy (${where}):\n${describePolicy(stored?.policy ?? seed).join('\n')}\n`);
      return;
    }
    let next: ApprovalPolicy;
    try {
      next = changes.reduce(changePolicy, stored?.policy ?? seed);
    } catch (error) {
      if (isMissionError(error) && error.code === 'invalid_input') throw new UsageError(error.message);
      throw error;
    }
    const saved = await store.save(DEFAULT_WORKSPACE, next, stored?.version ?? null, new Date(), 'cli');
    if (!saved) throw new Error('The approval policy was changed by someone else at the same moment; nothing was changed. Run the command again.');
    out.write(`Approval policy saved:\n${describePolicy(next).join('\n')}\n`);
  } finally {
    await db.close();
  }
}
