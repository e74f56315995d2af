import { defineConfig } from 'tsup';

export default defineConfig({
  // main.ts is the `chatwire` bin (its shebang is kept and the file made executable); index.ts the library.
  entry: ['src/index.ts', 'src/main.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'node',
});
