import { test, expect } from '../../fixtures/index.ts';

/**
 * Bad input (issue: approvals and security): a malformed `[approval_gates]` in
 * butler.toml stops the butler at boot with an error naming the key, instead
 * of booting a butler whose gate silently does nothing.
 */
const cases: { label: string; gates: Record<string, unknown>; says: RegExp }[] = [
  { label: 'an unknown approval mode', gates: { mode: 'sometimes' }, says: /approval_gates\.mode must be one of: none, conditional, always, got "sometimes"/ },
  {
    label: 'a gated tool with an unknown mode',
    gates: { mode: 'conditional', gated_tools: [{ tool: 'contact_delete', approval_mode: 'maybe' }] },
    says: /approval_gates\.gated_tools(\.|\[)0\]?\.approval_mode must be one of: none, conditional, always, got "maybe"/,
  },
  { label: 'a gated tool without a name', gates: { mode: 'always', gated_tools: [{ approval_mode: 'always' }] }, says: /approval_gates\.gated_tools(\.|\[)0\]?\.tool/ },
  { label: 'the flat shorthand', gates: { sensitive_tools: ['contact_delete'] }, says: /approval_gates\.sensitive_tools is not supported/ },
  { label: 'a negative timeout', gates: { mode: 'always', timeout_s: -5 }, says: /approval_gates\.timeout_s/ },
];

for (const c of cases) {
  test(`bad input: ${c.label} in [approval_gates] stops the butler at boot, naming the key`, async ({ ecosystem }) => {
    const launched = ecosystem.launchAdHoc({ name: 'relationship', rosterDir: ecosystem.butlers.relationship.dir, register: false, overlay: { approval_gates: c.gates } });
    const outcome = await launched.then(
      async (copy) => {
        await copy.dispose();
        return 'it booted';
      },
      // The daemon's own startup_failed line, quoted in the error (JSON-escaped).
      (err: Error) => err.message.replace(/\\"/g, '"'),
    );
    expect(outcome).toContain('startup failed (config)');
    expect(outcome).toMatch(c.says);
  });
}
