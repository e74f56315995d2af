/**
 * Writes the AsyncAPI documents of docs/asyncapi/ from the contracts (`pnpm asyncapi`). The test
 * test/asyncapi/asyncapi-docs.test.ts fails when a checked-in file differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { asyncapiDocuments } from './asyncapi-documents.js';

for (const { file, yaml } of asyncapiDocuments()) {
  writeFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), yaml);
  console.log(`wrote ${file}`);
}
