// The brief card while a model drafts, after it answered, and when the built-in draft stood in:
// pure renders of real missions (the Slack fixtures' drafted brief) with the drafting state set.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Mission } from '../../src/domain/mission.js';
import { emptyModels } from '../../src/domain/modelUsage.js';
import { checkBlockKitLimits } from '../../src/slack/blockKitLimits.js';
import { briefCard } from '../../src/slack/briefCard.js';
import { buildSlackFixtures } from './fixtureMissions.js';
import { visibleText } from './surfaceHelpers.js';

let drafted: Mission;
beforeAll(async () => {
  drafted = (await buildSlackFixtures()).briefDrafted;
});

function withDrafting(mission: Mission, drafting: NonNullable<Mission['brief']['drafting']>): Mission {
  return { ...mission, brief: { ...mission.brief, drafting } };
}

describe('brief card: model drafting', () => {
  it('says the model is drafting and that the chips shown are the built-in draft meanwhile', () => {
    const card = briefCard(withDrafting(drafted, { status: 'drafting', drafter: 'anthropic:claude-haiku-4-5', reason: null }));
    expect(visibleText(card)).toContain('⏳ Drafting with `anthropic:claude-haiku-4-5`… The chips below are the built-in draft until it answers');
    expect(checkBlockKitLimits(card)).toEqual([]);
  });

  it('marks inferred items and quotes the sentence each chip came from once the model answered', () => {
    const chips = drafted.brief.chips.map((c) =>
      c.kind === 'kpis'
        ? {
            ...c,
            items: ['Session persistence >99.9%', 'Test coverage ≥ 85%'],
            inferred: ['Test coverage ≥ 85%'],
            quote: 'Users logged out randomly after 15-30 mins',
          }
        : c,
    );
    const card = briefCard({
      ...withDrafting(drafted, { status: 'drafted', drafter: 'anthropic:claude-haiku-4-5', reason: null }),
      brief: { ...drafted.brief, chips, drafting: { status: 'drafted', drafter: 'anthropic:claude-haiku-4-5', reason: null } },
    });
    const text = visibleText(card);
    expect(text).toContain('✨ Drafted by `anthropic:claude-haiku-4-5`');
    expect(text).toContain('• Test coverage ≥ 85% _(inferred)_');
    expect(text).toContain('_Inferred: not in the intent. Keep them by editing the chip, or remove them._');
    expect(text).not.toContain('• Session persistence &gt;99.9% _(inferred');
    expect(text).toContain('_From the intent: “Users logged out randomly after 15-30 mins”_');
  });

  it('says why the built-in draft stands in when the model gave none, and shows spend against the budget', () => {
    const models = { ...emptyModels(5), total: { calls: 2, inputTokens: 1600, outputTokens: 60, costUsd: 0.0019 } };
    const card = briefCard({
      ...withDrafting(drafted, {
        status: 'fallback',
        drafter: 'anthropic:claude-haiku-4-5',
        reason: 'the provider answered HTTP 529 (overloaded) after 3 attempts',
      }),
      models,
    });
    const text = visibleText(card);
    expect(text).toContain(
      "⚠️ `anthropic:claude-haiku-4-5` gave no usable draft (the provider answered HTTP 529 (overloaded) after 3 attempts); these chips are the built-in drafter's.",
    );
    expect(text).toContain('model spend $0.0019 of a $5.00 budget');
  });
});
