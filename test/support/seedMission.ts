// The seed 000 people and intent, shared with the demo (src/demo/seedMission.ts).
export { ADVISOR, ASSISTANT, JORDAN, SEED_INTENT } from '../../src/demo/seedMission.js';
