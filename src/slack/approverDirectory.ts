// Who is sent an approval request directly. The domain computed the request's eligible
// approvers from the approval policy (eligibleApprovers in src/domain/approvalPolicy.ts) when
// it was made; this seam is where the stored policy and Slack user groups (expanded with
// usergroups.users.list) plug in, without the projector knowing how approvers are found.
import type { ApprovalRequest } from '../domain/approvalPolicy.js';
import type { Mission } from '../domain/mission.js';

/** The Slack user ids to DM about `request`, in a stable order; empty when nobody can approve yet. */
export type ApproverDirectory = (mission: Mission, request: ApprovalRequest) => Promise<string[]>;

const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/** The request's eligible approvers as the domain's policy named them (people only). */
export const approversOfRequest: ApproverDirectory = async (_mission, request) => [
  ...new Set(request.eligibleApprovers.filter((id) => SLACK_USER_ID.test(id))),
];
