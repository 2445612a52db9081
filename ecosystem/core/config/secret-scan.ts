/** A credential-shaped literal found in committed configuration; never carries the value. */
export interface SecretFinding {
  key: string;
  pattern: string;
}

/** True when a value matches one of the credential patterns (used to keep it out of messages). */
export function looksLikeSecret(value: string): boolean {
  return VALUE_PATTERNS.some(([, re]) => re.test(value));
}

const VALUE_PATTERNS: Array<[string, RegExp]> = [
  ['anthropic_api_key', /sk-ant-[A-Za-z0-9_-]{8,}/],
  ['github_token', /\bgh[pousr]_[A-Za-z0-9]{20,}/],
  ['slack_token', /\bxox[bp]-[A-Za-z0-9-]{10,}/],
  ['aws_access_key_id', /\bAKIA[0-9A-Z]{16}\b/],
  ['pem_private_key', /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/],
  ['telegram_bot_token', /\b\d{6,12}:[A-Za-z0-9_-]{35,}\b/],
];

// A key named like a credential holding a literal; values that merely name a
// variable (HEALTH_DEVICE_TOKEN) are references, not secrets.
const SENSITIVE_KEY = /(^|_)(password|passwd|secret|token|api_?key|private_?key|credentials?)($|_)/i;
const ENV_REFERENCE = /^[A-Z][A-Z0-9_]*$/;

/**
 * Scans the values of the committed butler.toml (not the overlay, not the
 * environment) for credential patterns (docs/ecosystem.md §15). Returns one finding
 * per key path and pattern.
 */
export function scanForSecrets(committed: unknown): SecretFinding[] {
  return scan(committed).map(({ key, pattern }) => ({ key, pattern }));
}

/** The credential-shaped texts themselves, for the redactor only (never log these). */
export function secretValues(committed: unknown): string[] {
  return scan(committed).map((f) => f.text);
}

function scan(committed: unknown): Array<SecretFinding & { text: string }> {
  const findings: Array<SecretFinding & { text: string }> = [];
  const visit = (value: unknown, path: string[]) => {
    if (Array.isArray(value)) return value.forEach((v, i) => visit(v, [...path.slice(0, -1), `${path[path.length - 1] ?? ''}[${i}]`]));
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
      return;
    }
    if (typeof value !== 'string' || value === '') return;
    const key = path.join('.');
    let matched = false;
    for (const [pattern, re] of VALUE_PATTERNS) {
      const m = value.match(re);
      if (m) {
        findings.push({ key, pattern, text: m[0] });
        matched = true;
      }
    }
    const leaf = (path[path.length - 1] ?? '').replace(/\[\d+\]$/, '');
    if (!matched && SENSITIVE_KEY.test(leaf) && !ENV_REFERENCE.test(value)) {
      findings.push({ key, pattern: 'literal_under_sensitive_key', text: value });
    }
  };
  visit(committed, []);
  return findings;
}
