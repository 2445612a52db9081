import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';

/** A planted value, by the variable that carried it (the value itself is never printed). */
export type CanaryValues = Map<string, string>;

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
// The HTML report embeds its data as a base64 zip in index.html.
const EMBEDDED_ZIP = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/g;

/**
 * Looks for every value in the given report files and folders: plain files as
 * text, zip files (blob reports, traces) entry by entry, and the zip the HTML
 * report embeds in its index.html. Returns one sentence per place a value was
 * found, naming the variable and the file (and the entry inside it); a path
 * that does not exist is skipped.
 */
export function scanReports(paths: string[], values: CanaryValues, root = process.cwd()): string[] {
  const hits: string[] = [];
  if (!values.size) return hits;
  const seen = new Set<string>();
  for (const p of paths) for (const file of walk(p)) {
    if (seen.has(file)) continue;
    seen.add(file);
    scanBuffer(readFileSync(file), path.relative(root, file) || file, values, hits, 0);
  }
  return hits;
}

function* walk(p: string): Generator<string> {
  if (!existsSync(p)) return;
  const st = statSync(p);
  if (st.isFile()) {
    yield p;
    return;
  }
  if (!st.isDirectory()) return;
  for (const entry of readdirSync(p, { withFileTypes: true })) yield* walk(path.join(p, entry.name));
}

function scanBuffer(buf: Buffer, where: string, values: CanaryValues, hits: string[], depth: number): void {
  if (depth > 3) return;
  if (buf.subarray(0, 4).equals(ZIP_MAGIC)) {
    scanZip(buf, where, values, hits, depth);
    return;
  }
  const text = buf.toString('utf8');
  for (const [value, name] of values) if (text.includes(value)) hits.push(`${name} value in ${where}`);
  if (where.endsWith('.html')) {
    for (const m of text.matchAll(EMBEDDED_ZIP)) scanZip(Buffer.from(m[1]!, 'base64'), `${where} (embedded report data)`, values, hits, depth);
  }
}

function scanZip(buf: Buffer, where: string, values: CanaryValues, hits: string[], depth: number): void {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(buf);
  } catch (err) {
    // Not a readable zip after all: scan its bytes as they are.
    const text = buf.toString('latin1');
    for (const [value, name] of values) if (text.includes(value)) hits.push(`${name} value in ${where}`);
    void err;
    return;
  }
  for (const [name, data] of Object.entries(entries)) {
    scanBuffer(Buffer.from(data.buffer, data.byteOffset, data.byteLength), `${where} › ${name}`, values, hits, depth + 1);
  }
}
