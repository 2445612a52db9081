import { z } from 'zod';
import { defineTool, ToolError } from '@butlers/framework';
import { text } from '../../_lib/fields.ts';
import { plainRow, textOrNull } from '../../_lib/rows.ts';

const registryRegister = defineTool({
  name: 'registry_register',
  audience: 'operator',
  description: [
    'Register or refresh a butler in the switchboard registry (upsert by name) and mark it seen now.',
    'A new entry starts active; a quarantined entry stays quarantined until it is set active or passes a health check.',
    'Every butler calls this after it starts listening.',
    '',
    "Use when: a butler has started, re-register a butler, update a butler's endpoint, description, capabilities or tools.",
  ].join('\n'),
  input: {
    name: z.string().regex(/^[a-z][a-z0-9_-]*$/).describe('Butler name (its roster folder name)'),
    endpoint_url: z.string().url().describe('MCP URL the switchboard routes to (the advertised URL)'),
    description: z.string().describe('One-paragraph description shown to the classifier').optional(),
    capabilities: z.array(z.string()).describe('Domain keywords and phrases the butler handles').default([]),
    tools: z.array(z.string()).describe('Names of the tools the butler serves').default([]),
    routable: z.boolean().describe('Whether the classifier may route messages to it').default(true),
    route_contract_version: z.string().describe('Route contract the butler speaks').default('v1'),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `insert into butler_registry as r
         (name, endpoint_url, description, capabilities, tools, routable, route_contract_version,
          last_seen_at, registered_at, updated_at)
       values ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, now(), now(), now())
       on conflict (name) do update set
         endpoint_url = excluded.endpoint_url,
         description = excluded.description,
         capabilities = excluded.capabilities,
         tools = excluded.tools,
         routable = excluded.routable,
         route_contract_version = excluded.route_contract_version,
         last_seen_at = now(),
         updated_at = now()
       returning r.*, (xmax = 0) as created`,
      [
        args.name,
        args.endpoint_url,
        textOrNull(args.description),
        JSON.stringify(args.capabilities),
        JSON.stringify(args.tools),
        args.routable,
        args.route_contract_version,
      ],
    );
    const { created, ...entry } = rows[0] as Record<string, unknown>;
    ctx.log.info({ event: 'registry.registered', target_butler: args.name, created, eligibility_state: entry.eligibility_state });
    return { created, entry: plainRow(entry) };
  },
});

const registryList = defineTool({
  name: 'registry_list',
  description: [
    'List the butlers known to the switchboard with endpoint, description, capabilities, tools, routability and eligibility,',
    'sorted by name. Only active entries unless include_ineligible is true.',
    '',
    'Use when: which butlers exist, which butler handles this, check the registry, is a butler quarantined.',
  ].join('\n'),
  input: {
    include_ineligible: z.boolean().describe('Also list quarantined butlers').default(false),
  },
  async handler(args, ctx) {
    const { rows } = await ctx.db.query(
      `select * from butler_registry
        where $1::boolean or eligibility_state = 'active'
        order by name`,
      [args.include_ineligible],
    );
    return { entries: rows.map((r) => plainRow(r)) };
  },
});

const registrySetEligibility = defineTool({
  name: 'registry_set_eligibility',
  audience: 'operator',
  description: [
    'Set a butler\'s eligibility: quarantined stops all routing to it; active routes to it again and resets its failure counter.',
    '',
    'Use when: quarantine a butler, take a butler out of rotation, reactivate a butler.',
  ].join('\n'),
  input: {
    name: text('Butler name'),
    state: z.enum(['active', 'quarantined']).describe('New eligibility state'),
    reason: z.string().describe('Why (kept as quarantine_reason when quarantining)').optional(),
  },
  async handler(args, ctx) {
    const quarantine = args.state === 'quarantined';
    const { rows } = await ctx.db.query(
      quarantine
        ? `update butler_registry
              set eligibility_state = 'quarantined', quarantined_at = now(),
                  quarantine_reason = coalesce($2, 'operator'), updated_at = now()
            where name = $1 returning *`
        : `update butler_registry
              set eligibility_state = 'active', consecutive_failures = 0,
                  quarantined_at = null, quarantine_reason = null, updated_at = now()
            where name = $1 returning *`,
      quarantine ? [args.name, textOrNull(args.reason)] : [args.name],
    );
    if (rows.length === 0) {
      throw new ToolError('not_found', `no butler named "${args.name}" in the registry; it registers itself at startup`, {
        name: args.name,
      });
    }
    ctx.log[quarantine ? 'warn' : 'info']({
      event: quarantine ? 'registry.quarantined' : 'registry.reactivated',
      target_butler: args.name,
      reason: textOrNull(args.reason),
    });
    return { entry: plainRow(rows[0]) };
  },
});

export default [registryRegister, registryList, registrySetEligibility];
