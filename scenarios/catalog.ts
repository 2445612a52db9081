import type { E2EScenario } from '../contracts/index.ts';

/**
 * The scenario catalog (SCN-01…07): data only. The runner in
 * specs/flows/scenarios.spec.ts turns each entry into one test; add a scenario
 * by appending an entry here or by pointing E2E_SCENARIOS at your own file.
 */
export const scenarios: E2EScenario[] = [
  {
    id: 'SCN-01',
    description: 'switchboard-classify-health',
    inputPrompt: 'Log my weight: 80kg',
    stage: 'classify',
    expectedButlers: ['health'],
    expectedToolCalls: [],
    dbAssertions: [],
    tags: ['switchboard', 'classify', 'smoke'],
  },
  {
    id: 'SCN-02',
    description: 'switchboard-classify-general',
    inputPrompt: "What's the weather today?",
    stage: 'classify',
    expectedButlers: ['general'],
    expectedToolCalls: [],
    dbAssertions: [],
    tags: ['switchboard', 'classify', 'smoke'],
  },
  {
    id: 'SCN-03',
    description: 'switchboard-multi-domain',
    inputPrompt: 'I saw Dr. Smith and need to send her a thank-you card',
    stage: 'classify',
    expectedButlers: ['health', 'relationship'],
    expectedToolCalls: [],
    dbAssertions: [],
    tags: ['switchboard', 'classify', 'decomposition'],
  },
  {
    id: 'SCN-04',
    description: 'health-weight-log',
    inputPrompt: 'Log my weight: 80kg',
    stage: 'full',
    expectedButlers: ['health'],
    expectedToolCalls: ['measurement_log'],
    dbAssertions: [
      { butler: 'health', table: 'measurements', where: { type: 'weight' }, columnChecks: { value: { between: [75, 85] } } },
    ],
    tags: ['health', 'measurement'],
  },
  {
    id: 'SCN-05',
    description: 'health-medication-add',
    inputPrompt: 'Started taking metformin 500mg twice daily',
    stage: 'full',
    expectedButlers: ['health'],
    expectedToolCalls: ['medication_add'],
    dbAssertions: [{ butler: 'health', table: 'medications', where: { name: 'metformin' } }],
    tags: ['health', 'medication'],
  },
  {
    id: 'SCN-06',
    description: 'relationship-add-contact',
    inputPrompt: 'Add Sarah Johnson as a new contact',
    stage: 'full',
    expectedButlers: ['relationship'],
    expectedToolCalls: ['contact_add'],
    dbAssertions: [{ butler: 'relationship', table: 'contacts', where: { name: 'Sarah' } }],
    tags: ['relationship', 'contact'],
  },
  {
    id: 'SCN-07',
    description: 'health-symptom-log',
    inputPrompt: 'I have a bad headache, severity 7 out of 10',
    stage: 'full',
    expectedButlers: ['health'],
    expectedToolCalls: ['symptom_log'],
    dbAssertions: [{ butler: 'health', table: 'symptoms', where: { name: 'headache' }, columnChecks: { severity: 7 } }],
    tags: ['health', 'symptom'],
  },
];

export default scenarios;
