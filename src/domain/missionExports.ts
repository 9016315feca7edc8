// The mission's Markdown exports in the GSD artifact formats (PLAN.md, SUMMARY.md, VERIFICATION.md):
// pure functions of mission state. No clock and no randomness: every timestamp printed comes
// from the mission, so the same state always gives the same text. One module per document under
// ./exports/, over a shared Markdown writer and frontmatter writer.
export { planMarkdown } from './exports/planDocument.js';
export { summaryMarkdown } from './exports/summaryDocument.js';
export { verificationMarkdown, verificationStatus, type VerificationOptions, type VerificationStatus } from './exports/verificationDocument.js';
