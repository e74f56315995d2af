import { defineProject, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(
  shared,
  defineProject({
    esbuild: { jsx: 'automatic' },
    test: { name: 'react', include: ['test/**/*.test.tsx'], environment: 'happy-dom' },
  }),
);
