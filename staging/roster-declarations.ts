import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadModule, parseSync } from 'libpg-query';
import ts from 'typescript';

/**
 * What a butler folder declares, read from its files with real parsers and
 * without running it: the tables its migrations leave (PostgreSQL's own
 * parser, libpg-query) and the tool names its `tools/` files define
 * (TypeScript's parser). The smoke gate checks a running butler against these,
 * so a butler added to a roster gets the same depth of checks as the six we
 * ship, with no test change (docs/extending.md).
 */

/** Table name → column names, in the order the migrations leave them. */
export type DeclaredTables = Record<string, string[]>;

let loaded: Promise<void> | undefined;
/** The parser is WebAssembly: load it once before `declaredTables`. */
export function loadSqlParser(): Promise<void> {
  return (loaded ??= loadModule());
}

type Node = Record<string, any>;
const sval = (n: Node | undefined): string | undefined => n?.String?.sval;

/**
 * Replays the migration files of `butlerDir/migrations` (in the order the
 * daemon applies them: file name order) over an empty schema: CREATE TABLE,
 * ALTER TABLE ADD/DROP/RENAME COLUMN, ALTER TABLE RENAME, DROP TABLE. Other
 * statements (indexes, functions, data) do not change the table list.
 * Throws naming the file when a migration does not parse.
 */
export function declaredTables(butlerDir: string): DeclaredTables {
  const dir = path.join(butlerDir, 'migrations');
  const tables: DeclaredTables = {};
  if (!existsSync(dir)) return tables;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    let stmts: Node[];
    try {
      stmts = (parseSync(readFileSync(path.join(dir, file), 'utf8')) as { stmts?: Node[] }).stmts ?? [];
    } catch (err) {
      throw new Error(`${path.join(dir, file)} does not parse as PostgreSQL: ${(err as Error).message}`);
    }
    for (const { stmt } of stmts) applyStatement(tables, stmt as Node);
  }
  return tables;
}

function applyStatement(tables: DeclaredTables, stmt: Node): void {
  if (stmt.CreateStmt) {
    const name = stmt.CreateStmt.relation.relname as string;
    if (tables[name] && stmt.CreateStmt.if_not_exists) return;
    tables[name] = (stmt.CreateStmt.tableElts ?? []).flatMap((e: Node) => (e.ColumnDef ? [e.ColumnDef.colname as string] : []));
  } else if (stmt.AlterTableStmt && stmt.AlterTableStmt.objtype === 'OBJECT_TABLE') {
    const cols = tables[stmt.AlterTableStmt.relation.relname];
    if (!cols) return;
    for (const { AlterTableCmd: cmd } of stmt.AlterTableStmt.cmds ?? []) {
      if (cmd?.subtype === 'AT_AddColumn' && cmd.def?.ColumnDef && !cols.includes(cmd.def.ColumnDef.colname)) cols.push(cmd.def.ColumnDef.colname);
      if (cmd?.subtype === 'AT_DropColumn') cols.splice(cols.indexOf(cmd.name), cols.includes(cmd.name) ? 1 : 0);
    }
  } else if (stmt.RenameStmt) {
    const { renameType, relation, subname, newname } = stmt.RenameStmt;
    const cols = relation ? tables[relation.relname] : undefined;
    if (!cols) return;
    if (renameType === 'OBJECT_COLUMN' && cols.includes(subname)) cols[cols.indexOf(subname)] = newname;
    if (renameType === 'OBJECT_TABLE') {
      tables[newname] = cols;
      delete tables[relation.relname];
    }
  } else if (stmt.DropStmt && stmt.DropStmt.removeType === 'OBJECT_TABLE') {
    for (const o of stmt.DropStmt.objects ?? []) {
      const items = (o.List?.items ?? []) as Node[];
      const name = sval(items[items.length - 1]);
      if (name) delete tables[name];
    }
  }
}

/** A tool file's names, or why they cannot be read without running it. */
export interface DeclaredToolFile {
  file: string;
  names: string[];
  /** Calls of defineTool whose `name` is not a string literal (the check cannot know them). */
  unreadable: number;
}

/**
 * The tool names `butlerDir/tools/*.ts` define: every `defineTool({ name: '…' })`
 * call, read with TypeScript's parser. Files the daemon skips (`*.test.ts`,
 * `*.d.ts`) are skipped here too.
 */
export function declaredTools(butlerDir: string): DeclaredToolFile[] {
  const dir = path.join(butlerDir, 'tools');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
      const names: string[] = [];
      let unreadable = 0;
      const visit = (node: ts.Node): void => {
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'defineTool') {
          const arg = node.arguments[0];
          const prop = arg && ts.isObjectLiteralExpression(arg)
            ? arg.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && p.name.getText(source) === 'name')
            : undefined;
          if (prop && (ts.isStringLiteral(prop.initializer) || ts.isNoSubstitutionTemplateLiteral(prop.initializer))) names.push(prop.initializer.text);
          else unreadable++;
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
      return { file, names, unreadable };
    });
}
