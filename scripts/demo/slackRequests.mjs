// Requests as Slack sends them to POST /slack/events: form-encoded, signed with the signing
// secret (v0 HMAC-SHA256 over "v0:<timestamp>:<body>"), for slash commands, button clicks and
// modal submissions. Used by the demo's scripted people and by the slash-command benchmark.
import { createHmac } from 'node:crypto';

const form = (fields) => new URLSearchParams(fields).toString();
const FORM = 'application/x-www-form-urlencoded';

export function slackRequests({ eventsUrl, signingSecret, fake, team = 'T0FAKE' }) {
  let counter = 0;

  /** The body and headers of a signed request (the benchmark prepares them ahead of time). */
  const sign = (body, contentType = FORM) => {
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    return { method: 'POST', headers: { 'content-type': contentType, 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature }, body };
  };

  const post = async (body) => {
    const res = await fetch(eventsUrl, sign(body));
    const text = await res.text();
    if (res.status !== 200) throw new Error(`POST /slack/events answered ${res.status}: ${text}`);
    return text;
  };

  const interaction = (payload) => post(form({ payload: JSON.stringify(payload) }));

  const commandBody = (text, user, channel) => {
    counter += 1;
    return form({
      token: 'legacy-verification-token',
      team_id: team,
      team_domain: 'fake',
      channel_id: channel,
      channel_name: 'missions',
      user_id: user.id,
      user_name: user.name ?? user.id,
      command: '/mission',
      text,
      api_app_id: 'A0MISSION',
      response_url: fake.responseUrl(`command-${counter}`),
      trigger_id: `trigger-${counter}`,
    });
  };

  return {
    sign,
    commandBody,
    /** `/mission <text>` typed by `user` in `channel`. */
    command: (text, user, channel) => post(commandBody(text, user, channel)),
    /** Clicks the button `actionId` of a message as the fake Slack shows it (the first, or the first whose value `where` accepts). */
    click: (message, actionId, user, where = () => true) => {
      const found = message.blocks
        .flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])].map((element) => ({ block: b, element })))
        .find(({ element }) => element.action_id === actionId && (element.value === undefined || where(JSON.parse(element.value))));
      if (!found) throw new Error(`no ${actionId} button on message ${message.ts}`);
      counter += 1;
      return interaction({
        type: 'block_actions',
        user: { id: user.id, username: user.name, name: user.name, team_id: team },
        api_app_id: 'A0MISSION',
        token: 'legacy-verification-token',
        container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
        trigger_id: `trigger-${counter}`,
        team: { id: team, domain: 'fake' },
        channel: { id: message.channel, name: 'missions' },
        message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
        response_url: fake.responseUrl(`click-${counter}`),
        actions: [{ type: 'button', action_id: actionId, block_id: found.block.block_id, value: found.element.value, action_ts: `${Date.now() / 1000}` }],
      });
    },
    /** Ticks the options `values` of the checkboxes `actionId` of a message as the fake Slack shows it. */
    check: (message, actionId, values, user) => {
      const block = message.blocks.find((b) => (b.elements ?? []).some((e) => e.type === 'checkboxes' && e.action_id === actionId));
      if (!block) throw new Error(`no ${actionId} checkboxes on message ${message.ts}`);
      const element = block.elements.find((e) => e.action_id === actionId);
      const selected = values.map((v) => {
        const option = element.options.find((o) => o.value === v);
        if (!option) throw new Error(`the ${actionId} checkboxes offer no option ${v}`);
        return option;
      });
      counter += 1;
      return interaction({
        type: 'block_actions',
        user: { id: user.id, username: user.name, name: user.name, team_id: team },
        api_app_id: 'A0MISSION',
        token: 'legacy-verification-token',
        container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
        trigger_id: `trigger-${counter}`,
        team: { id: team, domain: 'fake' },
        channel: { id: message.channel, name: 'missions' },
        message: { type: 'message', ts: message.ts, text: message.text, blocks: message.blocks },
        response_url: fake.responseUrl(`check-${counter}`),
        actions: [{ type: 'checkboxes', action_id: actionId, block_id: block.block_id, selected_options: selected, action_ts: `${Date.now() / 1000}` }],
      });
    },
    /** Submits a modal the bot opened, with `values` as view.state.values. */
    submitView: (view, values, user) => {
      counter += 1;
      return interaction({
        type: 'view_submission',
        team: { id: team, domain: 'fake' },
        user: { id: user.id, name: user.name, team_id: team },
        api_app_id: 'A0MISSION',
        token: 'legacy-verification-token',
        trigger_id: `trigger-${counter}`,
        view: { id: 'V0VIEW', team_id: team, type: 'modal', ...view, state: { values }, hash: 'h', app_id: 'A0MISSION', bot_id: 'B0BOT' },
      });
    },
  };
}
