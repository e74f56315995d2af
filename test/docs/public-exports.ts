/**
 * Lists the public exports of the published packages (every name their entry points export, types
 * included) and whether each one's declaration carries a TSDoc block with an `@example` tag. Read with
 * the TypeScript compiler API from the sources, so that it takes a few seconds (typedoc, which builds
 * the HTML reference, is kept for `pnpm docs`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

/** One name exported by a package entry point, e.g. `@chatwire/server/sqlite` → `SqliteStore`. */
export interface PublicExport {
  /** The import specifier users write, e.g. `@chatwire/server/sqlite`. */
  entry: string;
  name: string;
  /** Where the exported thing is declared, relative to the repository root, with its line. */
  declaredAt: string;
  hasDoc: boolean;
  hasExample: boolean;
}

interface Entry {
  specifier: string;
  file: string;
}

/** Entry points of a package from its package.json `exports` (the `@chatwire/source` condition). */
export function packageEntries(root: string, dir: string): Entry[] {
  const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | Record<string, unknown>>;
  };
  const entries: Entry[] = [];
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    if (typeof target !== 'object') continue;
    const source = target['@chatwire/source'];
    if (typeof source !== 'string') continue;
    entries.push({
      specifier: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
      file: join(root, dir, source),
    });
  }
  return entries;
}

/** The declaration nodes whose TSDoc describes a symbol (the statement for `export const`). */
function docTags(declaration: ts.Declaration): { hasDoc: boolean; hasExample: boolean } {
  const docs = ts.getJSDocCommentsAndTags(declaration).filter(ts.isJSDoc);
  return {
    hasDoc: docs.length > 0,
    hasExample: docs.some((doc) => (doc.tags ?? []).some((tag) => tag.tagName.text === 'example')),
  };
}

/** Every public export of the packages in `packageDirs` (e.g. `packages/server`). */
export function listPublicExports(root: string, packageDirs: readonly string[]): PublicExport[] {
  const entries = packageDirs.flatMap((dir) => packageEntries(root, dir));
  const configFile = ts.readConfigFile(join(root, 'tsconfig.base.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, root);
  const program = ts.createProgram({
    rootNames: entries.map((entry) => entry.file),
    options: { ...options, noEmit: true },
  });
  const checker = program.getTypeChecker();
  const found: PublicExport[] = [];
  for (const entry of entries) {
    const sourceFile = program.getSourceFile(entry.file);
    const moduleSymbol = sourceFile && checker.getSymbolAtLocation(sourceFile);
    if (moduleSymbol === undefined) throw new Error(`${entry.file} is not a module`);
    for (const exported of checker.getExportsOfModule(moduleSymbol)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      const declarations = symbol.getDeclarations() ?? [];
      const tags = declarations.map(docTags);
      const first = declarations[0];
      let declaredAt = '?';
      if (first !== undefined) {
        const file = first.getSourceFile();
        const { line } = file.getLineAndCharacterOfPosition(first.getStart());
        declaredAt = `${file.fileName.slice(root.length).replace(/^\//, '')}:${line + 1}`;
      }
      found.push({
        entry: entry.specifier,
        name: exported.name,
        declaredAt,
        hasDoc: tags.some((tag) => tag.hasDoc),
        hasExample: tags.some((tag) => tag.hasExample),
      });
    }
  }
  return found;
}
